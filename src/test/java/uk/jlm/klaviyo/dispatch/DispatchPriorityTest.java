package uk.jlm.klaviyo.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.AppInstance;
import uk.jlm.klaviyo.support.OrderFixtures;
import uk.jlm.klaviyo.support.StandaloneFakes;

/** A backlog of 10,000 Ordered Product events in the orders lane does not delay a dispatch. */
class DispatchPriorityTest extends StandaloneFakes {

    private static final int BACKLOG = 10_000;


    @Test
    void dispatchOvertakesTheOrdersBacklog() {
        jlm.stubFor(get(urlPathEqualTo("/api/orders")).willReturn(okJson(OrderFixtures.page())));
        klaviyo.stubFor(post("/api/events").willReturn(aResponse().withStatus(202).withFixedDelay(2)));

        try (AppInstance app = AppInstance.start(jlm, klaviyo, "jdbc:h2:mem:priority;DB_CLOSE_DELAY=-1", Map.of(
                "klaviyo.rate-limit.events.per-minute", "1000000"))) {
            String body = "{\"data\":{\"type\":\"event\",\"attributes\":{\"properties\":{\"OrderId\":\"B\"},"
                    + "\"metric\":{\"data\":{\"type\":\"metric\",\"attributes\":{\"name\":\"Ordered Product\"}}},"
                    + "\"profile\":{\"data\":{\"type\":\"profile\",\"attributes\":{\"external_id\":\"C\"}}}}}}";
            Timestamp now = Timestamp.from(Instant.now());
            List<Object[]> rows = new ArrayList<>();
            for (int i = 0; i < BACKLOG; i++) {
                rows.add(new Object[] {"product:BACKLOG:" + i, body, now, now, now});
            }
            app.jdbc().batchUpdate("INSERT INTO outbox (flow, dedupe_key, endpoint_class, path, metric, payload, status, "
                    + "attempts, occurred_at, created_at, available_at) VALUES ('orders', ?, 'EVENTS', '/api/events', "
                    + "'Ordered Product', ?, 'PENDING', 0, ?, ?, ?)", rows);
            await().atMost(Duration.ofSeconds(20)).until(() -> klaviyo.findAll(postRequestedFor(urlPathEqualTo("/api/events"))).size() > 500);

            jlm.stubFor(get(urlPathEqualTo("/api/orders")).atPriority(1).willReturn(okJson(OrderFixtures.page(
                    OrderFixtures.placed("PRIO-1-A").shipped("2026-11-04T16:02:40Z", "T1", "Royal Mail", "RM")))));
            await().atMost(Duration.ofSeconds(15)).until(() -> !klaviyo.findAll(postRequestedFor(urlPathEqualTo("/api/events"))
                    .withRequestBody(matchingJsonPath("$.data.attributes.metric.data.attributes.name", 
                            com.github.tomakehurst.wiremock.client.WireMock.equalTo("Fulfilled Order")))).isEmpty());

            Integer backlogLeft = app.jdbc().queryForObject(
                    "SELECT COUNT(*) FROM outbox WHERE flow = 'orders' AND status <> 'DONE'", Integer.class);
            assertThat(backlogLeft).isGreaterThan(BACKLOG / 2);
        }
    }
}
