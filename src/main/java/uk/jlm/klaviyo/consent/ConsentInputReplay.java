package uk.jlm.klaviyo.consent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.outbox.DeadLetter;
import uk.jlm.klaviyo.outbox.DeadLetterReplay;

/** Replays a rejected consent-feed record: the ledger reads it again (and rejects it again if it is still bad). */
@Component
class ConsentInputReplay implements DeadLetterReplay.InputReplay {

    private final ObjectMapper json;
    private final ConsentLedger ledger;

    ConsentInputReplay(ObjectMapper json, ConsentLedger ledger) {
        this.json = json;
        this.ledger = ledger;
    }

    @Override
    public boolean replay(DeadLetter deadLetter) {
        try {
            JsonNode customer = json.readTree(deadLetter.payload());
            if (customer == null || !customer.has("customer_id") || customer.has("order_lines")) {
                return false;
            }
            ledger.record(ConsentChange.fromFeed(customer));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
