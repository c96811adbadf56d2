package uk.jlm.klaviyo.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.OrderFixtures;

/** API keys and the ops password never reach logs, metrics, errors, actuator output or dead letters. */
@ExtendWith(OutputCaptureExtension.class)
class SecretsStayOutTest extends FlowTestSupport {

    @Autowired
    TestRestTemplate http;

    @Test
    void noSecretInLogsResponsesOrDeadLetters(CapturedOutput output) {
        KLAVIYO.stubFor(post(EVENTS).atPriority(1).willReturn(aResponse().withStatus(401)
                .withBody("{\"errors\":[{\"id\":\"x\",\"code\":\"not_authenticated\",\"title\":\"t\",\"detail\":\"bad key\"}]}")));
        JLM.stubFor(get(urlPathEqualTo("/api/returns")).atPriority(1).willReturn(aResponse().withStatus(500)));
        stubOrders(OrderFixtures.placed("SEC-1-A"));
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters().size() == 3);
        awaitPolls(1);

        List<String> exposed = new ArrayList<>();
        exposed.add(output.getAll());
        for (String path : List.of("/", "/status.json", "/actuator/health/readiness", "/actuator/prometheus",
                "/actuator/info")) {
            var response = http.getForEntity(path, String.class);
            assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.OK);
            exposed.add(response.getBody());
        }
        // The failing returns feed may already have turned the feeds component DOWN (503): the body still counts.
        exposed.add(http.getForEntity("/actuator/health", String.class).getBody());
        exposed.add(http.withBasicAuth("ops", OPS_PASSWORD).getForEntity("/actuator/health", String.class).getBody());
        var ops = http.withBasicAuth("ops", OPS_PASSWORD);
        exposed.add(ops.getForEntity("/ops/dead-letters", String.class).getBody());
        exposed.addAll(jdbc.queryForList("SELECT reason || ' ' || payload FROM dead_letter", String.class));
        exposed.addAll(jdbc.queryForList("SELECT COALESCE(last_failure_reason, '') FROM feed_state", String.class));
        for (String path : List.of("/actuator/env", "/actuator/configprops", "/actuator/heapdump", "/actuator/beans")) {
            var anonymous = http.getForEntity(path, String.class);
            assertThat(anonymous.getStatusCode().is2xxSuccessful()).as(path + " anonymous").isFalse();
            var withLogin = ops.getForEntity(path, String.class);
            assertThat(withLogin.getStatusCode().is2xxSuccessful()).as(path + " exposed").isFalse();
        }

        assertThat(exposed).allSatisfy(text -> assertThat(text == null ? "" : text)
                .doesNotContain(JLM_KEY).doesNotContain(KLAVIYO_KEY).doesNotContain(OPS_PASSWORD));
    }
}
