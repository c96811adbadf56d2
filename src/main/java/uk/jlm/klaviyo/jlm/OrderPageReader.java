package uk.jlm.klaviyo.jlm;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

/**
 * Reads one OR11 page ({@code {"orders":[…],"total_count":N}}) and checks each order against the fields this
 * integration relies on. A page that is not JSON fails as a whole; a bad order is returned as rejected, with its
 * reason, so the rest of the page proceeds.
 */
@Component
public class OrderPageReader {

    public record Rejected(String orderId, String reason, String rawJson) {
    }

    public record OrderPage(List<ReadOrder> orders, List<Rejected> rejected, int size, long totalCount) {
    }

    private final ObjectMapper json;

    OrderPageReader(ObjectMapper json) {
        this.json = json;
    }

    public OrderPage read(String body) {
        JsonNode page;
        try {
            page = json.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new MalformedJlmResponseException("OR11 page is not JSON: " + e.getOriginalMessage());
        }
        if (page == null || !page.path("orders").isArray()) {
            throw new MalformedJlmResponseException("OR11 page has no orders[] array");
        }
        JsonNode orders = page.get("orders");
        long total = page.path("total_count").canConvertToLong() ? page.get("total_count").asLong() : -1;
        List<ReadOrder> good = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        for (JsonNode node : orders) {
            String raw = node.toString();
            String id = node.path("order_id").isTextual() ? node.get("order_id").asText() : "(no order_id)";
            String problem = contractProblem(node);
            if (problem != null) {
                rejected.add(new Rejected(id, problem, raw));
                continue;
            }
            try {
                good.add(new ReadOrder(json.treeToValue(node, MiraklOrder.class), raw));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                rejected.add(new Rejected(id, "order does not follow the OR11 schema: " + e.getMessage(), raw));
            }
        }
        return new OrderPage(good, rejected, orders.size(), total);
    }

    /** The OR11 fields we cannot work without (reference/mirakl.md §4.1, §4.4); null when the order is usable. */
    public static String contractProblem(JsonNode order) {
        if (!order.isObject()) {
            return "order is not a JSON object";
        }
        for (String field : List.of("order_id", "order_state", "last_updated_date", "created_date", "currency_iso_code")) {
            if (!order.path(field).isTextual() || order.get(field).asText().isBlank()) {
                return "missing required field " + field;
            }
        }
        if (!OrderStates.ORDER.contains(order.get("order_state").asText())) {
            return "unknown order_state " + order.get("order_state").asText();
        }
        if (!order.path("customer").isObject()) {
            return "missing required field customer";
        }
        JsonNode lines = order.path("order_lines");
        if (!lines.isArray() || lines.isEmpty()) {
            return "missing required field order_lines";
        }
        for (JsonNode line : lines) {
            if (!line.path("order_line_id").isTextual()) {
                return "order line without order_line_id";
            }
            String state = line.path("order_line_state").asText("");
            if (!OrderStates.LINE.contains(state)) {
                return "unknown order_line_state '" + state + "' on line " + line.get("order_line_id").asText();
            }
        }
        return null;
    }
}
