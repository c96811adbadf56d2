package uk.jlm.klaviyo.returns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.outbox.DeadLetter;
import uk.jlm.klaviyo.outbox.DeadLetterReplay;
import uk.jlm.klaviyo.outbox.DeadLetters;

/** Replays a rejected RT11 return, e.g. once the order it belongs to has been read. */
@Component
class ReturnInputReplay implements DeadLetterReplay.InputReplay {

    private final ObjectMapper json;
    private final ReturnDetector detector;
    private final DeadLetters deadLetters;

    ReturnInputReplay(ObjectMapper json, ReturnDetector detector, DeadLetters deadLetters) {
        this.json = json;
        this.detector = detector;
        this.deadLetters = deadLetters;
    }

    @Override
    public boolean replay(DeadLetter deadLetter) {
        try {
            JsonNode node = json.readTree(deadLetter.payload());
            if (node == null || !node.has("return_lines")) {
                return false;
            }
            String problem = ReturnsFeed.contractProblem(node);
            if (problem != null) {
                deadLetters.inputRejected(deadLetter.flow(), deadLetter.sourceRef(), problem, deadLetter.payload());
                return true;
            }
            detector.apply(new ReturnsFeed.ReadReturn(json.treeToValue(node, MiraklReturn.class), deadLetter.payload()));
            return true;
        } catch (java.io.IOException e) {
            // Not JSON (e.g. a rejected page): nothing to re-read; the feed reads its window again anyway.
            return false;
        }
    }
}
