package uk.jlm.klaviyo.dispatch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.JlmProperties;
import uk.jlm.klaviyo.jlm.JlmRequests;
import uk.jlm.klaviyo.jlm.MalformedJlmResponseException;

/**
 * Multi-shipment shops (PC01 {@code features.shipment.multi_shipment}) have no tracking on the order: it lives on
 * ST11 shipments (reference/mirakl.md §7). With {@code jlm.shipments.multi-shipment=true}, a Fulfilled Order is
 * completed from {@code GET /api/shipments?order_id=<id>} just before it is sent — one call per dispatched order,
 * like a shipment page view. If JLM cannot answer, the delivery fails and is retried or dead-lettered, never sent
 * without its tracking.
 */
@Component("shipmentTracking")
class ShipmentTracking {

    private final boolean multiShipment;
    private final String fulfilledMetric;
    private final String shipmentsUrl;
    private final JlmRequests requests;
    private final ProducerTemplate producer;
    private final ObjectMapper json;

    ShipmentTracking(@Value("${jlm.shipments.multi-shipment}") boolean multiShipment,
                     @Value("${klaviyo.metrics.fulfilled-order}") String fulfilledMetric, JlmProperties jlm,
                     JlmRequests requests, ProducerTemplate producer, ObjectMapper json) {
        this.multiShipment = multiShipment;
        this.fulfilledMetric = fulfilledMetric;
        this.shipmentsUrl = (jlm.baseUrl() == null ? "" : jlm.baseUrl().replaceAll("/+$", "")) + "/api/shipments";
        this.requests = requests;
        this.producer = producer;
        this.json = json;
    }

    public void enrich(Exchange exchange) throws IOException {
        if (!multiShipment) {
            return;
        }
        ObjectNode event = (ObjectNode) json.readTree(exchange.getMessage().getBody(String.class));
        ObjectNode attributes = (ObjectNode) event.path("data").path("attributes");
        if (!fulfilledMetric.equals(attributes.at("/metric/data/attributes/name").asText())) {
            return;
        }
        ObjectNode properties = (ObjectNode) attributes.get("properties");
        List<JsonNode> shipments = shipments(properties.path("OrderId").asText());
        if (shipments.isEmpty()) {
            return;
        }
        JsonNode latest = shipments.get(shipments.size() - 1).path("tracking");
        properties.put("TrackingNumber", latest.path("tracking_number").asText(null));
        properties.put("TrackingUrl", latest.path("tracking_url").asText(null));
        String code = latest.path("carrier_code").asText(null);
        properties.put("Carrier", latest.hasNonNull("carrier_name") ? latest.get("carrier_name").asText() : code);
        properties.put("CarrierCode", code);
        ArrayNode all = properties.putArray("Shipments");
        for (JsonNode shipment : shipments) {
            JsonNode tracking = shipment.path("tracking");
            ObjectNode item = all.addObject();
            item.put("ShipmentId", shipment.path("id").asText());
            item.put("ShippedDate", shipment.path("shipped_date").asText(null));
            item.put("TrackingNumber", tracking.path("tracking_number").asText(null));
            item.put("TrackingUrl", tracking.path("tracking_url").asText(null));
            item.put("Carrier", tracking.hasNonNull("carrier_name") ? tracking.get("carrier_name").asText()
                    : tracking.path("carrier_code").asText(null));
            ArrayNode lines = item.putArray("OrderLineIds");
            shipment.path("shipment_lines").forEach(l -> lines.add(l.path("order_line_id").asText()));
        }
        exchange.getMessage().setBody(event.toString());
    }

    /** The order's shipments that carry tracking, oldest first. */
    private List<JsonNode> shipments(String orderId) throws IOException {
        Exchange response = producer.request(shipmentsUrl, e -> requests.prepare(e, Map.of("order_id", orderId)));
        if (response.getException() != null) {
            throw new IOException("ST11 shipments of order " + orderId + " unavailable: "
                    + response.getException().getMessage(), response.getException());
        }
        JsonNode page = json.readTree(response.getMessage().getBody(String.class));
        if (page == null || !page.path("data").isArray()) {
            throw new MalformedJlmResponseException("ST11 response has no data[] array");
        }
        List<JsonNode> shipments = new ArrayList<>();
        page.get("data").forEach(s -> {
            if (s.path("tracking").hasNonNull("tracking_number")) {
                shipments.add(s);
            }
        });
        shipments.sort(Comparator.comparing(s -> s.path("shipped_date").asText(s.path("created_date").asText(""))));
        return shipments;
    }
}
