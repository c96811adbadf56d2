package uk.jlm.klaviyo.demo;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Demo profile only: the catalogue side of both sandboxes. JLM: OF52/OF53/OF54 offer exports over 30 offers whose
 * stock moves (some sell out, some come back). Klaviyo: a catalogue with most of those SKUs, two near misses
 * ({@code jlm-1025}, {@code JLM 1026}), two SKUs JLM does not have, and three missing — so the mismatch report has
 * something in every section — plus catalogue bulk jobs that complete on their first check.
 */
@Profile("demo")
@RestController
@RequestMapping("/sandbox")
class DemoCatalogueSandbox {

    private static final int OFFERS = 30;

    private final ObjectMapper json;
    private final Clock clock;
    private final String baseUrl;
    private final Random random = new Random(3);
    private final int[] stock = new int[OFFERS];
    private final Instant[] updated = new Instant[OFFERS];
    private final Map<String, Instant> exports = new HashMap<>();
    private final Map<String, Boolean> exportPolled = new HashMap<>();
    private final List<String> klaviyoSkus = new ArrayList<>();
    private final Map<String, Integer> klaviyoStock = new HashMap<>();
    private final Map<String, JsonNode> jobs = new LinkedHashMap<>();
    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong restocks = new AtomicLong();
    private Instant lastMove;

    DemoCatalogueSandbox(ObjectMapper json, Clock clock, @Value("${server.port}") int port) {
        this.json = json;
        this.clock = clock;
        this.baseUrl = "http://localhost:" + port + "/sandbox/jlm";
        Instant now = clock.instant();
        for (int i = 0; i < OFFERS; i++) {
            stock[i] = i % 7 == 0 ? 0 : 1 + random.nextInt(20);
            updated[i] = now;
        }
        lastMove = now;
        for (int i = 0; i < 25; i++) {
            klaviyoSkus.add(sku(i));
        }
        klaviyoSkus.addAll(List.of("jlm-1025", "JLM 1026", "SHOP-ONLY-1", "SHOP-ONLY-2"));
    }

    private static String sku(int i) {
        return "JLM-" + (1000 + i);
    }

    /** Every 10 s a few offers sell out or are restocked. */
    private void move(Instant now) {
        while (lastMove.plusSeconds(10).isBefore(now)) {
            lastMove = lastMove.plusSeconds(10);
            for (int n = 0; n < 3; n++) {
                int i = random.nextInt(OFFERS);
                stock[i] = stock[i] == 0 ? 1 + random.nextInt(10) : random.nextInt(3) == 0 ? 0 : stock[i] - 1;
                updated[i] = lastMove;
            }
        }
    }

    @PostMapping("/jlm/api/offers/export/async")
    synchronized Map<String, String> requestExport(@RequestBody JsonNode request) {
        String id = java.util.UUID.randomUUID().toString();
        exports.put(id, request.hasNonNull("last_request_date")
                ? Instant.parse(request.get("last_request_date").asText()) : Instant.EPOCH);
        return Map.of("tracking_id", id);
    }

    /** PENDING on the first look, COMPLETED after: the route's status polling is visible in the demo. */
    @GetMapping("/jlm/api/offers/export/async/status/{id}")
    synchronized ResponseEntity<Object> exportStatus(@PathVariable String id) {
        if (!exports.containsKey(id)) {
            return ResponseEntity.status(404).body(Map.of("message", "unknown export"));
        }
        ObjectNode status = json.createObjectNode().put("last_updated", clock.instant().toString());
        if (exportPolled.put(id, true) == null) {
            return ResponseEntity.ok(status.put("status", "PENDING"));
        }
        status.put("status", "COMPLETED").putArray("urls")
                .add(baseUrl + "/api/offers/export/async/file/" + id + "?file=0.json");
        return ResponseEntity.ok(status);
    }

    @GetMapping("/jlm/api/offers/export/async/file/{id}")
    synchronized ResponseEntity<Object> exportFile(@PathVariable String id, @RequestParam String file) {
        Instant since = exports.get(id);
        if (since == null) {
            return ResponseEntity.status(404).body(Map.of("message", "unknown export"));
        }
        move(clock.instant());
        ArrayNode offers = json.createArrayNode();
        for (int i = 0; i < OFFERS; i++) {
            if (updated[i].isBefore(since)) {
                continue;
            }
            ObjectNode offer = offers.addObject().put("offer_id", 5000 + i).put("shop_sku", sku(i))
                    .put("product_sku", "PRD-" + (1000 + i)).put("quantity", stock[i]).put("active", true)
                    .put("deleted", false).put("description", "Demo product " + (1000 + i))
                    .put("currency_iso_code", "GBP").put("last_updated", updated[i].toString());
            offer.putArray("prices").addObject().put("origin_price", new BigDecimal("10.00").add(BigDecimal.valueOf(i)));
        }
        return ResponseEntity.ok(offers);
    }

    /** Klaviyo catalogue variants, 10 a page with cursor links like Klaviyo's. */
    @GetMapping("/klaviyo/api/catalog-variants")
    synchronized ObjectNode variants(@RequestParam(name = "page[cursor]", required = false) String cursor) {
        int from = cursor == null ? 0 : Integer.parseInt(cursor);
        ObjectNode page = json.createObjectNode();
        ArrayNode data = page.putArray("data");
        for (int i = from; i < Math.min(from + 10, klaviyoSkus.size()); i++) {
            String sku = klaviyoSkus.get(i);
            data.addObject().put("type", "catalog-variant").put("id", "$custom:::$default:::" + sku)
                    .putObject("attributes").put("sku", sku);
        }
        ObjectNode links = page.putObject("links").put("self", "http://localhost/api/catalog-variants");
        if (from + 10 < klaviyoSkus.size()) {
            links.put("next", "http://localhost/api/catalog-variants?page%5Bcursor%5D=" + (from + 10));
        }
        return page;
    }

    @PostMapping(path = {"/klaviyo/api/catalog-variant-bulk-update-jobs", "/klaviyo/api/catalog-variant-bulk-create-jobs",
            "/klaviyo/api/catalog-item-bulk-create-jobs"}, consumes = "application/vnd.api+json")
    synchronized ResponseEntity<Object> job(@RequestBody JsonNode body) {
        String type = body.at("/data/type").asText();
        JsonNode objects = body.at("/data/attributes/variants/data");
        for (JsonNode variant : objects) {
            int quantity = variant.at("/attributes/inventory_quantity").asInt();
            Integer before = klaviyoStock.put(variant.path("id").asText(), quantity);
            updates.incrementAndGet();
            if (before != null && before == 0 && quantity > 0) {
                restocks.incrementAndGet();
            }
        }
        String id = "demo-job-" + (jobs.size() + 1);
        ObjectNode job = json.createObjectNode();
        job.putObject("data").put("type", type).put("id", id).putObject("attributes").put("status", "complete")
                .put("created_at", clock.instant().toString()).put("total_count", objects.size())
                .put("completed_count", objects.size()).put("failed_count", 0).putArray("errors");
        jobs.put(id, job);
        return ResponseEntity.accepted().body(job);
    }

    @GetMapping({"/klaviyo/api/catalog-variant-bulk-update-jobs/{id}", "/klaviyo/api/catalog-variant-bulk-create-jobs/{id}",
            "/klaviyo/api/catalog-item-bulk-create-jobs/{id}"})
    synchronized ResponseEntity<Object> jobStatus(@PathVariable String id) {
        JsonNode job = jobs.get(id);
        return job == null ? ResponseEntity.status(404).build() : ResponseEntity.ok(job);
    }

    @GetMapping("/klaviyo/catalogue-received")
    synchronized Map<String, Object> received() {
        return Map.of("variantUpdates", updates.get(), "restocks", restocks.get(), "jobs", jobs.size());
    }
}
