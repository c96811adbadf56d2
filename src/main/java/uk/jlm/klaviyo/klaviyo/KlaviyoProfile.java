package uk.jlm.klaviyo.klaviyo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Profile identity sent with every event: {@code email} = JLM's {@code customer_notification_email} relay,
 * {@code external_id} = JLM {@code customer_id} (DESIGN.md "Klaviyo mapping").
 */
public record KlaviyoProfile(String email, String externalId, String firstName, String lastName, String locale) {

    public boolean identified() {
        return (email != null && !email.isBlank()) || (externalId != null && !externalId.isBlank());
    }

    public ObjectNode attributes(ObjectMapper json) {
        ObjectNode attributes = json.createObjectNode();
        putIfPresent(attributes, "email", email);
        putIfPresent(attributes, "external_id", externalId);
        putIfPresent(attributes, "first_name", firstName);
        putIfPresent(attributes, "last_name", lastName);
        putIfPresent(attributes, "locale", locale);
        return attributes;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null && !value.isBlank()) {
            node.put(field, value);
        }
    }
}
