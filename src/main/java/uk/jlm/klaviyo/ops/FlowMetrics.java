package uk.jlm.klaviyo.ops;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * Our own counters and timers, all named {@code jlm_klaviyo_*} and tagged by {@code flow}
 * (DESIGN.md "Pinned behaviour", Actuator). Gauges read from the database live in {@link OpsMetricsBinder}.
 */
@Component
public class FlowMetrics {

    private final MeterRegistry registry;

    FlowMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Every flow's lag series exists from the start, so dashboards and alerts never see a missing metric.
        Flows.ALL.forEach(flow -> {
            lag(flow);
            retryAfter(flow);
            limiterWait(flow);
        });
    }

    public void detected(String flow, String metric) {
        Counter.builder("jlm.klaviyo.events.detected").description("Business events written to the outbox")
                .tag("flow", flow).tag("metric", metric).register(registry).increment();
    }

    /** A 2xx from Klaviyo; {@code lag} is JLM event time → Klaviyo acceptance. */
    public void delivered(String flow, String metric, Duration lag) {
        Counter.builder("jlm.klaviyo.events.delivered").description("Klaviyo requests accepted (2xx)")
                .tag("flow", flow).tag("metric", metric == null ? "none" : metric).register(registry).increment();
        lag(flow).record(lag.isNegative() ? Duration.ZERO : lag);
    }

    private Timer lag(String flow) {
        return Timer.builder("jlm.klaviyo.flow.lag").description("JLM event time to Klaviyo acceptance")
                .tag("flow", flow).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofDays(1))
                .register(registry);
    }

    public void klaviyoResponse(String flow, int status) {
        Counter.builder("jlm.klaviyo.klaviyo.responses").description("Klaviyo responses by HTTP status")
                .tag("flow", flow).tag("status", Integer.toString(status)).register(registry).increment();
    }

    public void retryAfterWait(String flow, Duration wait) {
        retryAfter(flow).record(wait);
    }

    public void rateLimiterWait(String flow, Duration wait) {
        limiterWait(flow).record(wait);
    }

    private Timer retryAfter(String flow) {
        return Timer.builder("jlm.klaviyo.retry.after.wait").description("Waits imposed by Klaviyo's Retry-After on 429")
                .tag("flow", flow).register(registry);
    }

    private Timer limiterWait(String flow) {
        return Timer.builder("jlm.klaviyo.rate.limiter.wait").description("Time requests waited in the client-side throttles")
                .tag("flow", flow).register(registry);
    }

    public void deadLettered(String flow, Integer status) {
        deadLettered(flow, status == null ? "io" : status >= 500 || status == 408 ? "retries-exhausted"
                : status == 429 ? "rate-limited" : "rejected-" + status);
    }

    /** {@code reasonClass}: io, retries-exhausted, rate-limited, rejected-&lt;status&gt;, job-error. */
    public void deadLettered(String flow, String reasonClass) {
        Counter.builder("jlm.klaviyo.deliveries.dead.lettered").description("Deliveries moved to the dead letters")
                .tag("flow", flow).tag("reason", reasonClass).register(registry).increment();
    }
}
