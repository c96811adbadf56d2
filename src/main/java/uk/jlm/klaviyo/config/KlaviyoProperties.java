package uk.jlm.klaviyo.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Klaviyo connection, metric names, rate limits and retry policy; see DESIGN.md and reference/klaviyo.md §1. */
@ConfigurationProperties("klaviyo")
public record KlaviyoProperties(
        String baseUrl,
        String apiKey,
        String revision,
        Metrics metrics,
        Retry retry) {

    public record Metrics(
            String placedOrder,
            String orderedProduct,
            String fulfilledOrder,
            String deliveredOrder,
            String cancelledOrder,
            String refundedOrder,
            String returnedOrder) {
    }

    /** Only what Java reads; the redelivery counts and delays are read by the {@code klaviyo-send} policy. */
    public record Retry(Duration defaultRetryAfter, Duration retryLater, Duration giveUpAfter) {
    }
}
