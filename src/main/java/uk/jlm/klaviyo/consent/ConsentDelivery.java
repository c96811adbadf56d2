package uk.jlm.klaviyo.consent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import uk.jlm.klaviyo.klaviyo.DeliveryFailureHandler;
import uk.jlm.klaviyo.klaviyo.KlaviyoDelivery;
import uk.jlm.klaviyo.klaviyo.KlaviyoException;
import uk.jlm.klaviyo.klaviyo.KlaviyoRequests;
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
class ConsentDelivery implements DeliveryFailureHandler {

    static final int SUBSCRIBE_LIMIT = 1000;
    static final int UNSUBSCRIBE_LIMIT = 100;
    private static final String BATCH = "consentBatch";
    private static final TypeReference<Map<String, String>> PROFILE = new TypeReference<>() {
    };
    private static final Logger log = LoggerFactory.getLogger(ConsentDelivery.class);

    /** One bulk job: its path and the outbox rows (one profile each) it carries. */
    record Batch(String path, List<ClaimedDelivery> rows) {
        boolean subscribe() {
            return ConsentLedger.SUBSCRIBE_PATH.equals(path);
        }
    }

    private final Outbox outbox;
    private final KlaviyoDelivery delivery;
    private final ObjectMapper json;
    private final ProducerTemplate producer;
    private final FlowMetrics metrics;
    private final String listId;

    ConsentDelivery(Outbox outbox, KlaviyoDelivery delivery, ObjectMapper json, ProducerTemplate producer,
                    FlowMetrics metrics, @Value("${klaviyo.consent.list-id:}") String listId) {
        this.outbox = outbox;
        this.delivery = delivery;
        this.json = json;
        this.producer = producer;
        this.metrics = metrics;
        this.listId = listId;
    }

    /** Claims due consent rows and groups them into jobs, every unsubscribe job before any subscribe job. */
    public List<Batch> batches() {
        List<ClaimedDelivery> rows = outbox.claim(ConsentLedger.FLOW, SUBSCRIBE_LIMIT);
        List<Batch> batches = new ArrayList<>();
        chunk(rows.stream().filter(r -> ConsentLedger.UNSUBSCRIBE_PATH.equals(r.path())).toList(),
                ConsentLedger.UNSUBSCRIBE_PATH, UNSUBSCRIBE_LIMIT, batches);
        chunk(rows.stream().filter(r -> ConsentLedger.SUBSCRIBE_PATH.equals(r.path())).toList(),
                ConsentLedger.SUBSCRIBE_PATH, SUBSCRIBE_LIMIT, batches);
        return batches;
    }

    private static void chunk(List<ClaimedDelivery> rows, String path, int size, List<Batch> into) {
        for (int from = 0; from < rows.size(); from += size) {
            into.add(new Batch(path, rows.subList(from, Math.min(rows.size(), from + size))));
        }
    }

    public void prepare(Exchange exchange) {
        prepare(exchange, exchange.getMessage().getBody(Batch.class));
    }

    private void prepare(Exchange exchange, Batch batch) {
        exchange.setProperty(BATCH, batch);
        exchange.setProperty(DeliveryFailureHandler.PROPERTY, this);
        exchange.setProperty(KlaviyoRequests.PATH, batch.path());
        exchange.setProperty(KlaviyoRequests.FLOW, ConsentLedger.FLOW);
        exchange.getMessage().setBody(body(batch));
    }

    public void delivered(Exchange exchange) {
        Batch batch = exchange.getProperty(BATCH, Batch.class);
        outbox.markDone(batch.rows().stream().map(ClaimedDelivery::id).toList());
        batch.rows().forEach(r -> metrics.delivered(ConsentLedger.FLOW, r.metric(),
                java.time.Duration.between(r.occurredAt(), java.time.Instant.now())));
    }

    @Override
    public void failed(Exchange exchange, Throwable cause) {
        Batch batch = exchange.getProperty(BATCH, Batch.class);
        if (cause instanceof KlaviyoException.Rejected && batch.rows().size() > 1) {
            isolate(batch);
        } else {
            batch.rows().forEach(row -> delivery.failed(row, cause));
        }
    }

    /** Sends each half on its own; halves Klaviyo still rejects are split again, down to the one bad profile. */
    private void isolate(Batch batch) {
        int middle = batch.rows().size() / 2;
        for (List<ClaimedDelivery> half : List.of(batch.rows().subList(0, middle),
                batch.rows().subList(middle, batch.rows().size()))) {
            Batch part = new Batch(batch.path(), half);
            Exchange result = producer.send("direct:klaviyo-profiles", e -> prepare(e, part));
            Throwable failure = result.getException();
            if (failure == null) {
                outbox.markDone(half.stream().map(ClaimedDelivery::id).toList());
            } else if (failure instanceof KlaviyoException.Rejected && half.size() > 1) {
                isolate(part);
            } else if (failure instanceof KlaviyoException.Rejected) {
                delivery.deadLetter(half.get(0), failure);
            } else {
                log.warn("consent job part of {} profiles not sent ({}); back in the lane", half.size(), failure.toString());
                half.forEach(row -> outbox.requeue(row.id()));
            }
        }
    }

    private String body(Batch batch) {
        ObjectNode root = json.createObjectNode();
        ObjectNode data = root.putObject("data");
        data.put("type", batch.subscribe() ? "profile-subscription-bulk-create-job" : "profile-subscription-bulk-delete-job");
        ObjectNode attributes = data.putObject("attributes");
        if (batch.subscribe()) {
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
            if (batch.subscribe()) {
                marketing.put("consent", "SUBSCRIBED");
                marketing.put("consented_at", profile.get("consentedAt"));
            } else {
                marketing.put("consent", "UNSUBSCRIBED");
            }
        }
        if (batch.subscribe() && StringUtils.hasText(listId)) {
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
