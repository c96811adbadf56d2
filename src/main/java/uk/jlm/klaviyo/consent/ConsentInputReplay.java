package uk.jlm.klaviyo.consent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.JsonRecordReplay;

/** Replays a rejected consent-feed record: the ledger reads it again (and rejects it again if it is still bad). */
@Component
class ConsentInputReplay extends JsonRecordReplay {

    private final ConsentLedger ledger;

    ConsentInputReplay(ObjectMapper json, ConsentLedger ledger, DeadLetters deadLetters) {
        super(json, deadLetters, "customer_id");
        this.ledger = ledger;
    }

    @Override
    protected boolean accepts(JsonNode node) {
        return !node.has("order_lines") && !node.has("field");
    }

    @Override
    protected String contractProblem(JsonNode node) {
        return null;
    }

    @Override
    protected void process(JsonNode node, String rawJson) {
        ledger.record(ConsentChange.fromFeed(node));
    }
}
