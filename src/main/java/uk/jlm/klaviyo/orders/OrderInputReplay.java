package uk.jlm.klaviyo.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.jlm.OrderPageReader;
import uk.jlm.klaviyo.jlm.ReadOrder;
import uk.jlm.klaviyo.outbox.DeadLetter;
import uk.jlm.klaviyo.outbox.DeadLetterReplay;
import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.OrderChangeDetector;

/**
 * Replays a rejected OR11 order: reads the stored JSON again and runs change detection on it. A rejected page is
 * not replayed here: its window was never committed, so the next poll reads it again anyway.
 */
@Component
class OrderInputReplay implements DeadLetterReplay.InputReplay {

    private final ObjectMapper json;
    private final OrderChangeDetector detector;
    private final DeadLetters deadLetters;

    OrderInputReplay(ObjectMapper json, OrderChangeDetector detector, DeadLetters deadLetters) {
        this.json = json;
        this.detector = detector;
        this.deadLetters = deadLetters;
    }

    @Override
    public boolean replay(DeadLetter deadLetter) {
        try {
            JsonNode node = json.readTree(deadLetter.payload());
            if (node == null || !node.has("order_lines")) {
                return false;
            }
            String problem = OrderPageReader.contractProblem(node);
            if (problem != null) {
                deadLetters.inputRejected(deadLetter.flow(), deadLetter.sourceRef(), problem, deadLetter.payload());
                return true;
            }
            detector.reapply(new ReadOrder(json.treeToValue(node, MiraklOrder.class), deadLetter.payload()), true);
            return true;
        } catch (java.io.IOException e) {
            // Not JSON (e.g. a rejected page): nothing to re-read; the feed reads its window again anyway.
            return false;
        }
    }
}
