package uk.jlm.klaviyo.outbox;

import java.time.Instant;

/** An outbox row claimed by this instance for delivery. */
public record ClaimedDelivery(long id, String flow, String endpointClass, String path, String metric,
                              String payload, Instant occurredAt, Instant createdAt) {
}
