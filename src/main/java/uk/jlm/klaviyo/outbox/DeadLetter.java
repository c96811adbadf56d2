package uk.jlm.klaviyo.outbox;

import java.time.Instant;

public record DeadLetter(long id, String flow, String kind, String reason, Integer httpStatus, int attempts,
                         Long outboxId, String sourceRef, String payload, Instant createdAt) {
}
