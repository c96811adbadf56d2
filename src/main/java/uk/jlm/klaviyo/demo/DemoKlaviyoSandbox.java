package uk.jlm.klaviyo.demo;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Demo profile only: a Klaviyo sandbox that records what it receives and answers like Klaviyo — 202 with no body,
 * JSON:API errors, and now and then a 429 with {@code Retry-After} or a 500, so retries are visible.
 * {@code GET /sandbox/klaviyo/received} shows what arrived.
 */
@Profile("demo")
@RestController
@RequestMapping("/sandbox/klaviyo")
class DemoKlaviyoSandbox {

    private final ObjectMapper json;
    private final String apiKey;
    private final double rateLimitedShare;
    private final double serverErrorShare;
    private final Random random = new Random(11);
    private final Map<String, AtomicLong> byMetric = new TreeMap<>();
    private final Deque<JsonNode> recent = new ArrayDeque<>();
    private final AtomicLong answered429 = new AtomicLong();
    private final AtomicLong answered500 = new AtomicLong();

    DemoKlaviyoSandbox(ObjectMapper json, @Value("${klaviyo.api-key}") String apiKey,
                       @Value("${demo.klaviyo-429-rate}") double rateLimitedShare,
                       @Value("${demo.klaviyo-500-rate}") double serverErrorShare) {
        this.json = json;
        this.apiKey = apiKey;
        this.rateLimitedShare = rateLimitedShare;
        this.serverErrorShare = serverErrorShare;
    }

    @PostMapping(path = "/api/events", consumes = "application/vnd.api+json")
    synchronized ResponseEntity<Object> event(@RequestHeader("Authorization") String auth,
                                              @RequestHeader("revision") String revision, @RequestBody JsonNode body) {
        if (!("Klaviyo-API-Key " + apiKey).equals(auth)) {
            return error(401, "not_authenticated", "Missing or invalid private key.");
        }
        double roll = random.nextDouble();
        if (roll < rateLimitedShare) {
            answered429.incrementAndGet();
            return ResponseEntity.status(429).header("Retry-After", "1").build();
        }
        if (roll < rateLimitedShare + serverErrorShare) {
            answered500.incrementAndGet();
            return error(500, "error", "A server error occurred.");
        }
        String metric = body.at("/data/attributes/metric/data/attributes/name").asText("");
        if (metric.isEmpty() || !body.at("/data/attributes/properties").isObject()) {
            return error(400, "invalid", "The request body is not a valid event.");
        }
        byMetric.computeIfAbsent(metric, m -> new AtomicLong()).incrementAndGet();
        recent.addFirst(body);
        while (recent.size() > 20) {
            recent.removeLast();
        }
        return ResponseEntity.accepted().build();
    }

    /** Bulk subscribe / unsubscribe jobs: 202 with no body, as Klaviyo answers. */
    @PostMapping(path = {"/api/profile-subscription-bulk-create-jobs", "/api/profile-subscription-bulk-delete-jobs"},
            consumes = "application/vnd.api+json")
    synchronized ResponseEntity<Object> subscriptions(@RequestHeader("Authorization") String auth,
                                                      @RequestBody JsonNode body) {
        if (!("Klaviyo-API-Key " + apiKey).equals(auth)) {
            return error(401, "not_authenticated", "Missing or invalid private key.");
        }
        String type = body.at("/data/type").asText("");
        int profiles = body.at("/data/attributes/profiles/data").size();
        String key = type.endsWith("create-job") ? "Subscribed profiles" : "Unsubscribed profiles";
        byMetric.computeIfAbsent(key, m -> new AtomicLong()).addAndGet(profiles);
        return ResponseEntity.accepted().build();
    }

    /** Bulk event jobs (the backfill): 202 with no body; counted per metric as "backfill: <metric>". */
    @PostMapping(path = "/api/event-bulk-create-jobs", consumes = "application/vnd.api+json")
    synchronized ResponseEntity<Object> eventBulk(@RequestHeader("Authorization") String auth, @RequestBody JsonNode body) {
        if (!("Klaviyo-API-Key " + apiKey).equals(auth)) {
            return error(401, "not_authenticated", "Missing or invalid private key.");
        }
        for (JsonNode entry : body.at("/data/attributes/events-bulk-create/data")) {
            for (JsonNode event : entry.at("/attributes/events/data")) {
                String metric = "backfill: " + event.at("/attributes/metric/data/attributes/name").asText("");
                byMetric.computeIfAbsent(metric, m -> new AtomicLong()).incrementAndGet();
            }
        }
        return ResponseEntity.accepted().build();
    }

    /** The account the demo key belongs to: lets the start-up credentials check pass. */
    @GetMapping("/api/accounts")
    ResponseEntity<Object> accounts(@RequestHeader("Authorization") String auth) {
        if (!("Klaviyo-API-Key " + apiKey).equals(auth)) {
            return error(401, "not_authenticated", "Missing or invalid private key.");
        }
        ObjectNode body = json.createObjectNode();
        body.putArray("data").addObject().put("type", "account").put("id", "DEMO")
                .putObject("attributes").putObject("contact_information").put("organization_name", "Demo seller");
        return ResponseEntity.ok().header("Content-Type", "application/vnd.api+json").body(body);
    }

    @GetMapping("/received")
    synchronized ObjectNode received() {
        ObjectNode summary = json.createObjectNode();
        ObjectNode metrics = summary.putObject("eventsByMetric");
        byMetric.forEach((metric, n) -> metrics.put(metric, n.get()));
        summary.put("answered429", answered429.get());
        summary.put("answered500", answered500.get());
        summary.putArray("recent").addAll(recent);
        return summary;
    }

    private ResponseEntity<Object> error(int status, String code, String detail) {
        ObjectNode body = json.createObjectNode();
        body.putArray("errors").addObject().put("id", java.util.UUID.randomUUID().toString()).put("status", status)
                .put("code", code).put("title", detail).put("detail", detail);
        return ResponseEntity.status(status).header("Content-Type", "application/vnd.api+json").body(body);
    }
}
