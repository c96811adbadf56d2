package uk.jlm.klaviyo.klaviyo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.AppInstance;
import uk.jlm.klaviyo.support.OrderFixtures;
import uk.jlm.klaviyo.support.StandaloneFakes;

/**
 * The client-side limit holds in every sliding window, measured where Klaviyo measures it (arrival), for both
 * throttles together (Klaviyo counts in fixed windows: a plain token bucket could put ~2× the limit in one).
 * The minute window is scaled down to 3 s (+ the same 100 ms margin as production) so the test stays short.
 */
class RateLimitTest extends StandaloneFakes {


    @Test
    void noWindowEverHoldsMoreThanTheLimit() {
        List<ObjectNode> orders = IntStream.range(0, 50).mapToObj(i -> OrderFixtures.placed("RT-" + i + "-A").json()).toList();
        jlm.stubFor(get(urlPathEqualTo("/api/orders")).willReturn(okJson(OrderFixtures.page(orders, orders.size()))));
        klaviyo.stubFor(post("/api/events").willReturn(aResponse().withStatus(202)));

        try (AppInstance app = AppInstance.start(jlm, klaviyo, "jdbc:h2:mem:ratelimit;DB_CLOSE_DELAY=-1", Map.of(
                "klaviyo.rate-limit.events.per-second", "20",
                "klaviyo.rate-limit.events.per-minute", "45",
                "klaviyo.rate-limit.minute-window-ms", "3100",
                "delivery.threads", "16"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> sentAt().size() >= 150);
        }

        List<Long> arrivals = sentAt();
        assertThat(arrivals).hasSize(150);
        assertThat(maxInAnyWindow(arrivals, 1000)).isLessThanOrEqualTo(20);
        assertThat(maxInAnyWindow(arrivals, 3000)).isLessThanOrEqualTo(45);
        // The limiter is not idle either: some window uses the whole per-second budget.
        assertThat(maxInAnyWindow(arrivals, 1000)).isGreaterThanOrEqualTo(15);
    }

    private List<Long> sentAt() {
        return klaviyo.findAll(postRequestedFor(urlPathEqualTo("/api/events"))).stream()
                .map(r -> r.getLoggedDate().getTime()).sorted().toList();
    }

    /** The most requests that arrived within any window of {@code millis} (sliding). */
    static int maxInAnyWindow(List<Long> sortedArrivals, long millis) {
        int max = 0;
        int start = 0;
        for (int end = 0; end < sortedArrivals.size(); end++) {
            while (sortedArrivals.get(end) - sortedArrivals.get(start) >= millis) {
                start++;
            }
            max = Math.max(max, end - start + 1);
        }
        return max;
    }
}
