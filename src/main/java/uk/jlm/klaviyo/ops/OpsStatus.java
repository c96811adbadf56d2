package uk.jlm.klaviyo.ops;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.FlowsProperties;

/**
 * Aggregates per flow (never personal data) for the status page, health and gauges. Read from the database, so
 * every instance of a cluster shows the same picture; cached for a moment so scrapes stay cheap.
 */
@Component
public class OpsStatus {

    private static final Duration CACHE = Duration.ofSeconds(2);

    public record FlowStatus(String flow, boolean enabled, String feed, String state, Instant lastPoll,
                             Long secondsSinceLastPoll, int consecutiveFailures, String lastFailure,
                             long pending, long inFlight, long delivered, long dead, Long oldestPendingAgeSeconds,
                             long deadLetters) {
    }

    private final JdbcTemplate jdbc;
    private final FlowsProperties flows;
    private final Clock clock;
    private final CamelContext camel;
    private final uk.jlm.klaviyo.config.JlmProperties jlm;
    private volatile Instant cachedAt = Instant.MIN;
    private volatile Map<String, FlowStatus> cached = Map.of();

    OpsStatus(JdbcTemplate jdbc, FlowsProperties flows, Clock clock, CamelContext camel,
              uk.jlm.klaviyo.config.JlmProperties jlm) {
        this.jlm = jlm;
        this.jdbc = jdbc;
        this.flows = flows;
        this.clock = clock;
        this.camel = camel;
    }

    public FlowStatus flow(String flow) {
        return all().get(flow);
    }

    public synchronized Map<String, FlowStatus> all() {
        Instant now = clock.instant();
        if (Duration.between(cachedAt, now).compareTo(CACHE) < 0) {
            return cached;
        }
        Map<String, Map<String, Object>> feeds = new LinkedHashMap<>();
        jdbc.queryForList("SELECT feed, last_success_at, last_failure_reason, consecutive_failures FROM feed_state")
                .forEach(row -> feeds.put((String) row.get("feed"), row));
        Map<String, Map<String, Long>> outbox = new LinkedHashMap<>();
        Map<String, Instant> oldest = new LinkedHashMap<>();
        // Only the flows' own lanes, through index ix_outbox_claim: a backfill's lane can hold millions of rows.
        String lanes = "flow IN (" + String.join(",", java.util.Collections.nCopies(Flows.ALL.size(), "?")) + ")";
        for (Map<String, Object> row : jdbc.queryForList("SELECT flow, status, COUNT(*) AS n, MIN(occurred_at) AS oldest "
                + "FROM outbox WHERE " + lanes + " AND status IN ('PENDING', 'CLAIMED', 'DEAD') GROUP BY flow, status",
                Flows.ALL.toArray())) {
            String flow = (String) row.get("flow");
            outbox.computeIfAbsent(flow, f -> new LinkedHashMap<>()).put((String) row.get("status"), number(row.get("n")));
            if ("PENDING".equals(row.get("status")) && row.get("oldest") != null) {
                oldest.put(flow, instant(row.get("oldest")));
            }
        }
        Map<String, Long> done = new LinkedHashMap<>();
        jdbc.queryForList("SELECT flow, COUNT(*) AS n FROM outbox WHERE " + lanes + " AND status = 'DONE' GROUP BY flow",
                        Flows.ALL.toArray())
                .forEach(row -> done.put((String) row.get("flow"), number(row.get("n"))));
        Map<String, Long> deadLetters = new LinkedHashMap<>();
        jdbc.queryForList("SELECT flow, COUNT(*) AS n FROM dead_letter WHERE replayed_at IS NULL GROUP BY flow")
                .forEach(row -> deadLetters.put((String) row.get("flow"), number(row.get("n"))));

        Map<String, FlowStatus> result = new LinkedHashMap<>();
        for (String flow : Flows.ALL) {
            String feed = feedOf(flow);
            boolean enabled = enabled(flow);
            Map<String, Object> feedRow = feeds.getOrDefault(feed, Map.of());
            Instant lastPoll = feedRow.get("last_success_at") == null ? null : instant(feedRow.get("last_success_at"));
            int failures = feedRow.get("consecutive_failures") == null ? 0 : (int) number(feedRow.get("consecutive_failures"));
            Map<String, Long> counts = outbox.getOrDefault(flow, Map.of());
            Instant oldestPending = oldest.get(flow);
            String state = "consent".equals(flow) && !consentConfigured() ? "NOT_CONFIGURED"
                    : state(enabled, feed, lastPoll, failures, now);
            result.put(flow, new FlowStatus(flow, enabled, feed, state,
                    lastPoll, lastPoll == null ? null : Duration.between(lastPoll, now).toSeconds(), failures,
                    (String) feedRow.get("last_failure_reason"),
                    counts.getOrDefault("PENDING", 0L), counts.getOrDefault("CLAIMED", 0L), done.getOrDefault(flow, 0L),
                    counts.getOrDefault("DEAD", 0L),
                    oldestPending == null ? null : Duration.between(oldestPending, now).toSeconds(),
                    deadLetters.getOrDefault(flow, 0L)));
        }
        cached = result;
        cachedAt = now;
        return result;
    }

    /**
     * DISABLED by configuration; NOT_RUNNING when its feed route is absent or stopped; FAILING after three failed
     * polls in a row; STALE when no poll succeeded for three intervals.
     */
    private String state(boolean enabled, String feed, Instant lastPoll, int failures, Instant now) {
        if (!enabled) {
            return "DISABLED";
        }
        ServiceStatus route = camel.getRouteController().getRouteStatus(feed + "-feed");
        if (route == null || !route.isStarted()) {
            return "NOT_RUNNING";
        }
        if (failures >= 3) {
            return "FAILING";
        }
        Duration interval = flows.feed(feed).interval();
        if (lastPoll == null) {
            return "STARTING";
        }
        return Duration.between(lastPoll, now).compareTo(interval.multipliedBy(3).plusSeconds(30)) > 0 ? "STALE" : "OK";
    }

    /** Consent without a feed URL comes only from the orders feed (the order custom field). */
    private String feedOf(String flow) {
        return "consent".equals(flow) && !org.springframework.util.StringUtils.hasText(jlm.consent().feedUrl())
                ? "orders" : Flows.feedOf(flow);
    }

    private boolean consentConfigured() {
        return org.springframework.util.StringUtils.hasText(jlm.consent().feedUrl())
                || org.springframework.util.StringUtils.hasText(jlm.consent().orderField());
    }

    private boolean enabled(String flow) {
        return switch (flow) {
            case "dispatch" -> flows.orders().enabled() && flows.dispatch().enabled();
            case "cancellations" -> flows.orders().enabled() && flows.cancellations().enabled();
            default -> flows.feed(flow).enabled();
        };
    }


    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp ts) {
            return ts.toInstant();
        }
        if (value instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof Instant i) {
            return i;
        }
        throw new IllegalStateException("not a timestamp: " + value.getClass());
    }
}
