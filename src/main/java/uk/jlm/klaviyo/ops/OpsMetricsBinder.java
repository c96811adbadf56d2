package uk.jlm.klaviyo.ops;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/** Gauges over the database, one series per flow: outbox depth and age, dead letters, feed freshness. */
@Component
class OpsMetricsBinder implements MeterBinder {

    private final OpsStatus status;

    OpsMetricsBinder(OpsStatus status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String flow : Flows.ALL) {
            gauge(registry, "jlm.klaviyo.outbox.pending", "Outbox rows waiting for delivery", flow, s -> s.pending());
            gauge(registry, "jlm.klaviyo.outbox.in.flight", "Outbox rows claimed for delivery", flow, s -> s.inFlight());
            gauge(registry, "jlm.klaviyo.outbox.oldest.pending.age.seconds", "Age of the oldest pending outbox row",
                    flow, s -> s.oldestPendingAgeSeconds() == null ? 0 : s.oldestPendingAgeSeconds());
            gauge(registry, "jlm.klaviyo.dead.letters", "Dead letters not yet replayed", flow, s -> s.deadLetters());
            gauge(registry, "jlm.klaviyo.feed.seconds.since.success", "Seconds since the flow's feed last polled JLM successfully",
                    flow, s -> s.secondsSinceLastPoll() == null ? Double.NaN : s.secondsSinceLastPoll());
            gauge(registry, "jlm.klaviyo.feed.consecutive.failures", "Failed polls in a row of the flow's feed",
                    flow, s -> s.consecutiveFailures());
        }
    }

    private void gauge(MeterRegistry registry, String name, String description, String flow,
                       ToDoubleFunction<OpsStatus.FlowStatus> value) {
        Gauge.builder(name, status, s -> value.applyAsDouble(s.flow(flow)))
                .description(description).tag("flow", flow).register(registry);
    }
}
