package uk.jlm.klaviyo.jlm;

import java.time.Clock;
import java.time.Instant;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.FlowsProperties;
import uk.jlm.klaviyo.config.JlmProperties;
import uk.jlm.klaviyo.outbox.DeadLetters;

/**
 * The poll cycle every JLM feed route shares: {@link #due} takes the feed's lease when its interval has passed,
 * {@link #committed} moves the watermark to the window's fixed end once every page is in, and {@link #failed}
 * (the {@code jlm-poll} error policy) records the failure without moving the watermark.
 * Routes set exchange property {@code feed} to the feed's name.
 */
@Component
public class FeedPolls {

    public static final String FEED = "feed";
    public static final String POLL_STARTED = "pollStarted";
    public static final String WINDOW_START = "windowStart";
    public static final String WINDOW_END = "windowEnd";

    /** A failed backfill page is tried again after this pause. */
    private static final java.time.Duration BACKFILL_RETRY = java.time.Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(FeedPolls.class);

    private final FeedState state;
    private final FlowsProperties flows;
    private final JlmProperties jlm;
    private final DeadLetters deadLetters;
    private final Clock clock;

    FeedPolls(FeedState state, FlowsProperties flows, JlmProperties jlm, DeadLetters deadLetters, Clock clock) {
        this.state = state;
        this.flows = flows;
        this.jlm = jlm;
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    public boolean due(Exchange exchange) {
        String feed = exchange.getProperty(FEED, String.class);
        if (!state.acquire(feed)) {
            return false;
        }
        exchange.setProperty(POLL_STARTED, clock.instant());
        return true;
    }

    /** The poll is alive (about to request another page): its lease is renewed. */
    public void heartbeat(Exchange exchange) {
        state.extend(exchange.getProperty(FEED, String.class));
    }

    /** The window to read: from watermark − overlap (or now − initial lookback on first start) to a fixed end. */
    public void openWindow(Exchange exchange, java.time.Duration overlap, java.time.Duration endLag) {
        String feed = exchange.getProperty(FEED, String.class);
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant from = state.watermark(feed).orElse(now.minus(flows.initialLookback())).minus(overlap);
        exchange.setProperty(WINDOW_START, from);
        exchange.setProperty(WINDOW_END, now.minus(endLag));
    }

    public void committed(Exchange exchange) {
        String feed = exchange.getProperty(FEED, String.class);
        Instant windowEnd = exchange.getProperty(WINDOW_END, Instant.class);
        state.commit(feed, windowEnd != null ? windowEnd : clock.instant());
        release(exchange, feed);
    }

    public void failed(Exchange exchange) {
        String feed = exchange.getProperty(FEED, String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = describe(cause);
        log.warn("{} poll failed, watermark kept: {}", feed, reason);
        try {
            state.recordFailure(feed, reason);
            if (cause instanceof MalformedJlmResponseException) {
                deadLetters.inputRejected(feed, feed + "-page:" + exchange.getProperty(WINDOW_START) + ":"
                        + exchange.getProperty("offset", "", String.class), reason, exchange.getMessage().getBody(String.class));
            }
            release(exchange, feed);
        } catch (org.springframework.dao.DataAccessException e) {
            // The database itself is down: nothing to record now. This instance takes its lease back on its next tick
            // once the database is there again (FeedState.acquire), so the feed does not wait out a stuck-poll lease.
            log.warn("{} poll failure not recorded, database unavailable: {}", feed, e.getClass().getSimpleName());
        }
    }

    private void release(Exchange exchange, String feed) {
        Instant started = exchange.getProperty(POLL_STARTED, Instant.class);
        if (started != null) {
            state.release(feed, started, interval(feed));
        }
    }

    private java.time.Duration interval(String feed) {
        return switch (feed) {
            case "reasons" -> jlm.reasons().refreshInterval();
            case "backfill" -> BACKFILL_RETRY;
            default -> flows.feed(feed).interval();
        };
    }

    /** A failure reason fit for logs and the status page: the HTTP status, never request headers. */
    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown failure";
        }
        if (cause instanceof org.apache.camel.http.base.HttpOperationFailedException http) {
            return "JLM answered HTTP " + http.getStatusCode();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
