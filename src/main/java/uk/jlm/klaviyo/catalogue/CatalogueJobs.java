package uk.jlm.klaviyo.catalogue;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.klaviyo.EndpointClass;
import uk.jlm.klaviyo.klaviyo.KlaviyoRequests;
import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.ClaimedDelivery;
import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.Outbox;
import uk.jlm.klaviyo.outbox.OutboxEntry;

/**
 * Reads accepted catalogue jobs back from Klaviyo ({@code GET <job path>/{id}}) for route {@code catalogue-jobs}:
 * each object the job reports an error for becomes a dead letter with Klaviyo's reason (replayable), never a silent
 * loss. In mode {@code own}, a finished item-creation job queues the creation of its variants, and a finished
 * variant-creation job records the variants as existing.
 */
@Component("catalogueJobs")
class CatalogueJobs {

    private static final Pattern INDEX = Pattern.compile("/data/attributes/(?:items|variants)/data/(\\d+)");
    private static final Duration EXPIRY = Duration.ofHours(24);
    private static final int PER_CHECK = 20;
    private static final Logger log = LoggerFactory.getLogger(CatalogueJobs.class);

    private final JdbcTemplate jdbc;
    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final FlowMetrics metrics;
    private final KlaviyoCatalogue catalogue;
    private final OfferLedger ledger;
    private final Clock clock;

    CatalogueJobs(JdbcTemplate jdbc, ProducerTemplate producer, ObjectMapper json, Outbox outbox,
                  DeadLetters deadLetters, FlowMetrics metrics, KlaviyoCatalogue catalogue, OfferLedger ledger,
                  Clock clock) {
        this.jdbc = jdbc;
        this.producer = producer;
        this.json = json;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.catalogue = catalogue;
        this.ledger = ledger;
        this.clock = clock;
    }

    private record Job(String id, String path, List<Long> outboxIds, Instant createdAt) {
    }

    /** Checks the oldest open jobs once each; returns how many finished. */
    public int check() {
        List<Job> jobs = jdbc.query("SELECT id, path, outbox_ids, created_at FROM catalogue_job WHERE status = 'OPEN' "
                        + "ORDER BY created_at FETCH FIRST " + PER_CHECK + " ROWS ONLY",
                (rs, i) -> new Job(rs.getString("id"), rs.getString("path"),
                        Arrays.stream(rs.getString("outbox_ids").split(",")).filter(s -> !s.isBlank())
                                .map(Long::valueOf).toList(), rs.getTimestamp("created_at").toInstant()));
        int finished = 0;
        for (Job job : jobs) {
            if (check(job)) {
                finished++;
            }
        }
        return finished;
    }

    private boolean check(Job job) {
        Exchange result = producer.send("direct:klaviyo-" + EndpointClass.PROFILES.routeName(), e -> {
            e.setProperty(KlaviyoRequests.PATH, job.path() + "/" + job.id());
            e.setProperty(KlaviyoRequests.METHOD, "GET");
            e.setProperty(KlaviyoRequests.FLOW, OfferLedger.FLOW);
        });
        if (result.getException() != null) {
            log.warn("catalogue job {} not checked: {}", job.id(), result.getException().getMessage());
            return expireIfOld(job);
        }
        JsonNode attributes;
        try {
            attributes = json.readTree(result.getMessage().getBody(String.class)).path("data").path("attributes");
        } catch (JsonProcessingException e) {
            log.warn("catalogue job {}: status is not JSON", job.id());
            return expireIfOld(job);
        }
        String status = attributes.path("status").asText("");
        if (!status.equals("complete") && !status.equals("cancelled")) {
            jdbc.update("UPDATE catalogue_job SET checked_at = ? WHERE id = ?", Timestamp.from(clock.instant()), job.id());
            return expireIfOld(job);
        }
        Map<Long, String> failures = failures(job, attributes.path("errors"));
        List<ClaimedDelivery> rows = outbox.find(job.outboxIds());
        List<ClaimedDelivery> succeeded = new ArrayList<>();
        for (ClaimedDelivery row : rows) {
            String reason = status.equals("cancelled") ? "Klaviyo cancelled catalogue job " + job.id()
                    : failures.get(row.id());
            if (reason != null) {
                deadLetters.deliveryFailed(row, reason, null);
                metrics.deadLettered(OfferLedger.FLOW, "job-error");
            } else {
                succeeded.add(row);
            }
        }
        if (job.path().equals(OfferLedger.CREATE_ITEM_PATH)) {
            succeeded.forEach(row -> outbox.enqueue(new OutboxEntry(OfferLedger.FLOW, "variant-create:" + row.id(),
                    EndpointClass.PROFILES, OfferLedger.CREATE_VARIANT_PATH, OfferLedger.CREATE, null, row.payload(),
                    row.occurredAt().atOffset(ZoneOffset.UTC)), ledger.read(row.payload()).shopSku()));
        } else if (job.path().equals(OfferLedger.CREATE_VARIANT_PATH)) {
            catalogue.created(succeeded.stream().map(row -> {
                OfferLedger.Sync sync = ledger.read(row.payload());
                return new String[] {sync.variantId(), sync.klaviyoSku()};
            }).toList());
        }
        jdbc.update("UPDATE catalogue_job SET status = 'DONE', checked_at = ? WHERE id = ?",
                Timestamp.from(clock.instant()), job.id());
        if (!failures.isEmpty()) {
            log.warn("catalogue job {}: {} of {} objects failed (dead letters)", job.id(), failures.size(), rows.size());
        }
        return true;
    }

    /** Klaviyo's per-object errors by the outbox row they point at ({@code source.pointer} index). */
    private Map<Long, String> failures(Job job, JsonNode errors) {
        Map<Long, String> byRow = new HashMap<>();
        for (JsonNode error : errors) {
            String reason = "Klaviyo catalogue job " + job.id() + ": " + error.path("code").asText("") + " — "
                    + error.path("detail").asText(error.path("title").asText(""));
            Matcher m = INDEX.matcher(error.path("source").path("pointer").asText(""));
            if (m.find() && Integer.parseInt(m.group(1)) < job.outboxIds().size()) {
                byRow.put(job.outboxIds().get(Integer.parseInt(m.group(1))), reason);
            } else {
                log.warn("{} (no object index in its pointer)", reason);
            }
        }
        return byRow;
    }

    private boolean expireIfOld(Job job) {
        if (job.createdAt().plus(EXPIRY).isAfter(clock.instant())) {
            return false;
        }
        log.warn("catalogue job {} still unfinished after {}; no longer checked", job.id(), EXPIRY);
        jdbc.update("UPDATE catalogue_job SET status = 'EXPIRED', checked_at = ? WHERE id = ?",
                Timestamp.from(clock.instant()), job.id());
        return true;
    }
}
