package uk.jlm.klaviyo.klaviyo;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.KlaviyoProperties;
import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.ClaimedDelivery;
import uk.jlm.klaviyo.outbox.Outbox;

/**
 * The two ends of every Klaviyo call made by the shared endpoint routes ({@code klaviyo-*-endpoint}): headers in
 * (reference/klaviyo.md §1.1), and the response classified into the exceptions the {@code klaviyo-send} error
 * policy acts on. On 429 the {@code Retry-After} seconds become Camel's redelivery delay for that attempt.
 */
@Component("klaviyoRequests")
public class KlaviyoRequests {

    public static final String PATH = "klaviyoPath";
    public static final String FLOW = "flow";
    /** Exchange property: the HTTP method when not POST (reads such as GET /api/catalog-variants). */
    public static final String METHOD = "klaviyoMethod";
    /** Exchange property: the raw query string of a read. */
    public static final String QUERY = "klaviyoQuery";
    public static final String JSON_API = "application/vnd.api+json";
    private static final String THROTTLE_START = "klaviyoThrottleStart";

    private final KlaviyoProperties klaviyo;
    private final ObjectMapper json;
    private final FlowMetrics metrics;
    private final Outbox outbox;

    KlaviyoRequests(KlaviyoProperties klaviyo, ObjectMapper json, FlowMetrics metrics, Outbox outbox) {
        this.klaviyo = klaviyo;
        this.outbox = outbox;
        this.json = json;
        this.metrics = metrics;
    }

    public void prepare(Exchange exchange) {
        ClaimedDelivery delivery = exchange.getProperty(KlaviyoDelivery.DELIVERY, ClaimedDelivery.class);
        if (delivery != null) {
            outbox.countAttempt(delivery.id());
        }
        exchange.setProperty(THROTTLE_START, System.nanoTime());
        var message = exchange.getMessage();
        message.removeHeaders("*", "Camel*");
        message.removeHeaders("CamelHttp*");
        String method = exchange.getProperty(METHOD, "POST", String.class);
        message.setHeader(Exchange.HTTP_METHOD, method);
        message.setHeader(Exchange.HTTP_PATH, exchange.getProperty(PATH, String.class));
        String query = exchange.getProperty(QUERY, String.class);
        if (query != null) {
            message.setHeader(Exchange.HTTP_QUERY, query);
        }
        if ("GET".equals(method)) {
            message.setBody(null);
        } else {
            message.setHeader(Exchange.CONTENT_TYPE, JSON_API);
        }
        message.setHeader("Accept", JSON_API);
        message.setHeader("revision", klaviyo.revision());
        message.setHeader("Authorization", "Klaviyo-API-Key " + klaviyo.apiKey());
    }

    /** After the throttles: how long this request waited for the rate limiter. */
    public void throttled(Exchange exchange) {
        Long start = exchange.getProperty(THROTTLE_START, Long.class);
        if (start != null) {
            metrics.rateLimiterWait(exchange.getProperty(FLOW, "unknown", String.class),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    public void check(Exchange exchange) {
        var message = exchange.getMessage();
        message.removeHeader("Authorization");
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String flow = exchange.getProperty(FLOW, "unknown", String.class);
        metrics.klaviyoResponse(flow, status);
        if (status >= 200 && status < 300) {
            return;
        }
        String detail = "Klaviyo answered HTTP " + status + errorDetail(message.getBody(String.class));
        if (status == 429) {
            Duration wait = retryAfter(message.getHeader("Retry-After", String.class));
            metrics.retryAfterWait(flow, wait);
            message.setHeader(Exchange.REDELIVERY_DELAY, wait.toMillis());
            throw new KlaviyoException.RateLimited(detail + " (Retry-After " + wait.toSeconds() + "s)");
        }
        if (status == 408 || status >= 500) {
            message.removeHeader(Exchange.REDELIVERY_DELAY);
            throw new KlaviyoException.Unavailable(status, detail);
        }
        throw new KlaviyoException.Rejected(status, detail);
    }

    /** {@code Retry-After} is whole seconds on Klaviyo (reference/klaviyo.md §1.4); absent or odd → the default. */
    Duration retryAfter(String header) {
        try {
            long seconds = Long.parseLong(header == null ? "" : header.trim());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : klaviyo.retry().defaultRetryAfter();
        } catch (NumberFormatException e) {
            return klaviyo.retry().defaultRetryAfter();
        }
    }

    /** The JSON:API error's code and detail, for the dead letter's reason (reference/klaviyo.md §1.2). */
    private String errorDetail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode error = json.readTree(body).path("errors").path(0);
            if (error.isMissingNode()) {
                return "";
            }
            String pointer = error.path("source").path("pointer").asText("");
            return ": " + error.path("code").asText("") + " — " + error.path("detail").asText("")
                    + (pointer.isEmpty() ? "" : " at " + pointer);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
