package uk.jlm.klaviyo.backfill;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Parses a backfill's {@code since}: an ISO-8601 date-time with offset, a UTC date-time, or a date (UTC midnight). */
public final class Since {

    private Since() {
    }

    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("since is required, e.g. 2024-01-01 or 2024-01-01T00:00:00Z");
        }
        String value = text.strip();
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notLocal) {
                try {
                    return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException notDate) {
                    throw new IllegalArgumentException("since '" + value + "' is not an ISO-8601 date or date-time, "
                            + "e.g. 2024-01-01 or 2024-01-01T00:00:00Z");
                }
            }
        }
    }
}
