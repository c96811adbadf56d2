package uk.jlm.klaviyo.backfill;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;

class BackfillTest extends FlowTestSupport {

    static final String BULK = "/api/event-bulk-create-jobs";

    @Autowired
    TestRestTemplate http;

    @Autowired
    org.apache.camel.CamelContext camel;

    @BeforeEach
    void noRunsAndABulkEndpoint() {
        jdbc.update("DELETE FROM backfill_run");
        jdbc.update("DELETE FROM feed_state WHERE feed = 'backfill'");
        KLAVIYO.stubFor(post(BULK).atPriority(10).willReturn(aResponse().withStatus(202)));
    }

    @org.junit.jupiter.api.AfterEach
    void backfillFeedRuns() throws Exception {
        camel.getRouteController().startRoute("backfill-feed");
    }

    /** OR11 by creation date (the backfill's queries): these orders in every window, on the first page. */
    private static void stubHistory(OrderFixtures... orders) {
        JLM.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("start_date", matching(".+"))
                .withQueryParam("offset", equalTo("0")).atPriority(1)
                .willReturn(okJson(OrderFixtures.page(orders))));
        JLM.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("start_date", matching(".+"))
                .atPriority(2).willReturn(okJson(OrderFixtures.page(List.of(), 0))));
    }

    private ResponseEntity<Map> ops(HttpMethod method, String path) {
        HttpHeaders headers = new HttpHeaders();
        headers.setBasicAuth("ops", OPS_PASSWORD);
        return http.exchange(path, method, new HttpEntity<>(headers), Map.class);
    }

    private static List<LoggedRequest> bulkJobs() {
        return KLAVIYO.findAll(postRequestedFor(urlPathEqualTo(BULK)));
    }

    /** Every event of every bulk job, with the backfill flag of its profile entry. */
    private static List<JsonNode> bulkEvents() {
        List<JsonNode> events = new ArrayList<>();
        for (LoggedRequest job : bulkJobs()) {
            JsonNode body = read(job.getBodyAsString());
            for (JsonNode entry : body.at("/data/attributes/events-bulk-create/data")) {
                assertThat(entry.at("/attributes/backfill").asBoolean()).as("profile entry backfill flag").isTrue();
                entry.at("/attributes/events/data").forEach(events::add);
            }
        }
        return events;
    }

    private static JsonNode read(String json) {
        try {
            return OrderFixtures.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Map<String, Object> report() {
        return ops(HttpMethod.GET, "/ops/backfill/report").getBody();
    }

    @Test
    void sendsEachOrdersFinalStateOnceThroughBulkJobsWithTheBackfillFlag() {
        stubHistory(OrderFixtures.placed("HIST-1-A"),
                OrderFixtures.placed("HIST-2-A").shipped("2026-10-04T16:02:40Z", "T1", "Royal Mail", "RM")
                        .received("2026-10-06T12:00:00Z"));
        String since = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS).toString();

        ResponseEntity<Map> started = ops(HttpMethod.POST, "/ops/backfill?since=" + since);
        assertThat(started.getStatusCode().value()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(report().get("status")));

        List<JsonNode> events = bulkEvents();
        assertThat(events).allSatisfy(e -> assertThat(e.at("/attributes/backfill").asBoolean()).isTrue());
        List<String> sentOnce = events.stream().map(e -> e.at("/attributes/metric/data/attributes/name").asText()
                + " " + e.at("/attributes/unique_id").asText()).toList();
        // Final state of each order: placed + one product per line, and for HIST-2 dispatched and delivered too.
        assertThat(sentOnce).doesNotHaveDuplicates().containsExactlyInAnyOrder("Placed Order HIST-1-A",
                "Ordered Product HIST-1-A:HIST-1-A-1", "Ordered Product HIST-1-A:HIST-1-A-2", "Placed Order HIST-2-A",
                "Ordered Product HIST-2-A:HIST-2-A-1", "Ordered Product HIST-2-A:HIST-2-A-2",
                "Fulfilled Order HIST-2-A", "Delivered Order HIST-2-A");
        assertThat(events).noneSatisfy(e -> assertThat(e.at("/attributes/profile").isMissingNode()).isFalse());
        KlaviyoContract.assertValid(bulkJobs());
        // Nothing of the history went through the live, one-event-at-a-time endpoint.
        assertThat(sentEvents()).noneSatisfy(e -> assertThat(e.at("/data/attributes/properties/OrderId").asText())
                .startsWith("HIST-"));

        // Every window saw both orders; only the first queued them (the report reconciles it).
        Map<String, Object> report = report();
        long windows = JLM.findAll(getRequestedFor(urlPathEqualTo("/api/orders"))
                .withQueryParam("start_date", matching(".+")).withQueryParam("offset", equalTo("0"))).size();
        assertThat(windows).isGreaterThanOrEqualTo(2);
        assertThat(((Number) report.get("ordersSeen")).longValue()).isEqualTo(2 * windows);
        assertThat(((Number) report.get("ordersSkipped")).longValue()).isEqualTo(2 * (windows - 1));
        assertThat(((Number) report.get("eventsSentTotal")).longValue()).isEqualTo(events.size());
        assertThat(report.get("percent")).isEqualTo(100.0);

        // A second run over the same range finds everything already sent.
        ops(HttpMethod.POST, "/ops/backfill?since=" + since);
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(report().get("status"))
                && ((Number) report().get("id")).longValue() > ((Number) report.get("id")).longValue());
        assertThat(bulkEvents()).hasSize(events.size());
    }

    @Test
    void anOrderTheLiveFlowAlreadySentIsNotSentAgain() {
        stubOrders(OrderFixtures.placed("LIVE-1-A"));
        awaitSent("Placed Order", 1);
        stubHistory(OrderFixtures.placed("LIVE-1-A"), OrderFixtures.placed("OLD-2-A"));

        ops(HttpMethod.POST, "/ops/backfill?since=" + Instant.now().minus(Duration.ofDays(1)).toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(report().get("status")));

        assertThat(bulkEvents()).extracting(e -> e.at("/attributes/properties/OrderId").asText())
                .containsOnly("OLD-2-A");
        assertThat(sent("Placed Order")).hasSize(1);
    }

    @Test
    void aKilledRunResumesAtItsCursor() throws Exception {
        camel.getRouteController().stopRoute("backfill-feed");
        stubHistory(OrderFixtures.placed("RES-1-A"));
        Instant since = Instant.now().minus(Duration.ofDays(5)).truncatedTo(ChronoUnit.SECONDS);
        Instant cursor = since.plus(Duration.ofDays(3));
        // As a killed process left it: RUNNING, three windows read, its lease expired.
        jdbc.update("INSERT INTO backfill_run (since, until, window_start, window_seconds, page_offset, status, "
                        + "orders_seen, started_at, updated_at) VALUES (?, ?, ?, 86400, 0, 'RUNNING', 42, ?, ?)",
                Timestamp.from(since),
                Timestamp.from(Instant.now()), Timestamp.from(cursor), Timestamp.from(since), Timestamp.from(since));

        // Starting again resumes that run instead of beginning a new one.
        ResponseEntity<Map> resumed = ops(HttpMethod.POST, "/ops/backfill?since=" + since);
        assertThat(resumed.getStatusCode().value()).isEqualTo(202);
        assertThat(resumed.getBody().get("id")).isEqualTo(report().get("id"));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM backfill_run", Integer.class)).isEqualTo(1);
        camel.getRouteController().startRoute("backfill-feed");
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(report().get("status")));

        List<String> starts = JLM.findAll(getRequestedFor(urlPathEqualTo("/api/orders"))
                .withQueryParam("start_date", matching(".+"))).stream()
                .map(r -> r.queryParameter("start_date").firstValue()).toList();
        assertThat(starts).isNotEmpty().allSatisfy(s -> assertThat(Instant.parse(s)).isAfterOrEqualTo(cursor));
        assertThat(((Number) report().get("ordersSeen")).longValue()).isGreaterThan(42);
    }

    @Test
    void aBulkJobKlaviyoRejectsIsSplitDownToTheBadEvent() {
        KLAVIYO.stubFor(post(BULK).withRequestBody(containing("BAD-2-A")).atPriority(1)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/vnd.api+json")
                        .withBody("{\"errors\":[{\"id\":\"e\",\"status\":400,\"code\":\"invalid\",\"title\":\"Invalid\","
                                + "\"detail\":\"value is not a number\",\"source\":{\"pointer\":\"/data\"}}]}")));
        stubHistory(OrderFixtures.placed("GOOD-1-A"), OrderFixtures.placed("BAD-2-A"), OrderFixtures.placed("GOOD-3-A"));

        ops(HttpMethod.POST, "/ops/backfill?since=" + Instant.now().minus(Duration.ofHours(12)).toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(report().get("status")));

        List<Map<String, Object>> dead = deadLetters();
        assertThat(dead).isNotEmpty().allSatisfy(d -> {
            assertThat(d.get("FLOW")).isEqualTo("backfill");
            assertThat((String) d.get("PAYLOAD")).contains("BAD-2-A");
            assertThat((String) d.get("REASON")).contains("value is not a number");
        });
        // Each of BAD-2's events was isolated (placed + 2 products); every other event was delivered.
        assertThat(dead).hasSize(3);
        assertThat(((Number) report().get("eventsSentTotal")).longValue()).isEqualTo(6);
    }

    @Test
    void sinceMustBeADate() {
        ResponseEntity<Map> bad = ops(HttpMethod.POST, "/ops/backfill?since=last-tuesday");
        assertThat(bad.getStatusCode().value()).isEqualTo(400);
        assertThat((String) bad.getBody().get("error")).contains("ISO-8601");
        assertThat(http.postForEntity("/ops/backfill?since=2024-01-01", null, String.class).getStatusCode().value())
                .isEqualTo(401);
    }
}
