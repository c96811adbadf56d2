package uk.jlm.klaviyo.demo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Demo profile only: a JLM (Mirakl) sandbox serving OR11 and RE01 from orders it invents as time passes. Orders
 * are placed, dispatched with tracking, delivered, sometimes cancelled (fully or per line) or refunded, so every
 * order-derived flow has something to do; a month of older orders is there for the backfill (creation-date queries). Payloads follow the OR11 schema.
 */
@Profile("demo")
@RestController
@RequestMapping("/sandbox/jlm/api")
class DemoJlmSandbox {

    private static final String[] PRODUCTS = {"Stoneware Mug, Blue", "Wool Throw, Grey", "Cotton Jumper, Red, M",
            "Oak Side Table", "Linen Cushion, Sage", "Glass Vase, Clear"};
    private static final String[] CATEGORIES = {"Kitchen", "Home", "Knitwear", "Furniture", "Home", "Home"};
    private static final BigDecimal[] PRICES = {new BigDecimal("24.99"), new BigDecimal("49.99"),
            new BigDecimal("29.99"), new BigDecimal("129.00"), new BigDecimal("19.50"), new BigDecimal("35.00")};

    private final ObjectMapper json;
    private final Clock clock;
    private final Duration orderEvery;
    private final String apiKey;
    private final Random random = new Random(7);
    private static final int HISTORY = 600;

    private final List<DemoOrder> orders = new ArrayList<>();
    private final List<DemoOrder> history = new ArrayList<>();
    private Instant lastGenerated;
    private int sequence;

    DemoJlmSandbox(ObjectMapper json, Clock clock, @Value("${demo.orders-per-minute}") int ordersPerMinute,
                   @Value("${jlm.api-key}") String apiKey) {
        this.json = json;
        this.clock = clock;
        this.orderEvery = Duration.ofMillis(60_000L / Math.max(1, ordersPerMinute));
        this.apiKey = apiKey;
        this.lastGenerated = clock.instant().minus(Duration.ofMinutes(2));
        // A month of history (2 to 32 days old, in its final state) for the backfill to find.
        Instant start = clock.instant().minus(Duration.ofDays(32));
        for (int i = 0; i < HISTORY; i++) {
            history.add(new DemoOrder(String.format("HIST%06d-A", i + 1), start.plus(Duration.ofDays(30)
                    .multipliedBy(i).dividedBy(HISTORY))));
        }
    }

    /** One invented order and the script of what will happen to it. */
    private final class DemoOrder {
        final String id;
        final Instant created;
        final int[] products;
        final int[] quantities;
        final int fate = random.nextInt(100);

        DemoOrder(String id, Instant created) {
            this.id = id;
            this.created = created;
            int lines = 1 + random.nextInt(3);
            products = new int[lines];
            quantities = new int[lines];
            for (int i = 0; i < lines; i++) {
                products[i] = random.nextInt(PRODUCTS.length);
                quantities[i] = 1 + random.nextInt(2);
            }
        }

        long age(Instant now) {
            return Duration.between(created, now).toSeconds();
        }

        /** Seconds after creation: placed at 5, dispatched at 25, delivered at 50, refunded at 70. */
        Instant lastUpdated(Instant now) {
            long age = age(now);
            long step = age >= 70 && fate < 15 ? 70 : age >= 50 ? 50 : age >= 25 ? 25 : age >= 5 ? 5 : 0;
            if (fate >= 85 && fate < 92 && age >= 15) {
                step = 15;
            }
            if (fate >= 92 && age >= 12) {
                step = Math.max(step, 12);
            }
            return created.plusSeconds(step);
        }

        ObjectNode toJson(Instant now) {
            long age = age(now);
            boolean fullyCancelled = fate >= 85 && fate < 92 && age >= 15;
            boolean partlyCancelled = fate >= 92 && age >= 12 && products.length > 1;
            String state = fullyCancelled ? "CANCELED" : age >= 50 ? "RECEIVED" : age >= 25 ? "SHIPPED"
                    : age >= 5 ? "SHIPPING" : "WAITING_ACCEPTANCE";
            ObjectNode order = json.createObjectNode();
            order.put("order_id", id);
            order.put("commercial_id", id.substring(0, id.length() - 2));
            order.put("created_date", created.toString());
            order.put("last_updated_date", lastUpdated(now).toString());
            order.put("order_state", state);
            order.put("currency_iso_code", "GBP");
            order.put("order_tax_mode", "TAX_INCLUDED");
            order.put("customer_notification_email", "notification+" + id.toLowerCase() + "@demo.jlm-klaviyo.invalid");
            ObjectNode customer = order.putObject("customer");
            customer.put("customer_id", "CUST-" + (1000 + Math.abs(id.hashCode() % 500)));
            customer.put("firstname", "Demo");
            customer.put("lastname", "Customer " + id.substring(4, 8));
            customer.put("locale", "en_GB");
            BigDecimal total = BigDecimal.ZERO;
            ArrayNode lines = order.putArray("order_lines");
            for (int i = 0; i < products.length; i++) {
                int p = products[i];
                BigDecimal price = PRICES[p].multiply(BigDecimal.valueOf(quantities[i]));
                total = total.add(price);
                ObjectNode line = lines.addObject();
                String lineId = id + "-" + (i + 1);
                boolean cancelled = fullyCancelled || (partlyCancelled && i == products.length - 1);
                line.put("order_line_id", lineId);
                line.put("order_line_index", i + 1);
                line.put("order_line_state", cancelled ? "CANCELED" : state);
                line.put("offer_sku", "DEMO-SKU-" + p);
                line.put("product_sku", "MKP00000" + p);
                line.put("product_title", PRODUCTS[p]);
                line.put("category_code", CATEGORIES[p].toLowerCase());
                line.put("category_label", CATEGORIES[p]);
                line.put("quantity", quantities[i]);
                line.put("price_unit", PRICES[p]);
                line.put("price", price);
                line.put("shipping_price", BigDecimal.ZERO);
                line.put("total_price", price);
                line.put("created_date", created.toString());
                line.put("last_updated_date", lastUpdated(now).toString());
                line.putArray("product_medias").addObject().put("media_url", "/media/product/image/demo-" + p)
                        .put("mime_type", "JPEG").put("type", "LARGE");
                if (!cancelled && age >= 25 && !fullyCancelled) {
                    line.put("shipped_date", created.plusSeconds(25).toString());
                } else {
                    line.putNull("shipped_date");
                }
                if (!cancelled && age >= 50) {
                    line.put("received_date", created.plusSeconds(50).toString());
                } else {
                    line.putNull("received_date");
                }
                ArrayNode cancelations = line.putArray("cancelations");
                if (cancelled) {
                    ObjectNode c = cancelations.addObject();
                    c.put("id", "C" + id.hashCode() + i);
                    c.put("created_date", created.plusSeconds(fullyCancelled ? 15 : 12).toString());
                    c.put("amount", price);
                    c.put("shipping_amount", BigDecimal.ZERO);
                    c.put("quantity", quantities[i]);
                    c.put("reason_code", fullyCancelled ? "34" : "15");
                }
                ArrayNode refunds = line.putArray("refunds");
                if (fate < 15 && age >= 70 && i == 0) {
                    ObjectNode r = refunds.addObject();
                    r.put("id", "R" + Math.abs(id.hashCode()));
                    r.put("created_date", created.plusSeconds(70).toString());
                    r.put("amount", PRICES[p]);
                    r.put("shipping_amount", BigDecimal.ZERO);
                    r.put("quantity", 1);
                    r.put("reason_code", "17");
                    r.put("refund_state", "REFUNDED");
                    r.put("transaction_date", created.plusSeconds(70).toString());
                }
            }
            order.put("price", total);
            order.put("shipping_price", BigDecimal.ZERO);
            order.put("total_price", total.setScale(2, RoundingMode.HALF_UP));
            order.put("fully_refunded", false);
            if (age >= 25 && !fullyCancelled) {
                order.put("shipping_company", "Royal Mail");
                order.put("shipping_carrier_code", "ROYAL_MAIL");
                order.put("shipping_tracking", "RM" + Math.abs(id.hashCode()) + "GB");
                order.put("shipping_tracking_url", "https://www.royalmail.com/track-your-item#/tracking-results/RM"
                        + Math.abs(id.hashCode()) + "GB");
            }
            order.putArray("order_additional_fields");
            return order;
        }
    }

    private synchronized void generate(Instant now) {
        while (!lastGenerated.plus(orderEvery).isAfter(now)) {
            lastGenerated = lastGenerated.plus(orderEvery);
            sequence++;
            orders.add(new DemoOrder(String.format("DEMO%06d-A", sequence), lastGenerated));
        }
        orders.removeIf(o -> o.age(now) > 3600);
    }

    /** OR11 by update date (the live feed) or by creation date (the backfill, which also sees the history). */
    @GetMapping("/orders")
    synchronized ResponseEntity<ObjectNode> orders(@RequestHeader(value = "Authorization", required = false) String key,
                                                   @RequestParam(name = "start_update_date", required = false) OffsetDateTime from,
                                                   @RequestParam(name = "end_update_date", required = false) OffsetDateTime to,
                                                   @RequestParam(name = "start_date", required = false) OffsetDateTime createdFrom,
                                                   @RequestParam(name = "end_date", required = false) OffsetDateTime createdTo,
                                                   @RequestParam(defaultValue = "0") int offset,
                                                   @RequestParam(defaultValue = "10") int max) {
        if (!apiKey.equals(key)) {
            return ResponseEntity.status(401).build();
        }
        Instant now = clock.instant();
        generate(now);
        java.util.stream.Stream<DemoOrder> all = java.util.stream.Stream.concat(history.stream(), orders.stream());
        if (from != null) {
            all = all.filter(o -> !o.lastUpdated(now).isBefore(from.toInstant()));
        }
        if (to != null) {
            all = all.filter(o -> !o.lastUpdated(now).isAfter(to.toInstant()));
        }
        if (createdFrom != null) {
            all = all.filter(o -> !o.created.isBefore(createdFrom.toInstant()));
        }
        if (createdTo != null) {
            all = all.filter(o -> o.created.isBefore(createdTo.toInstant()));
        }
        List<DemoOrder> window = all.sorted(Comparator.comparing(o -> o.created)).toList();
        ObjectNode page = json.createObjectNode();
        ArrayNode items = page.putArray("orders");
        window.stream().skip(offset).limit(Math.min(max, 100)).forEach(o -> items.add(o.toJson(now)));
        page.put("total_count", window.size());
        return ResponseEntity.ok(page);
    }

    /** RT11: the refunded demo orders were returned first (requested at 55 s, received at 62 s, closed at 68 s). */
    @GetMapping("/returns")
    synchronized ResponseEntity<ObjectNode> returns(@RequestHeader(value = "Authorization", required = false) String key) {
        if (!apiKey.equals(key)) {
            return ResponseEntity.status(401).build();
        }
        Instant now = clock.instant();
        generate(now);
        ObjectNode page = json.createObjectNode();
        ArrayNode data = page.putArray("data");
        for (DemoOrder order : orders) {
            long age = order.age(now);
            if (order.fate >= 15 || age < 55) {
                continue;
            }
            String state = age >= 68 ? "CLOSED" : age >= 62 ? "RECEIVED" : "WAITING_ACCEPTANCE";
            long updated = age >= 68 ? 68 : age >= 62 ? 62 : 55;
            ObjectNode ret = data.addObject();
            ret.put("id", java.util.UUID.nameUUIDFromBytes(order.id.getBytes()).toString());
            ret.put("order_id", order.id);
            ret.put("order_commercial_id", order.id.substring(0, order.id.length() - 2));
            ret.put("date_created", order.created.plusSeconds(55).toString());
            ret.put("last_updated", order.created.plusSeconds(updated).toString());
            ret.put("state", state);
            ret.put("method_code", "RETURN_METHOD_BY_MAIL");
            ret.put("reason_code", "RETURN_CHANGED_MIND");
            ret.putObject("return_address").put("street1", "1 Returns Way").put("city", "London")
                    .put("zip_code", "SW1A 1AA").put("country_iso_code", "GBR");
            ret.putArray("return_lines").addObject().put("order_line_id", order.id + "-1").put("quantity", 1)
                    .put("reason_code", "RETURN_CHANGED_MIND");
        }
        return ResponseEntity.ok(page);
    }

    /**
     * The consent feed (DESIGN.md "Consent"): every demo customer decides as their orders come in — most opt in,
     * some opt out later.
     */
    @GetMapping("/consent")
    synchronized ResponseEntity<ObjectNode> consent(@RequestHeader(value = "Authorization", required = false) String key,
                                                    @RequestParam("updated_since") OffsetDateTime since) {
        if (!apiKey.equals(key)) {
            return ResponseEntity.status(401).build();
        }
        Instant now = clock.instant();
        generate(now);
        ObjectNode page = json.createObjectNode();
        ArrayNode customers = page.putArray("customers");
        for (DemoOrder order : orders) {
            Instant decided = order.created.plusSeconds(order.fate % 2 == 0 ? 8 : 40);
            if (decided.isAfter(now) || decided.isBefore(since.toInstant())) {
                continue;
            }
            ObjectNode customer = customers.addObject();
            customer.put("customer_id", "CUST-" + (1000 + Math.abs(order.id.hashCode() % 500)));
            customer.put("email", "notification+" + order.id.toLowerCase() + "@demo.jlm-klaviyo.invalid");
            customer.put("accepts_marketing", order.fate % 2 == 0 || order.fate > 90);
            customer.put("updated_at", decided.toString());
        }
        page.putNull("next_page_token");
        return ResponseEntity.ok(page);
    }

    @GetMapping("/reasons")
    ObjectNode reasons() {
        ObjectNode body = json.createObjectNode();
        ArrayNode reasons = body.putArray("reasons");
        reasons.addObject().put("code", "34").put("label", "Cancelled by the customer prior to shipping")
                .put("type", "CANCELATION").put("is_shop_right", false);
        reasons.addObject().put("code", "15").put("label", "Out of stock").put("type", "CANCELATION")
                .put("is_shop_right", true);
        reasons.addObject().put("code", "17").put("label", "Item returned").put("type", "REFUND")
                .put("is_shop_right", true);
        body.put("total_count", reasons.size());
        return body;
    }
}
