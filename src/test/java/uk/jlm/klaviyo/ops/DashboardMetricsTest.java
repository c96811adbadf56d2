package uk.jlm.klaviyo.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.OrderFixtures;

/** Every metric the shipped Grafana dashboard and Prometheus alert rules use is exported, tagged by flow. */
class DashboardMetricsTest extends FlowTestSupport {

    private static final Pattern METRIC = Pattern.compile("\\b((?:jlm_klaviyo|camel)_[a-z_]+)\\b");

    @Autowired
    TestRestTemplate http;

    @Test
    void everyMetricTheDashboardAndAlertsReferenceIsExported() throws Exception {
        // Exercise the paths that create the lazily tagged series: deliveries and a dead letter.
        KLAVIYO.stubFor(post(EVENTS).withRequestBody(containing("\"name\":\"Placed Order\"")).atPriority(1)
                .willReturn(aResponse().withStatus(400)));
        stubOrders(OrderFixtures.placed("DM-1-A"));
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters().size() == 1 && outboxCount("DONE") == 2);

        Set<String> referenced = new TreeSet<>();
        for (Path file : new Path[] {Path.of("ops/grafana/jlm-klaviyo.json"), Path.of("ops/prometheus/alerts.yml")}) {
            Matcher m = METRIC.matcher(Files.readString(file));
            while (m.find()) {
                referenced.add(m.group(1));
            }
        }
        assertThat(referenced).hasSizeGreaterThan(10);

        String exported = http.getForObject("/actuator/prometheus", String.class);
        Set<String> series = new TreeSet<>();
        for (String line : exported.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                series.add(line.replaceAll("[{ ].*", ""));
            }
        }
        assertThat(series).containsAll(referenced);
        assertThat(exported).contains("jlm_klaviyo_outbox_pending{flow=\"dispatch\"}")
                .contains("jlm_klaviyo_dead_letters{flow=\"orders\"} 1.0");
    }
}
