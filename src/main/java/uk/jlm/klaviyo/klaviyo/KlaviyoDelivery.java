package uk.jlm.klaviyo.klaviyo;

import java.time.Clock;
import java.time.Duration;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.KlaviyoProperties;
import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.ClaimedDelivery;
import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.Outbox;

/**
 * The outbox side of every {@code <flow>-delivery} route: a claimed row becomes the request body, a 2xx marks it
 * done at once, and what the {@code klaviyo-send} policy gives up on becomes a dead letter. A delivery cut short by
 * shutdown is handed back to the outbox instead, so nothing claimed is lost.
 */
@Component("klaviyoDelivery")
public class KlaviyoDelivery {

    public static final String DELIVERY = "delivery";

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(KlaviyoDelivery.class);

    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final FlowMetrics metrics;
    private final CamelContext camel;
    private final Clock clock;
    private final Duration giveUpAfter;
    private final Duration retryLater;

    KlaviyoDelivery(Outbox outbox, DeadLetters deadLetters, FlowMetrics metrics, CamelContext camel, Clock clock,
                    KlaviyoProperties klaviyo) {
        this.giveUpAfter = klaviyo.retry().giveUpAfter();
        this.retryLater = klaviyo.retry().retryLater();
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.camel = camel;
        this.clock = clock;
    }

    public void prepare(Exchange exchange) {
        ClaimedDelivery delivery = exchange.getMessage().getBody(ClaimedDelivery.class);
        exchange.setProperty(DELIVERY, delivery);
        exchange.setProperty(KlaviyoRequests.PATH, delivery.path());
        exchange.setProperty(KlaviyoRequests.FLOW, delivery.flow());
        exchange.setProperty("endpointClass", delivery.endpointClass().toLowerCase());
        exchange.getMessage().setBody(delivery.payload());
        MDC.put("flow", delivery.flow());
    }

    public void delivered(Exchange exchange) {
        ClaimedDelivery delivery = exchange.getProperty(DELIVERY, ClaimedDelivery.class);
        outbox.markDone(delivery.id());
        metrics.delivered(delivery.flow(), delivery.metric(), Duration.between(delivery.occurredAt(), clock.instant()));
        MDC.remove("flow");
    }

    public void failed(Exchange exchange) {
        MDC.remove("flow");
        DeliveryFailureHandler handler = exchange.getProperty(DeliveryFailureHandler.PROPERTY, DeliveryFailureHandler.class);
        if (handler != null) {
            // A bulk job: its handler knows the rows (on shutdown the claims are released by ClaimRelease).
            if (!camel.isStopping()) {
                handler.failed(exchange, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
            }
            return;
        }
        ClaimedDelivery delivery = exchange.getProperty(DELIVERY, ClaimedDelivery.class);
        if (delivery == null) {
            return;
        }
        if (camel.isStopping()) {
            outbox.requeue(delivery.id());
            return;
        }
        failed(delivery, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
    }

    /**
     * A delivery the redeliveries could not save. Klaviyo down or unreachable: the row waits in the outbox (not in a
     * thread), for hours if need be, until {@code klaviyo.retry.give-up-after}; anything else is a dead letter.
     */
    public void failed(ClaimedDelivery delivery, Throwable cause) {
        if (cause instanceof org.springframework.dao.DataAccessException) {
            // Our database, not Klaviyo, failed: the claim lease hands the row to the next claim once it is back.
            log.warn("outbox {} left claimed: database unavailable ({})", delivery.id(), cause.getClass().getSimpleName());
            return;
        }
        if (isTransient(cause) && clock.instant().isBefore(delivery.createdAt().plus(giveUpAfter))) {
            outbox.retryLater(delivery.id(), retryLater);
            return;
        }
        deadLetter(delivery, cause);
    }

    /** 5xx, 408 and I/O errors can succeed later; a 4xx rejection or an exhausted 429 budget will not by waiting. */
    public static boolean isTransient(Throwable cause) {
        return cause instanceof KlaviyoException.Unavailable || cause instanceof java.io.IOException;
    }

    /** Records a row that cannot be delivered, with the reason Klaviyo (or the network) gave. */
    public void deadLetter(ClaimedDelivery delivery, Throwable cause) {
        Integer status = cause instanceof KlaviyoException k ? Integer.valueOf(k.status()) : null;
        String reason = cause == null ? "unknown failure"
                : cause instanceof KlaviyoException ? cause.getMessage()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        deadLetters.deliveryFailed(delivery, reason, status);
        metrics.deadLettered(delivery.flow(), status);
    }
}
