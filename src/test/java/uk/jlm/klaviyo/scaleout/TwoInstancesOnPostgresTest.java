package uk.jlm.klaviyo.scaleout;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.AppInstance;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;
import uk.jlm.klaviyo.support.StandaloneFakes;

/** Two instances on one real PostgreSQL share the feed and the outbox: every event once, none lost. */
class TwoInstancesOnPostgresTest extends StandaloneFakes {

    private static final int ORDERS = 300;


    /** Each instance takes half of Klaviyo's per-account budget: the documented division. */
    private static Map<String, String> instance(String id) {
        return Map.of("instance.id", id, "spring.datasource.username", "postgres",
                "klaviyo.rate-limit.events.per-second", "175", "delivery.batch-size", "20");
    }

    @Test
    void twoInstancesDeliverEveryEventExactlyOnce() throws Exception {
        List<ObjectNode> orders = IntStream.range(0, ORDERS).mapToObj(i -> OrderFixtures.placed("PG-" + i + "-A").json()).toList();
        for (int offset = 0; offset < ORDERS; offset += 100) {
            jlm.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("offset", equalTo(Integer.toString(offset)))
                    .willReturn(okJson(OrderFixtures.page(new ArrayList<>(orders.subList(offset, offset + 100)), ORDERS))));
        }
        klaviyo.stubFor(post("/api/events").willReturn(aResponse().withStatus(202).withFixedDelay(5)));

        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            try (AppInstance a = AppInstance.start(jlm, klaviyo, url, instance("instance-a"));
                 AppInstance b = AppInstance.start(jlm, klaviyo, url, instance("instance-b"))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> a.jdbc().queryForObject(
                        "SELECT COUNT(*) FROM outbox WHERE status = 'DONE'", Integer.class) == ORDERS * 3);

                List<Map<String, Object>> byInstance = a.jdbc().queryForList(
                        "SELECT claimed_by, COUNT(*) AS n FROM outbox GROUP BY claimed_by");
                assertThat(byInstance).extracting(r -> r.get("claimed_by")).containsExactlyInAnyOrder("instance-a", "instance-b");
                assertThat(a.jdbc().queryForObject("SELECT COUNT(*) FROM order_snapshot", Integer.class)).isEqualTo(ORDERS);
            }
        }

        var sent = klaviyo.findAll(postRequestedFor(urlPathEqualTo("/api/events")));
        assertThat(sent).hasSize(ORDERS * 3);
        assertThat(sent.stream().map(r -> r.getBodyAsString()).toList()).doesNotHaveDuplicates();
        KlaviyoContract.assertValid(sent.subList(0, 5));

        // The feed lease: each OR11 window is polled by one instance at a time, once per interval.
        List<Long> pollStarts = jlm.findAll(getRequestedFor(urlPathEqualTo("/api/orders"))
                        .withQueryParam("offset", equalTo("0"))).stream()
                .map(r -> r.getLoggedDate().getTime()).sorted().toList();
        for (int i = 1; i < pollStarts.size(); i++) {
            assertThat(pollStarts.get(i) - pollStarts.get(i - 1)).isGreaterThanOrEqualTo(900);
        }
    }
}
