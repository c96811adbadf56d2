package uk.jlm.klaviyo.klaviyo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.OrderFixtures;

/** The shared klaviyo-send policy: Retry-After on 429, backoff on 5xx, dead letters for other 4xx, and replay. */
class DeliveryPolicyTest extends FlowTestSupport {

    private static final String KLAVIYO_400 = """
            {"errors":[{"id":"e1","status":400,"code":"invalid","title":"Invalid input.",
            "detail":"'email' is not a valid email address.","source":{"pointer":"/data/attributes/profile/data/attributes/email"}}]}""";

    @Autowired
    TestRestTemplate http;

    @Test
    void rateLimitedRequestWaitsRetryAfterThenSucceeds() {
        // Only the one Placed Order request is rate-limited (parallel requests would race a shared scenario).
        KLAVIYO.stubFor(post(EVENTS).withRequestBody(containing("\"name\":\"Placed Order\"")).inScenario("429")
                .whenScenarioStateIs(STARTED).atPriority(1)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2"))
                .willSetStateTo("open"));
        stubOrders(OrderFixtures.placed("RL-1-A"));

        await().atMost(Duration.ofSeconds(20)).until(() -> outboxCount("DONE") == 3);

        var rateLimited = KLAVIYO.getAllServeEvents().stream().filter(e -> e.getResponse().getStatus() == 429)
                .findFirst().orElseThrow().getRequest();
        LoggedRequest retried = klaviyoEvents().stream()
                .filter(r -> r.getBodyAsString().equals(rateLimited.getBodyAsString())
                        && r.getLoggedDate().after(rateLimited.getLoggedDate()))
                .findFirst().orElseThrow();
        long waitedMillis = retried.getLoggedDate().getTime() - rateLimited.getLoggedDate().getTime();
        assertThat(waitedMillis).isGreaterThanOrEqualTo(1_950);
        assertThat(klaviyoEvents()).hasSize(4);
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void serverErrorsAreRetriedWithBackoffUntilAccepted() {
        KLAVIYO.stubFor(post(EVENTS).inScenario("5xx").whenScenarioStateIs(STARTED).atPriority(1)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("second"));
        KLAVIYO.stubFor(post(EVENTS).inScenario("5xx").whenScenarioStateIs("second").atPriority(1)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("healthy"));
        KLAVIYO.stubFor(post(EVENTS).inScenario("5xx").whenScenarioStateIs("healthy").atPriority(1)
                .willReturn(aResponse().withStatus(202)));
        stubOrders(OrderFixtures.placed("SE-1-A"));

        await().atMost(Duration.ofSeconds(20)).until(() -> outboxCount("DONE") == 3);
        long serverErrors = KLAVIYO.getAllServeEvents().stream()
                .filter(e -> e.getResponse().getStatus() >= 500).count();
        assertThat(serverErrors).isGreaterThanOrEqualTo(2);
        // Every failed request was repeated until accepted; nothing was sent more often than that.
        assertThat(klaviyoEvents()).hasSize(3 + (int) serverErrors);
        assertThat(deadLetters()).isEmpty();
        assertThat(jdbc.queryForList("SELECT attempts FROM outbox WHERE status = 'DONE'", Integer.class)
                .stream().mapToInt(Integer::intValue).sum()).isEqualTo(3 + (int) serverErrors);
    }

    @Test
    void aKlaviyoOutageWaitsInTheOutboxAndDrainsAfterwards() {
        KLAVIYO.stubFor(post(EVENTS).atPriority(1).willReturn(aResponse().withStatus(502)));
        stubOrders(OrderFixtures.placed("EX-1-A"));

        // Redeliveries (3 here) exhausted more than once: the rows are back in the lane, waiting, not dead.
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT CASE WHEN COUNT(*) = 3 THEN MIN(attempts) ELSE 0 END FROM outbox", Integer.class) >= 8);
        assertThat(deadLetters()).isEmpty();
        assertThat(outboxCount("DONE")).isZero();

        KLAVIYO.stubFor(post(EVENTS).atPriority(1).willReturn(aResponse().withStatus(202)));
        await().atMost(Duration.ofSeconds(20)).until(() -> outboxCount("DONE") == 3);
        assertThat(deadLetters()).isEmpty();
        long accepted = KLAVIYO.getAllServeEvents().stream().filter(e -> e.getResponse().getStatus() == 202).count();
        assertThat(accepted).isEqualTo(3);
    }

    @Test
    void rejectedEventIsDeadLetteredThenReplayedAfterTheFix() {
        KLAVIYO.stubFor(post(EVENTS).atPriority(1).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/vnd.api+json").withBody(KLAVIYO_400)));
        stubOrders(OrderFixtures.placed("DL-1-A"));
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters().size() == 3);
        assertThat(klaviyoEvents()).hasSize(3);

        ResponseEntity<JsonNode> listed = ops().getForEntity("/ops/dead-letters?flow=orders", JsonNode.class);
        assertThat(listed.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode body = listed.getBody();
        assertThat(body.get("total").asInt()).isEqualTo(3);
        JsonNode item = body.get("items").get(0);
        assertThat(item.get("flow").asText()).isEqualTo("orders");
        assertThat(item.get("httpStatus").asInt()).isEqualTo(400);
        assertThat(item.get("attempts").asInt()).isEqualTo(1);
        assertThat(item.get("reason").asText()).contains("400").contains("not a valid email address");
        assertThat(item.get("createdAt").asText()).isNotBlank();
        assertThat(item.get("payload").asText()).contains("\"type\":\"event\"").doesNotContain(KLAVIYO_KEY);

        KLAVIYO.stubFor(post(EVENTS).atPriority(1).willReturn(aResponse().withStatus(202)));
        long id = item.get("id").asLong();
        assertThat(ops().postForEntity("/ops/dead-letters/" + id + "/replay", null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.ACCEPTED);
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxCount("DONE") == 1);

        ResponseEntity<JsonNode> all = ops().postForEntity("/ops/dead-letters/replay?flow=orders", null, JsonNode.class);
        assertThat(all.getBody().get("replayed").asInt()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxCount("DONE") == 3);
        assertThat(deadLetters()).isEmpty();
        assertThat(ops().postForEntity("/ops/dead-letters/" + id + "/replay", null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void opsApiNeedsTheOpsLogin() {
        assertThat(http.getForEntity("/ops/dead-letters", String.class).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(http.getForEntity("/ops/dead-letters", String.class).getHeaders().getFirst("WWW-Authenticate"))
                .startsWith("Basic");
        assertThat(http.withBasicAuth("ops", "wrong").getForEntity("/ops/dead-letters", String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(http.postForEntity("/ops/dead-letters/replay?flow=orders", null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(ops().getForEntity("/ops/dead-letters", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(ops().postForEntity("/ops/dead-letters/replay?flow=nonsense", null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
    }

    private TestRestTemplate ops() {
        return http.withBasicAuth("ops", OPS_PASSWORD);
    }

    static List<String> ids(List<JsonNode> events) {
        return events.stream().map(FlowTestSupport::uniqueIdOf).toList();
    }
}
