package uk.jlm.klaviyo.orders;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;

class OrdersFlowTest extends FlowTestSupport {

    @Autowired
    TestRestTemplate http;

    @Test
    void placedOrderSendsPlacedOrderAndOneOrderedProductPerLine() {
        stubOrders(OrderFixtures.placed("ORD-1-A"));

        awaitSent("Ordered Product", 2);
        awaitSent("Placed Order", 1);

        JsonNode placed = sent("Placed Order").get(0).at("/data/attributes");
        assertThat(placed.get("unique_id").asText()).isEqualTo("ORD-1-A");
        assertThat(placed.get("value").decimalValue()).isEqualByComparingTo("89.92");
        assertThat(placed.get("value_currency").asText()).isEqualTo("GBP");
        assertThat(placed.get("time").asText()).isEqualTo("2026-11-03T10:15:22Z");
        assertThat(placed.at("/properties/OrderId").asText()).isEqualTo("ORD-1-A");
        assertThat(placed.at("/properties/SKUs")).extracting(JsonNode::asText)
                .containsExactly("SELLER-JUMPER-RED-M", "SELLER-MUG-BLU");
        assertThat(placed.at("/properties/ItemNames")).hasSize(2);
        assertThat(placed.at("/properties/Categories")).extracting(JsonNode::asText).containsExactly("Knitwear", "Kitchen");
        assertThat(placed.at("/properties/Items/0/ImageURL").asText())
                .isEqualTo(JLM.baseUrl() + "/media/product/image/00000000-fake-0000-0000-000000000001");
        JsonNode profile = placed.at("/profile/data/attributes");
        assertThat(profile.get("email").asText()).isEqualTo("notification+fake0token0001@notification.mirakl.invalid");
        assertThat(profile.get("external_id").asText()).isEqualTo("CUST-TEST-0001");
        assertThat(profile.get("first_name").asText()).isEqualTo("Testy");
        assertThat(profile.get("last_name").asText()).isEqualTo("McTestface");

        assertThat(sent("Ordered Product")).extracting(e -> uniqueIdOf(e))
                .containsExactlyInAnyOrder("ORD-1-A:ORD-1-A-1", "ORD-1-A:ORD-1-A-2");
        assertThat(sent("Ordered Product")).extracting(e -> e.at("/data/attributes/value").decimalValue().toPlainString())
                .containsExactlyInAnyOrder("59.98", "24.99");

        LoggedRequest request = klaviyoEvents().get(0);
        assertThat(request.getHeader("Authorization")).isEqualTo("Klaviyo-API-Key " + KLAVIYO_KEY);
        assertThat(request.getHeader("revision")).isEqualTo("2026-07-15");
        assertThat(request.getHeader("Content-Type")).startsWith("application/vnd.api+json");
        KlaviyoContract.assertValid(klaviyoEvents());
    }

    @Test
    void overlapsAndReReadsSendNothingTwice() {
        stubOrders(OrderFixtures.placed("ORD-2-A"));
        awaitSent("Placed Order", 1);
        awaitSent("Ordered Product", 2);

        awaitPolls(3);
        // JLM bumps last_updated_date without any transition we report: still nothing new.
        stubOrders(OrderFixtures.placed("ORD-2-A").updated("2026-11-03T11:00:00Z"));
        awaitPolls(3);

        assertThat(sent("Placed Order")).hasSize(1);
        assertThat(sent("Ordered Product")).hasSize(2);
        assertThat(outboxCount("DONE")).isEqualTo(3);
    }

    @Test
    void orderIsPlacedOnlyOnceItReachesShipping() {
        stubOrders(OrderFixtures.placed("ORD-3-A").state("WAITING_ACCEPTANCE"));
        awaitPolls(2);
        assertThat(klaviyoEvents()).isEmpty();

        stubOrders(OrderFixtures.placed("ORD-3-A").state("SHIPPING").updated("2026-11-03T11:00:00Z"));
        awaitSent("Placed Order", 1);
        assertThat(uniqueIdOf(sent("Placed Order").get(0))).isEqualTo("ORD-3-A");
    }

    @Test
    void pagesThroughTheWholeWindowWithOffsetAndMax() {
        List<ObjectNode> all = IntStream.range(0, 230)
                .mapToObj(i -> OrderFixtures.placed("PAGED-" + i + "-A").json()).toList();
        for (int offset = 0; offset < all.size(); offset += 100) {
            List<ObjectNode> page = all.subList(offset, Math.min(offset + 100, all.size()));
            JLM.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("offset", equalTo(Integer.toString(offset)))
                    .atPriority(1).willReturn(okJson(OrderFixtures.page(new ArrayList<>(page), all.size()))));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> sent("Placed Order").size() >= 230);

        assertThat(sent("Placed Order")).extracting(e -> uniqueIdOf(e)).doesNotHaveDuplicates().hasSize(230);
        List<LoggedRequest> requests = JLM.findAll(getRequestedFor(urlPathEqualTo("/api/orders")));
        LoggedRequest first = requests.get(0);
        assertThat(first.queryParameter("max").firstValue()).isEqualTo("100");
        assertThat(first.queryParameter("end_update_date").isPresent()).isTrue();
        assertThat(first.getHeader("Authorization")).isEqualTo(JLM_KEY);
        assertThat(requests).extracting(r -> r.queryParameter("offset").firstValue()).contains("0", "100", "200");
    }

    @Test
    void watermarkMovesOnlyAfterTheWholeWindowIsRead() {
        awaitPolls(1);
        Timestamp committed = jdbc.queryForObject("SELECT watermark FROM feed_state WHERE feed = 'orders'", Timestamp.class);
        assertThat(committed).isNotNull();

        List<ObjectNode> firstPage = IntStream.range(0, 100).mapToObj(i -> OrderFixtures.placed("W-" + i + "-A").json()).toList();
        JLM.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("offset", equalTo("0")).atPriority(1)
                .willReturn(okJson(OrderFixtures.page(firstPage, 101))));
        JLM.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("offset", equalTo("100")).atPriority(1)
                .willReturn(aResponse().withStatus(503)));
        awaitPolls(3);

        assertThat(jdbc.queryForObject("SELECT watermark FROM feed_state WHERE feed = 'orders'", Timestamp.class))
                .isEqualTo(committed);
        assertThat(jdbc.queryForObject("SELECT consecutive_failures FROM feed_state WHERE feed = 'orders'", Integer.class))
                .isGreaterThanOrEqualTo(2);
        String windowStart = JLM.findAll(getRequestedFor(urlPathEqualTo("/api/orders"))).get(0)
                .queryParameter("start_update_date").firstValue();

        JLM.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("offset", equalTo("100")).atPriority(1)
                .willReturn(okJson(OrderFixtures.page(List.of(OrderFixtures.placed("W-100-A").json()), 101))));
        await().atMost(Duration.ofSeconds(30)).until(() -> sent("Placed Order").size() >= 101);
        awaitPolls(1);
        Timestamp moved = jdbc.queryForObject("SELECT watermark FROM feed_state WHERE feed = 'orders'", Timestamp.class);
        assertThat(moved).isAfter(committed);
        assertThat(Instant.parse(windowStart)).isBefore(committed.toInstant());
    }

    @Test
    void badOrdersAreDeadLetteredWithTheirReasonAndTheRestIsDelivered() {
        OrderFixtures noCustomer = OrderFixtures.placed("BAD-1-A").remove("customer");
        OrderFixtures unknownState = OrderFixtures.placed("BAD-2-A").set("order_state", "TELEPORTED");
        stubOrders(noCustomer, OrderFixtures.placed("GOOD-1-A"), unknownState);

        awaitSent("Placed Order", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().size() >= 2);
        awaitPolls(2);

        assertThat(sent("Placed Order")).extracting(e -> uniqueIdOf(e)).containsExactly("GOOD-1-A");
        List<Map<String, Object>> dead = deadLetters();
        assertThat(dead).hasSize(2);
        assertThat(dead).extracting(d -> d.get("SOURCE_REF")).containsExactlyInAnyOrder("BAD-1-A", "BAD-2-A");
        assertThat(dead).extracting(d -> (String) d.get("REASON"))
                .anyMatch(r -> r.contains("customer")).anyMatch(r -> r.contains("unknown order_state TELEPORTED"));
        assertThat(http.getForEntity("/actuator/health", String.class).getBody()).contains("UP");
    }

    @Test
    void aPageThatIsNotJsonFailsThePollKeepsTheWatermarkAndIsDeadLettered() {
        awaitPolls(1);
        Timestamp committed = jdbc.queryForObject("SELECT watermark FROM feed_state WHERE feed = 'orders'", Timestamp.class);
        JLM.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("offset", equalTo("0")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("<html>maintenance</html>")));
        awaitPolls(2);

        assertThat(jdbc.queryForObject("SELECT watermark FROM feed_state WHERE feed = 'orders'", Timestamp.class))
                .isEqualTo(committed);
        assertThat(deadLetters()).hasSize(1);
        assertThat((String) deadLetters().get(0).get("REASON")).contains("not JSON");
        assertThat(http.getForEntity("/actuator/health", String.class).getBody()).contains("UP");

        stubOrders(OrderFixtures.placed("AFTER-1-A"));
        awaitSent("Placed Order", 1);
    }
}
