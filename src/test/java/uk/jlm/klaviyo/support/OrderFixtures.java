package uk.jlm.klaviyo.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * OR11 orders for tests, built from the fixture files under {@code src/test/resources/jlm/orders/} (written from the
 * Mirakl schema) and changed step by step the way JLM changes an order over its life.
 */
public final class OrderFixtures {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode order;

    private OrderFixtures(ObjectNode order) {
        this.order = order;
    }

    /** The two-line SHIPPING order of {@code placed-shipping.json}, renamed to {@code orderId}. */
    public static OrderFixtures placed(String orderId) {
        return fixture("placed-shipping").id(orderId);
    }

    public static OrderFixtures fixture(String name) {
        try (InputStream in = OrderFixtures.class.getResourceAsStream("/jlm/orders/" + name + ".json")) {
            return new OrderFixtures((ObjectNode) JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String resource(String path) {
        try (InputStream in = OrderFixtures.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public OrderFixtures id(String orderId) {
        String old = order.get("order_id").asText();
        order.put("order_id", orderId);
        order.put("commercial_id", orderId.replaceAll("-[A-Z]$", ""));
        for (var line : lines()) {
            ((ObjectNode) line).put("order_line_id", line.get("order_line_id").asText().replace(old, orderId));
        }
        return this;
    }

    public OrderFixtures state(String state) {
        order.put("order_state", state);
        lines().forEach(l -> ((ObjectNode) l).put("order_line_state", state));
        return this;
    }

    public OrderFixtures updated(String isoTime) {
        order.put("last_updated_date", isoTime);
        return this;
    }

    public OrderFixtures lineState(int index, String state) {
        line(index).put("order_line_state", state);
        return this;
    }

    public OrderFixtures shipped(String isoTime, String tracking, String carrierName, String carrierCode) {
        state("SHIPPED");
        lines().forEach(l -> ((ObjectNode) l).put("shipped_date", isoTime));
        if (tracking == null) {
            order.putNull("shipping_tracking");
            order.putNull("shipping_tracking_url");
        } else {
            order.put("shipping_tracking", tracking);
            order.put("shipping_tracking_url", "https://track.example.invalid/" + tracking);
        }
        if (carrierName == null) {
            order.putNull("shipping_company");
        } else {
            order.put("shipping_company", carrierName);
        }
        if (carrierCode == null) {
            order.putNull("shipping_carrier_code");
        } else {
            order.put("shipping_carrier_code", carrierCode);
        }
        return this;
    }

    public OrderFixtures received(String isoTime) {
        state("RECEIVED");
        lines().forEach(l -> ((ObjectNode) l).put("received_date", isoTime));
        return this;
    }

    public OrderFixtures cancel(int lineIndex, String cancelationId, String amount, String reasonCode, String isoTime) {
        ObjectNode c = line(lineIndex).withArray("cancelations").addObject();
        c.put("id", cancelationId);
        c.put("created_date", isoTime);
        c.put("amount", new BigDecimal(amount));
        c.put("shipping_amount", BigDecimal.ZERO);
        c.put("quantity", 1);
        if (reasonCode != null) {
            c.put("reason_code", reasonCode);
        }
        c.putArray("taxes");
        commission(c);
        return this;
    }

    public OrderFixtures refund(int lineIndex, String refundId, String amount, String state, String isoTime) {
        ObjectNode r = line(lineIndex).withArray("refunds").addObject();
        r.put("id", refundId);
        r.put("created_date", isoTime);
        if (amount != null) {
            r.put("amount", new BigDecimal(amount));
        }
        r.put("shipping_amount", BigDecimal.ZERO);
        r.put("quantity", 1);
        r.put("reason_code", "RF-RET");
        r.put("refund_state", state);
        r.put("state", state);
        r.put("transaction_date", isoTime);
        r.put("order_refund_id", "group-" + refundId);
        r.putArray("taxes");
        commission(r);
        r.put("commission_tax_amount", BigDecimal.ZERO);
        return this;
    }

    /** The commission fields OR11 requires on every cancellation and refund. */
    private static void commission(ObjectNode adjustment) {
        adjustment.put("commission_amount", BigDecimal.ZERO);
        adjustment.put("commission_total_amount", BigDecimal.ZERO);
        adjustment.putArray("commission_taxes");
    }

    public OrderFixtures set(String field, String value) {
        order.put(field, value);
        return this;
    }

    public OrderFixtures set(String field, boolean value) {
        order.put(field, value);
        return this;
    }

    public OrderFixtures remove(String field) {
        order.remove(field);
        return this;
    }

    public ObjectNode line(int index) {
        return (ObjectNode) lines().get(index);
    }

    private ArrayNode lines() {
        return (ArrayNode) order.get("order_lines");
    }

    public ObjectNode json() {
        return order.deepCopy();
    }

    /** An OR11 page: {@code {"orders":[…],"total_count":N}}. */
    public static String page(List<ObjectNode> orders, long totalCount) {
        ObjectNode page = JSON.createObjectNode();
        page.putArray("orders").addAll(orders);
        page.put("total_count", totalCount);
        return page.toString();
    }

    public static String page(OrderFixtures... orders) {
        List<ObjectNode> all = java.util.Arrays.stream(orders).map(OrderFixtures::json).toList();
        return page(all, all.size());
    }
}
