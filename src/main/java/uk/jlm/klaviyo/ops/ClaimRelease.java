package uk.jlm.klaviyo.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.outbox.Outbox;

/** After Camel has stopped its routes on SIGTERM, hands back whatever this instance still had claimed. */
@Component
class ClaimRelease extends LifecycleStrategySupport {

    private static final Logger log = LoggerFactory.getLogger(ClaimRelease.class);

    private final Outbox outbox;

    ClaimRelease(Outbox outbox, CamelContext camel) {
        this.outbox = outbox;
        camel.addLifecycleStrategy(this);
    }

    @Override
    public void onContextStopped(CamelContext context) {
        int released = outbox.releaseClaims();
        if (released > 0) {
            log.info("released {} claimed deliveries back to the outbox", released);
        }
    }
}
