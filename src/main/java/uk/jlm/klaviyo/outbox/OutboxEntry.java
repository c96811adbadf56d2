package uk.jlm.klaviyo.outbox;

import java.time.OffsetDateTime;

import uk.jlm.klaviyo.klaviyo.EndpointClass;

/**
 * A Klaviyo request waiting in the outbox. {@code dedupeKey} is unique per flow, so re-detecting the same
 * transition can never queue it twice.
 */
public record OutboxEntry(
        String flow,
        String dedupeKey,
        EndpointClass endpoint,
        String path,
        String metric,
        String orderId,
        String payload,
        OffsetDateTime occurredAt) {
}
