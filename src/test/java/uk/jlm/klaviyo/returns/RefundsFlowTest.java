package uk.jlm.klaviyo.returns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;

class RefundsFlowTest extends FlowTestSupport {

    private static OrderFixtures received(String id) {
        return OrderFixtures.placed(id).shipped("2026-11-04T16:02:40Z", "T1", "Royal Mail", "RM")
                .received("2026-11-06T12:00:00Z");
    }

    @Test
    void twoPartialRefundsOnOneOrderNeverCollide() {
        stubOrders(received("RF-1-A"));
        awaitSent("Delivered Order", 1);

        // Pending refunds are not reported.
        stubOrders(received("RF-1-A").updated("2026-11-20T11:00:00Z")
                .refund(0, "55001", "29.99", "WAITING_REFUND", "2026-11-20T10:59:59Z"));
        awaitPolls(2);
        assertThat(sent("Refunded Order")).isEmpty();

        stubOrders(received("RF-1-A").updated("2026-11-20T12:00:00Z")
                .refund(0, "55001", "29.99", "REFUNDED", "2026-11-20T11:59:59Z"));
        awaitSent("Refunded Order", 1);
        stubOrders(received("RF-1-A").updated("2026-11-21T12:00:00Z")
                .refund(0, "55001", "29.99", "REFUNDED", "2026-11-20T11:59:59Z")
                .refund(1, "55002", "24.99", "REFUNDED", "2026-11-21T11:59:59Z"));
        awaitSent("Refunded Order", 2);
        awaitPolls(2);

        assertThat(sent("Refunded Order")).extracting(e -> uniqueIdOf(e))
                .containsExactlyInAnyOrder("RF-1-A:r:55001", "RF-1-A:r:55002");
        assertThat(sent("Refunded Order")).extracting(e -> e.at("/data/attributes/value").decimalValue().toPlainString())
                .containsExactlyInAnyOrder("29.99", "24.99");
        KlaviyoContract.assertValid(klaviyoEvents());
    }

    @Test
    void refundThatFullyRefundsTheOrderReusesItsUniqueId() {
        stubOrders(received("RF-2-A"));
        awaitSent("Delivered Order", 1);
        stubOrders(received("RF-2-A").updated("2026-11-20T12:00:00Z").set("fully_refunded", true)
                .refund(0, "66001", "59.98", "REFUNDED", "2026-11-20T11:59:58Z")
                .refund(1, "66002", "24.99", "REFUNDED", "2026-11-20T11:59:59Z"));
        awaitSent("Refunded Order", 1);
        awaitPolls(2);

        assertThat(sent("Refunded Order")).hasSize(1);
        JsonNode full = sent("Refunded Order").get(0).at("/data/attributes");
        assertThat(full.get("unique_id").asText()).isEqualTo("RF-2-A");
        assertThat(full.get("value").decimalValue()).isEqualByComparingTo("84.97");
    }

    @Test
    void refundWithoutAnAmountIsDeadLetteredAndTheRestProceeds() {
        stubOrders(received("RF-3-A").updated("2026-11-20T12:00:00Z")
                .refund(0, "77001", null, "REFUNDED", "2026-11-20T11:59:58Z")
                .refund(1, "77002", "24.99", "REFUNDED", "2026-11-20T11:59:59Z"));
        awaitSent("Refunded Order", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !deadLetters().isEmpty());
        awaitPolls(2);

        assertThat(sent("Refunded Order")).extracting(e -> uniqueIdOf(e)).containsExactly("RF-3-A:r:77002");
        assertThat(deadLetters()).hasSize(1);
        assertThat((String) deadLetters().get(0).get("REASON")).contains("refund 77001").contains("no amount");
        assertThat(deadLetters().get(0).get("FLOW")).isEqualTo("returns");
    }
}
