package uk.jlm.klaviyo.returns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.JsonRecordReplay;

/** Replays a rejected RT11 return, e.g. once the order it belongs to has been read. */
@Component
class ReturnInputReplay extends JsonRecordReplay {

    private final ReturnDetector detector;

    ReturnInputReplay(ObjectMapper json, ReturnDetector detector, DeadLetters deadLetters) {
        super(json, deadLetters, "return_lines");
        this.detector = detector;
    }

    @Override
    protected String contractProblem(JsonNode node) {
        return ReturnsFeed.contractProblem(node);
    }

    @Override
    protected void process(JsonNode node, String rawJson) throws java.io.IOException {
        detector.apply(new ReturnsFeed.ReadReturn(json().treeToValue(node, MiraklReturn.class), rawJson));
    }
}
