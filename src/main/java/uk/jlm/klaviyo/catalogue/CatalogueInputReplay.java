package uk.jlm.klaviyo.catalogue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.JsonRecordReplay;

/** Replays a rejected export offer: checked again, then synced as if just read from an export file. */
@Component
class CatalogueInputReplay extends JsonRecordReplay {

    private final OfferLedger ledger;

    CatalogueInputReplay(ObjectMapper json, DeadLetters deadLetters, OfferLedger ledger) {
        super(json, deadLetters, "offer_id");
        this.ledger = ledger;
    }

    @Override
    protected boolean accepts(JsonNode node) {
        return !node.has("order_lines") && !node.has("order_id");
    }

    @Override
    protected String contractProblem(JsonNode node) {
        return MiraklOffer.from(node).problem();
    }

    @Override
    protected void process(JsonNode node, String rawJson) {
        ledger.apply(List.of(MiraklOffer.from(node)));
    }
}
