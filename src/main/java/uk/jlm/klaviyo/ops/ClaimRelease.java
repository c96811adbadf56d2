package uk.jlm.klaviyo.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import uk.jlm.klaviyo.jlm.FeedState;
import uk.jlm.klaviyo.outbox.Outbox;

/**
 * Claims and leases across restarts. After Camel has stopped its routes on SIGTERM, hands back whatever this instance
 * still had claimed. At start, before any route runs, hands back what a killed previous life of this process left:
 * on an H2 file database (one process at a time) everything claimed or leased; with a configured {@code INSTANCE_ID}
 * what that id holds. Otherwise a dead instance's claims wait for their lease ({@code delivery.claim-lease}).
 */
@Component
class ClaimRelease extends LifecycleStrategySupport {

    private static final Logger log = LoggerFactory.getLogger(ClaimRelease.class);

    private final Outbox outbox;

    ClaimRelease(Outbox outbox, FeedState feeds, CamelContext camel, InstanceId instance,
                 @Value("${spring.datasource.url}") String url, @Value("${instance.id:}") String configuredId) {
        this.outbox = outbox;
        camel.addLifecycleStrategy(this);
        boolean exclusive = url.startsWith("jdbc:h2:file:") && !url.toUpperCase().contains("AUTO_SERVER=TRUE");
        if (exclusive || StringUtils.hasText(configuredId)) {
            String owner = exclusive ? null : instance.value();
            int claims = outbox.releaseClaimsLeftBy(owner);
            int leases = feeds.releaseLeasesLeftBy(owner);
            if (claims + leases > 0) {
                log.info("released {} deliveries and {} feed leases left by a previous run of this instance", claims,
                        leases);
            }
        }
    }

    @Override
    public void onContextStopped(CamelContext context) {
        int released = outbox.releaseClaims();
        if (released > 0) {
            log.info("released {} claimed deliveries back to the outbox", released);
        }
    }
}
