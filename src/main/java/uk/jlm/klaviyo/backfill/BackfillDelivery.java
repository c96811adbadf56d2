package uk.jlm.klaviyo.backfill;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import uk.jlm.klaviyo.klaviyo.BulkJobDelivery;
import uk.jlm.klaviyo.klaviyo.EndpointClass;
import uk.jlm.klaviyo.klaviyo.KlaviyoDelivery;
import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.ClaimedDelivery;
import uk.jlm.klaviyo.outbox.Outbox;

/**
 * Drains the backfill lane for route {@code backfill-delivery} as Klaviyo bulk event jobs
 * ({@code POST /api/event-bulk-create-jobs}, reference/klaviyo.md §3.1): up to 1,000 events a job, grouped per
 * profile, each event and profile entry with {@code backfill: true} so no flow fires for old orders. The rows hold the
 * same event bodies the live flows send one by one; a job Klaviyo rejects is split down to the bad event.
 */
@Component("backfillDelivery")
class BackfillDelivery extends BulkJobDelivery {

    static final String PATH = "/api/event-bulk-create-jobs";
    static final int EVENTS_PER_JOB = 1000;
    /** Jobs claimed per look at the lane; the bulk throttles (10/s, 150/min) set the pace. */
    static final int JOBS_PER_LOOK = 4;

    private final ObjectMapper json;
    private final BackfillRuns runs;
    private final TransactionTemplate tx;

    BackfillDelivery(Outbox outbox, KlaviyoDelivery delivery, ProducerTemplate producer, FlowMetrics metrics,
                     Clock clock, ObjectMapper json, BackfillRuns runs, TransactionTemplate tx) {
        super(Backfill.LANE, EndpointClass.BULK, outbox, delivery, producer, metrics, clock);
        this.json = json;
        this.runs = runs;
        this.tx = tx;
    }

    @Override
    public List<Batch> batches() {
        List<Batch> batches = new ArrayList<>();
        chunk(outbox.claim(Backfill.LANE, EVENTS_PER_JOB * JOBS_PER_LOOK), PATH, EVENTS_PER_JOB, batches);
        return batches;
    }

    /** Klaviyo accepted the job: its rows are done and counted for the run's report, in one transaction. */
    @Override
    protected void accepted(Batch batch, String response) {
        tx.executeWithoutResult(status -> {
            super.accepted(batch, response);
            runs.sent(batch.rows().stream().collect(java.util.stream.Collectors.groupingBy(
                    ClaimedDelivery::metric, java.util.TreeMap::new, java.util.stream.Collectors.counting())));
        });
    }

    @Override
    protected String body(Batch batch) {
        Map<String, ObjectNode> byProfile = new LinkedHashMap<>();
        ObjectNode root = json.createObjectNode();
        ObjectNode data = root.putObject("data");
        data.put("type", "event-bulk-create-job");
        ArrayNode entries = data.putObject("attributes").putObject("events-bulk-create").putArray("data");
        for (ClaimedDelivery row : batch.rows()) {
            // A fresh tree per row: its event attributes can be moved into the job as they are.
            ObjectNode event = (ObjectNode) read(row.payload()).path("data").path("attributes");
            JsonNode profile = event.remove("profile");
            ObjectNode entry = byProfile.computeIfAbsent(profile.toString(), key -> {
                ObjectNode e = entries.addObject();
                e.put("type", "event-bulk-create");
                ObjectNode attributes = e.putObject("attributes");
                attributes.put("backfill", true);
                attributes.set("profile", profile);
                attributes.putObject("events").putArray("data");
                return e;
            });
            event.put("backfill", true);
            ((ArrayNode) entry.path("attributes").path("events").path("data")).addObject()
                    .put("type", "event").set("attributes", event);
        }
        return root.toString();
    }

    private JsonNode read(String payload) {
        try {
            return json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("backfill outbox row is not an event", e);
        }
    }
}
