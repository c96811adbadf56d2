package uk.jlm.klaviyo.outbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.jlm.klaviyo.support.AppInstance;
import uk.jlm.klaviyo.support.OrderFixtures;
import uk.jlm.klaviyo.support.StandaloneFakes;

/** Stopping the service mid-delivery, and a crashed instance's claims, lose nothing and send nothing twice. */
class RestartTest extends StandaloneFakes {


    @Test
    void restartOnTheSameDatabaseDeliversEverythingExactlyOnce(@TempDir Path dir) {
        List<ObjectNode> orders = IntStream.range(0, 40).mapToObj(i -> OrderFixtures.placed("RS-" + i + "-A").json()).toList();
        jlm.stubFor(get(urlPathEqualTo("/api/orders")).willReturn(okJson(OrderFixtures.page(orders, orders.size()))));
        klaviyo.stubFor(post("/api/events").willReturn(aResponse().withStatus(202)));
        String database = "jdbc:h2:file:" + dir.resolve("jlm-klaviyo");
        Map<String, String> slow = Map.of("klaviyo.rate-limit.events.per-second", "20", "delivery.batch-size", "10");

        try (AppInstance first = AppInstance.start(jlm, klaviyo, database, slow)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> sentCount() >= 30);
        }
        int beforeRestart = sentCount();
        assertThat(beforeRestart).isLessThan(120);

        try (AppInstance second = AppInstance.start(jlm, klaviyo, database, Map.of())) {
            // An instance that died mid-delivery leaves claims behind; once their lease is over they are delivered.
            second.jdbc().update("UPDATE outbox SET status = 'CLAIMED', claimed_by = 'crashed-instance', "
                    + "claimed_until = ? WHERE status = 'PENDING' AND MOD(id, 2) = 0",
                    java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1)));
            await().atMost(Duration.ofSeconds(60)).until(() -> second.jdbc().queryForObject(
                    "SELECT COUNT(*) FROM outbox WHERE status = 'DONE'", Integer.class) == 120);
        }

        List<String> bodies = klaviyo.findAll(postRequestedFor(urlPathEqualTo("/api/events"))).stream()
                .map(r -> r.getBodyAsString()).toList();
        assertThat(bodies).hasSize(120).doesNotHaveDuplicates();
    }

    private int sentCount() {
        return klaviyo.findAll(postRequestedFor(urlPathEqualTo("/api/events"))).size();
    }
}
