package uk.jlm.klaviyo.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.jlm.OrderPageReader;
import uk.jlm.klaviyo.jlm.ReadOrder;
import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.JsonRecordReplay;
import uk.jlm.klaviyo.outbox.OrderChangeDetector;

/** Replays a rejected OR11 order: change detection runs on the stored JSON again. */
@Component
class OrderInputReplay extends JsonRecordReplay {

    private final OrderChangeDetector detector;

    OrderInputReplay(ObjectMapper json, OrderChangeDetector detector, DeadLetters deadLetters) {
        super(json, deadLetters, "order_lines");
        this.detector = detector;
    }

    @Override
    protected String contractProblem(JsonNode node) {
        return OrderPageReader.contractProblem(node);
    }

    @Override
    protected void process(JsonNode node, String rawJson) throws java.io.IOException {
        detector.reapply(new ReadOrder(json().treeToValue(node, MiraklOrder.class), rawJson), true);
    }
}
