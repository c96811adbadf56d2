package uk.jlm.klaviyo.backfill;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/**
 * Backfill progress for operators (metrics and the status page): {@code jlm_klaviyo_backfill_*} gauges over the
 * latest run's report, read at most once a second.
 */
@Component
public class BackfillMetrics implements MeterBinder {

    private final Backfill backfill;
    private final Clock clock;
    private volatile Map<String, Object> cached = Map.of("status", "NONE");
    private volatile Instant cachedAt = Instant.EPOCH;

    BackfillMetrics(Backfill backfill, Clock clock) {
        this.backfill = backfill;
        this.clock = clock;
    }

    /** The latest run's report, at most a second old. */
    public synchronized Map<String, Object> summary() {
        Instant now = clock.instant();
        if (Duration.between(cachedAt, now).toMillis() >= 1000) {
            cached = backfill.report();
            cachedAt = now;
        }
        return cached;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "jlm.klaviyo.backfill.progress.percent", "Share of the backfill's creation-date range read", "percent");
        gauge(registry, "jlm.klaviyo.backfill.orders", "Orders the latest backfill read from JLM", "ordersSeen");
        gauge(registry, "jlm.klaviyo.backfill.orders.per.second", "Backfill read rate", "ordersPerSecond");
        gauge(registry, "jlm.klaviyo.backfill.events.pending", "Backfill events waiting for a bulk job", "eventsPending");
        gauge(registry, "jlm.klaviyo.backfill.eta.seconds", "Estimated seconds until the backfill is delivered", "etaSeconds");
    }

    private void gauge(MeterRegistry registry, String name, String description, String key) {
        Gauge.builder(name, this, m -> m.summary().get(key) instanceof Number n ? n.doubleValue() : 0)
                .description(description).register(registry);
    }
}
