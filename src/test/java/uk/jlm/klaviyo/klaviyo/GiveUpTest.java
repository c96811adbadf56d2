package uk.jlm.klaviyo.klaviyo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.AppInstance;
import uk.jlm.klaviyo.support.OrderFixtures;
import uk.jlm.klaviyo.support.StandaloneFakes;

/** An event that keeps failing past klaviyo.retry.give-up-after becomes a dead letter with its last status. */
class GiveUpTest extends StandaloneFakes {

    @Test
    void persistentServerErrorsEndInTheDeadLettersAfterTheGiveUpTime() {
        jlm.stubFor(get(urlPathEqualTo("/api/orders")).willReturn(okJson(OrderFixtures.page(OrderFixtures.placed("GU-1-A")))));
        klaviyo.stubFor(post("/api/events").willReturn(aResponse().withStatus(502)));
        try (AppInstance app = AppInstance.start(jlm, klaviyo, "jdbc:h2:mem:giveup;DB_CLOSE_DELAY=-1", Map.of(
                "klaviyo.retry.max-redeliveries", "3",
                "klaviyo.retry.give-up-after", "0s"))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> app.jdbc().queryForObject(
                    "SELECT COUNT(*) FROM dead_letter", Integer.class) == 3);
            List<Map<String, Object>> dead = app.jdbc().queryForList("SELECT http_status, attempts, reason FROM dead_letter");
            assertThat(dead).allSatisfy(d -> {
                assertThat(((Number) d.get("HTTP_STATUS")).intValue()).isEqualTo(502);
                assertThat(((Number) d.get("ATTEMPTS")).intValue()).isEqualTo(4);
                assertThat((String) d.get("REASON")).contains("HTTP 502");
            });
        }
    }
}
