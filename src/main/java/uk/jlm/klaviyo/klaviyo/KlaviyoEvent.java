package uk.jlm.klaviyo.klaviyo;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Klaviyo event, ready to become a {@code POST /api/events} body (EventCreateQueryV2, reference/klaviyo.md §2.2).
 * {@code uniqueId} deduplicates per profile and metric (§2.3), which is what makes redelivery safe.
 */
public record KlaviyoEvent(
        String metric,
        KlaviyoProfile profile,
        Map<String, Object> properties,
        OffsetDateTime time,
        BigDecimal value,
        String valueCurrency,
        String uniqueId,
        boolean backfill) {

    /** ISO-8601 with seconds and an explicit offset: {@code OffsetDateTime.toString()} drops zero seconds. */
    public static String formatTime(OffsetDateTime time) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                time.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS));
    }

    /** The attributes shared by the single-event and the bulk-job shapes. */
    public ObjectNode attributes(ObjectMapper json) {
        ObjectNode attributes = json.createObjectNode();
        attributes.set("properties", json.valueToTree(properties));
        if (time != null) {
            attributes.put("time", formatTime(time));
        }
        if (value != null) {
            attributes.put("value", value);
        }
        if (valueCurrency != null) {
            attributes.put("value_currency", valueCurrency);
        }
        attributes.put("unique_id", uniqueId);
        if (backfill) {
            attributes.put("backfill", true);
        }
        ObjectNode metricData = attributes.putObject("metric").putObject("data");
        metricData.put("type", "metric");
        metricData.putObject("attributes").put("name", metric);
        return attributes;
    }

    /** The {@code POST /api/events} request body. */
    public ObjectNode toRequestBody(ObjectMapper json) {
        ObjectNode body = json.createObjectNode();
        ObjectNode data = body.putObject("data");
        data.put("type", "event");
        ObjectNode attributes = attributes(json);
        ObjectNode profileData = attributes.putObject("profile").putObject("data");
        profileData.put("type", "profile");
        profileData.set("attributes", profile.attributes(json));
        data.set("attributes", attributes);
        return body;
    }
}
