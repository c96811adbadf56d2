package uk.jlm.klaviyo.consent;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;

/** One consent decision read from JLM: the consent feed or an order's consent custom field. */
record ConsentChange(String customerId, String email, boolean acceptsMarketing, OffsetDateTime at, String source,
                     String rawJson) {

    /**
     * A consent-feed record ({@code customer_id, email, accepts_marketing, updated_at}). Unknown consent (no boolean)
     * or an unreadable time both leave {@code at} empty: the ledger dead-letters it, it never subscribes anyone.
     */
    static ConsentChange fromFeed(JsonNode customer) {
        JsonNode accepts = customer.path("accepts_marketing");
        return new ConsentChange(customer.path("customer_id").asText(null), customer.path("email").asText(null),
                accepts.isBoolean() && accepts.booleanValue(),
                accepts.isBoolean() ? time(customer.path("updated_at").asText(null)) : null, "feed", customer.toString());
    }

    private static OffsetDateTime time(String text) {
        try {
            return text == null ? null : OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
