package uk.jlm.klaviyo.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.AppInstance;
import uk.jlm.klaviyo.support.StandaloneFakes;

/**
 * Readiness reflects the database and the Klaviyo key; a feed that keeps failing shows as a DOWN component of
 * /actuator/health without touching liveness or readiness (a JLM outage must not restart the pod).
 */
class HealthTest extends StandaloneFakes {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void rejectedKlaviyoKeyMakesTheInstanceNotReadyButAlive() throws Exception {
        klaviyo.stubFor(get(urlPathEqualTo("/api/accounts")).atPriority(1).willReturn(aResponse().withStatus(401)));
        try (AppInstance app = AppInstance.start(jlm, klaviyo, "jdbc:h2:mem:health-key;DB_CLOSE_DELAY=-1", Map.of())) {
            int port = app.port();
            await().atMost(Duration.ofSeconds(20)).until(() -> status(port, "/actuator/health/readiness") == 503);
            assertThat(status(port, "/actuator/health/liveness")).isEqualTo(200);
            assertThat(body(port, "/actuator/health")).contains("\"klaviyoCredentials\":{\"status\":\"DOWN\"");
        }
    }

    @Test
    void aFeedFailingForSeveralIntervalsIsADownComponentOnly() throws Exception {
        jlm.stubFor(get(urlPathEqualTo("/api/orders")).willReturn(aResponse().withStatus(500)));
        try (AppInstance app = AppInstance.start(jlm, klaviyo, "jdbc:h2:mem:health-feed;DB_CLOSE_DELAY=-1", Map.of())) {
            int port = app.port();
            await().atMost(Duration.ofSeconds(30)).until(() -> body(port, "/actuator/health")
                    .contains("\"feeds\":{\"status\":\"DOWN\""));
            assertThat(status(port, "/actuator/health/liveness")).isEqualTo(200);
            assertThat(status(port, "/actuator/health/readiness")).isEqualTo(200);
            assertThat(body(port, "/status.json")).contains("\"flow\":\"orders\"").contains("\"state\":\"FAILING\"")
                    .contains("JLM answered HTTP 500");
        }
    }

    private int status(int port, String path) throws Exception {
        return http.send(request(port, path), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String body(int port, String path) throws Exception {
        return http.send(request(port, path), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build();
    }
}
