package uk.jlm.klaviyo.ops;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code feeds}: DOWN while a feed is FAILING or STALE (see {@link OpsStatus}), with each flow's state as detail.
 * It is deliberately not in the liveness or readiness group: a JLM outage must not restart or unroute the pod.
 */
@Component("feeds")
class FeedsHealth implements HealthIndicator {

    private final OpsStatus status;

    FeedsHealth(OpsStatus status) {
        this.status = status;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        for (OpsStatus.FlowStatus flow : status.all().values()) {
            health.withDetail(flow.flow(), flow.state());
            if ("FAILING".equals(flow.state()) || "STALE".equals(flow.state())) {
                health.down();
            }
        }
        return health.build();
    }
}
