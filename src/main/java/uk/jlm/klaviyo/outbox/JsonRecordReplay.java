package uk.jlm.klaviyo.outbox;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Replays one kind of rejected JLM record kept as JSON in a dead letter: recognised by a field it must have, checked
 * against the contract again (still bad → a new dead letter with the reason), then processed as if just read.
 */
public abstract class JsonRecordReplay implements DeadLetterReplay.InputReplay {

    private final ObjectMapper json;
    private final DeadLetters deadLetters;
    private final String requiredField;

    protected JsonRecordReplay(ObjectMapper json, DeadLetters deadLetters, String requiredField) {
        this.json = json;
        this.deadLetters = deadLetters;
        this.requiredField = requiredField;
    }

    @Override
    public final boolean replay(DeadLetter deadLetter) {
        JsonNode node;
        try {
            node = json.readTree(deadLetter.payload());
        } catch (IOException e) {
            // Not JSON (e.g. a rejected page): nothing to re-read; the feed reads its window again anyway.
            return false;
        }
        if (node == null || !node.has(requiredField) || !accepts(node)) {
            return false;
        }
        String problem = contractProblem(node);
        if (problem != null) {
            deadLetters.inputRejected(deadLetter.flow(), deadLetter.sourceRef(), problem, deadLetter.payload());
            return true;
        }
        try {
            process(node, deadLetter.payload());
        } catch (IOException e) {
            deadLetters.inputRejected(deadLetter.flow(), deadLetter.sourceRef(), "replay: " + e.getMessage(),
                    deadLetter.payload());
        }
        return true;
    }

    /** A further check that the payload is this kind of record. */
    protected boolean accepts(JsonNode node) {
        return true;
    }

    /** Why the record still breaks the contract, or null. */
    protected abstract String contractProblem(JsonNode node);

    protected abstract void process(JsonNode node, String rawJson) throws IOException;

    protected ObjectMapper json() {
        return json;
    }
}
