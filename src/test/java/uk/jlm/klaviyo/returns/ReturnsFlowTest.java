package uk.jlm.klaviyo.returns;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;

class ReturnsFlowTest extends FlowTestSupport {

    private static final String RETURN_ID = "9b1f6c4e-0000-4000-8000-000000000001";

    @Autowired
    TestRestTemplate http;

    private static ObjectNode returnIn(String state, String updated) {
        ObjectNode ret = (ObjectNode) readJson(OrderFixtures.resource("/jlm/returns/return-by-mail.json"));
        ret.put("state", state);
        ret.put("last_updated", updated);
        return ret;
    }

    private static JsonNode readJson(String text) {
        try {
            return OrderFixtures.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void stubReturns(ObjectNode... returns) {
        ObjectNode page = OrderFixtures.JSON.createObjectNode();
        page.putArray("data").addAll(java.util.List.of(returns));
        JLM.stubFor(get(urlPathEqualTo("/api/returns")).atPriority(1).willReturn(okJson(page.toString())));
    }

    private static void receivedOrder() {
        stubOrders(OrderFixtures.placed("JLM0001234-A").shipped("2026-11-04T16:02:40Z", "T1", "Royal Mail", "RM")
                .received("2026-11-06T12:00:00Z"));
        awaitSent("Delivered Order", 1);
    }

    @Test
    void returnMovingThroughStatesSendsOneEventPerState() {
        receivedOrder();
        stubReturns(returnIn("WAITING_ACCEPTANCE", "2026-11-10T09:00:00Z"));
        awaitSent("Returned Order", 1);
        stubReturns(returnIn("IN_PROGRESS", "2026-11-11T09:00:00Z"));
        awaitSent("Returned Order", 2);
        stubReturns(returnIn("RECEIVED", "2026-11-12T09:00:00Z"));
        awaitSent("Returned Order", 3);
        awaitPolls(2);

        assertThat(sent("Returned Order")).extracting(e -> uniqueIdOf(e)).containsExactly(
                RETURN_ID + ":WAITING_ACCEPTANCE", RETURN_ID + ":IN_PROGRESS", RETURN_ID + ":RECEIVED");
        JsonNode last = sent("Returned Order").get(2).at("/data/attributes");
        // One of the two jumpers on a 59.98 line.
        assertThat(last.get("value").decimalValue()).isEqualByComparingTo("29.99");
        assertThat(last.get("time").asText()).isEqualTo("2026-11-12T09:00:00Z");
        assertThat(last.at("/properties/ReturnState").asText()).isEqualTo("RECEIVED");
        assertThat(last.at("/properties/ReasonCode").asText()).isEqualTo("RETURN_PRODUCT_DOES_NOT_FIT");
        assertThat(last.at("/properties/ReturnedItems/0/ReturnedQuantity").asInt()).isEqualTo(1);
        assertThat(last.at("/properties/SKUs/0").asText()).isEqualTo("SELLER-JUMPER-RED-M");
        assertThat(last.at("/profile/data/attributes/external_id").asText()).isEqualTo("CUST-TEST-0001");
        KlaviyoContract.assertValid(klaviyoEvents());
    }

    @Test
    void returnForAnUnknownOrderIsDeadLetteredUntilTheOrderIsKnown() {
        stubReturns(returnIn("WAITING_ACCEPTANCE", "2026-11-10T09:00:00Z"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !deadLetters().isEmpty());
        assertThat((String) deadLetters().get(0).get("REASON")).contains("unknown to us");
        awaitPolls(2);
        assertThat(sent("Returned Order")).isEmpty();
        assertThat(deadLetters()).hasSize(1);

        // Once the order has been read, the overlap re-reads the return: it is sent and its dead letter closes.
        receivedOrder();
        awaitSent("Returned Order", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().isEmpty());
    }

    @Test
    void aRejectedReturnCanBeReplayedFromTheOpsApi() {
        ObjectNode broken = returnIn("RECEIVED", "2026-11-12T09:00:00Z");
        broken.put("state", "TELEPORTED");
        receivedOrder();
        stubReturns(broken);
        await().atMost(Duration.ofSeconds(10)).until(() -> !deadLetters().isEmpty());
        assertThat((String) deadLetters().get(0).get("REASON")).contains("unknown return state TELEPORTED");

        long id = ((Number) deadLetters().get(0).get("ID")).longValue();
        var replay = http.withBasicAuth("ops", OPS_PASSWORD)
                .postForEntity("/ops/dead-letters/" + id + "/replay", null, String.class);
        assertThat(replay.getStatusCode().value()).isEqualTo(202);
        // Still broken: replay records it again, with its reason, rather than dropping it.
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().size() == 1
                && ((Number) deadLetters().get(0).get("ID")).longValue() != id);
        assertThat(sent("Returned Order")).isEmpty();
    }

    @Test
    void followsPageTokensToTheEnd() {
        receivedOrder();
        ObjectNode second = returnIn("CLOSED", "2026-11-12T09:00:00Z");
        second.put("id", "9b1f6c4e-0000-4000-8000-000000000002");
        ObjectNode firstPage = OrderFixtures.JSON.createObjectNode();
        firstPage.putArray("data").add(returnIn("RECEIVED", "2026-11-12T09:00:00Z"));
        firstPage.put("next_page_token", "opaque-token-2");
        ObjectNode secondPage = OrderFixtures.JSON.createObjectNode();
        secondPage.putArray("data").add(second);
        JLM.stubFor(get(urlPathEqualTo("/api/returns")).atPriority(2).willReturn(okJson(firstPage.toString())));
        JLM.stubFor(get(urlPathEqualTo("/api/returns")).withQueryParam("page_token", equalTo("opaque-token-2"))
                .atPriority(1).willReturn(okJson(secondPage.toString())));

        awaitSent("Returned Order", 2);
        assertThat(sent("Returned Order")).extracting(e -> uniqueIdOf(e)).containsExactlyInAnyOrder(
                RETURN_ID + ":RECEIVED", "9b1f6c4e-0000-4000-8000-000000000002:CLOSED");
        var tokenRequest = JLM.findAll(getRequestedFor(urlPathEqualTo("/api/returns"))
                .withQueryParam("page_token", equalTo("opaque-token-2"))).get(0);
        assertThat(tokenRequest.queryParameter("return_last_updated_from").isPresent()).isFalse();
        var firstRequest = JLM.findAll(getRequestedFor(urlPathEqualTo("/api/returns"))).get(0);
        assertThat(firstRequest.queryParameter("return_last_updated_from").isPresent()).isTrue();
        assertThat(firstRequest.queryParameter("return_last_updated_to").isPresent()).isTrue();
    }
}
