package uk.jlm.klaviyo.consent;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.ProducerTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import uk.jlm.klaviyo.klaviyo.BulkJobDelivery;
import uk.jlm.klaviyo.klaviyo.EndpointClass;
import uk.jlm.klaviyo.klaviyo.KlaviyoDelivery;
import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.ClaimedDelivery;
import uk.jlm.klaviyo.outbox.Outbox;

/**
 * Drains the consent lane as Klaviyo bulk jobs for route {@code consent-delivery} (reference/klaviyo.md §5):
 * unsubscribes first (≤100 profiles a job, no list: an opt-out is global), then subscribes (≤1,000 a job,
 * {@code historical_import} with JLM's {@code consented_at}, the optional list). A job Klaviyo rejects as a whole
 * is split in halves until the bad profile is isolated and dead-lettered; the good ones are delivered.
 */
@Component("consentDelivery")
class ConsentDelivery extends BulkJobDelivery {

    static final int SUBSCRIBE_LIMIT = 1000;
    static final int UNSUBSCRIBE_LIMIT = 100;
    private static final TypeReference<Map<String, String>> PROFILE = new TypeReference<>() {
    };

    private final ObjectMapper json;
    private final String listId;

    ConsentDelivery(Outbox outbox, KlaviyoDelivery delivery, ObjectMapper json, ProducerTemplate producer,
                    FlowMetrics metrics, Clock clock, @Value("${klaviyo.consent.list-id:}") String listId) {
        super(ConsentLedger.FLOW, EndpointClass.PROFILES, outbox, delivery, producer, metrics, clock);
        this.json = json;
        this.listId = listId;
    }

    /** Claims due consent rows and groups them into jobs, every unsubscribe job before any subscribe job. */
    @Override
    public List<Batch> batches() {
        List<ClaimedDelivery> rows = outbox.claim(ConsentLedger.FLOW, SUBSCRIBE_LIMIT);
        List<Batch> batches = new ArrayList<>();
        chunk(rows.stream().filter(r -> ConsentLedger.UNSUBSCRIBE_PATH.equals(r.path())).toList(),
                ConsentLedger.UNSUBSCRIBE_PATH, UNSUBSCRIBE_LIMIT, batches);
        chunk(rows.stream().filter(r -> ConsentLedger.SUBSCRIBE_PATH.equals(r.path())).toList(),
                ConsentLedger.SUBSCRIBE_PATH, SUBSCRIBE_LIMIT, batches);
        return batches;
    }

    @Override
    protected String body(Batch batch) {
        boolean subscribe = ConsentLedger.SUBSCRIBE_PATH.equals(batch.path());
        ObjectNode root = json.createObjectNode();
        ObjectNode data = root.putObject("data");
        data.put("type", subscribe ? "profile-subscription-bulk-create-job" : "profile-subscription-bulk-delete-job");
        ObjectNode attributes = data.putObject("attributes");
        if (subscribe) {
            attributes.put("custom_source", "John Lewis Marketplace");
            attributes.put("historical_import", true);
        }
        ArrayNode profiles = attributes.putObject("profiles").putArray("data");
        for (ClaimedDelivery row : batch.rows()) {
            Map<String, String> profile = read(row.payload());
            ObjectNode item = profiles.addObject();
            item.put("type", "profile");
            ObjectNode profileAttributes = item.putObject("attributes");
            profileAttributes.put("email", profile.get("email"));
            ObjectNode marketing = profileAttributes.putObject("subscriptions").putObject("email").putObject("marketing");
            if (subscribe) {
                marketing.put("consent", "SUBSCRIBED");
                marketing.put("consented_at", profile.get("consentedAt"));
            } else {
                marketing.put("consent", "UNSUBSCRIBED");
            }
        }
        if (subscribe && StringUtils.hasText(listId)) {
            ObjectNode list = data.putObject("relationships").putObject("list").putObject("data");
            list.put("type", "list");
            list.put("id", listId);
        }
        return root.toString();
    }

    private Map<String, String> read(String payload) {
        try {
            return json.readValue(payload, PROFILE);
        } catch (IOException e) {
            throw new IllegalStateException("consent outbox row is not a profile", e);
        }
    }
}
