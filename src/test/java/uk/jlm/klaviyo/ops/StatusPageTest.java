package uk.jlm.klaviyo.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.OrderFixtures;

/** The status page and its JSON are readable without login and show each flow's live aggregates. */
class StatusPageTest extends FlowTestSupport {

    @Autowired
    TestRestTemplate http;

    @Test
    void statusPageShowsEveryFlowWithLiveNumbersWithoutLogin() {
        stubOrders(OrderFixtures.placed("ST-1-A"));
        awaitSent("Ordered Product", 2);
        awaitSent("Placed Order", 1);
        awaitPolls(2);

        var page = http.getForEntity("/", String.class);
        assertThat(page.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(page.getHeaders().getContentType().toString()).startsWith("text/html");
        for (String flow : Flows.ALL) {
            assertThat(page.getBody()).contains("id=\"flow-" + flow + "\"");
        }
        assertThat(page.getBody()).doesNotContain("ST-1-A").doesNotContain("notification+");

        JsonNode status = http.getForObject("/status.json", JsonNode.class);
        JsonNode orders = null;
        for (JsonNode flow : status.get("flows")) {
            if (flow.get("flow").asText().equals("orders")) {
                orders = flow;
            }
        }
        assertThat(orders).isNotNull();
        assertThat(orders.get("state").asText()).isEqualTo("OK");
        assertThat(orders.get("delivered").asLong()).isEqualTo(3);
        assertThat(orders.get("secondsSinceLastPoll").asLong()).isLessThan(60);
        assertThat(status.toString()).doesNotContain("ST-1-A");
    }
}
