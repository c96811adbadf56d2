package uk.jlm.klaviyo.cancellations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;

class CancellationsFlowTest extends FlowTestSupport {

    @BeforeEach
    void reasonListLoaded() {
        await().atMost(Duration.ofSeconds(10)).until(() ->
                jdbc.queryForObject("SELECT COUNT(*) FROM jlm_reason", Integer.class) == 4);
    }

    @Test
    void partialThenFullCancellationNetsTheOrderExactlyOnce() {
        stubOrders(OrderFixtures.placed("CXL-1-A"));
        awaitSent("Placed Order", 1);

        // Line 2 (24.99) cancelled by the customer: a partial cancellation.
        stubOrders(OrderFixtures.placed("CXL-1-A").updated("2026-11-03T12:00:00Z")
                .lineState(1, "CANCELED").cancel(1, "C-88001", "24.99", "CX-01", "2026-11-03T11:59:59Z"));
        awaitSent("Cancelled Order", 1);
        JsonNode partial = sent("Cancelled Order").get(0).at("/data/attributes");
        assertThat(partial.get("unique_id").asText()).isEqualTo("CXL-1-A:c:C-88001");
        assertThat(partial.get("value").decimalValue()).isEqualByComparingTo("24.99");
        assertThat(partial.get("time").asText()).isEqualTo("2026-11-03T11:59:59Z");
        assertThat(partial.at("/properties/ReasonCode").asText()).isEqualTo("CX-01");
        assertThat(partial.at("/properties/Reason").asText()).isEqualTo("Cancelled by the customer prior to shipping");
        assertThat(partial.at("/properties/Initiator").asText()).isEqualTo("customer");
        assertThat(partial.at("/properties/SKUs/0").asText()).isEqualTo("SELLER-MUG-BLU");

        // Then the seller cancels the rest (out of stock): the whole order is cancelled.
        stubOrders(OrderFixtures.placed("CXL-1-A").updated("2026-11-03T13:00:00Z").state("CANCELED")
                .cancel(1, "C-88001", "24.99", "CX-01", "2026-11-03T11:59:59Z")
                .cancel(0, "C-88002", "59.98", "SL-OOS", "2026-11-03T12:59:59Z"));
        awaitSent("Cancelled Order", 2);
        awaitPolls(2);

        assertThat(sent("Cancelled Order")).hasSize(2);
        JsonNode full = sent("Cancelled Order").stream().filter(e -> uniqueIdOf(e).equals("CXL-1-A")).findFirst()
                .orElseThrow().at("/data/attributes");
        // 89.92 order total minus the 24.99 already reported.
        assertThat(full.get("value").decimalValue()).isEqualByComparingTo("64.93");
        assertThat(full.at("/properties/ReasonCode").asText()).isEqualTo("SL-OOS");
        assertThat(full.at("/properties/Initiator").asText()).isEqualTo("seller");
        assertThat(full.at("/properties/Reason").asText()).isEqualTo("Out of stock");
        KlaviyoContract.assertValid(klaviyoEvents());
    }

    @Test
    void wholeOrderCancelledAtOnceSendsOneEventNotOnePerLine() {
        stubOrders(OrderFixtures.placed("CXL-2-A"));
        awaitSent("Placed Order", 1);

        stubOrders(OrderFixtures.placed("CXL-2-A").updated("2026-11-03T13:00:00Z").state("CANCELED")
                .cancel(0, "C-1", "59.98", "OP-FRAUD", "2026-11-03T12:59:58Z")
                .cancel(1, "C-2", "24.99", "OP-FRAUD", "2026-11-03T12:59:59Z"));
        awaitSent("Cancelled Order", 1);
        awaitPolls(2);

        assertThat(sent("Cancelled Order")).hasSize(1);
        JsonNode full = sent("Cancelled Order").get(0).at("/data/attributes");
        assertThat(full.get("unique_id").asText()).isEqualTo("CXL-2-A");
        assertThat(full.get("value").decimalValue()).isEqualByComparingTo("89.92");
        // Configured table (jlm.reasons.initiators.OP-FRAUD=operator) decides.
        assertThat(full.at("/properties/Initiator").asText()).isEqualTo("operator");
    }

    @Test
    void orderCancelledBeforeItWasPlacedSendsNothing() {
        stubOrders(OrderFixtures.placed("CXL-3-A").state("WAITING_ACCEPTANCE"));
        awaitPolls(2);
        stubOrders(OrderFixtures.placed("CXL-3-A").updated("2026-11-03T13:00:00Z").state("CANCELED")
                .cancel(0, "C-9", "59.98", "CX-01", "2026-11-03T12:59:58Z"));
        awaitPolls(3);
        assertThat(klaviyoEvents()).isEmpty();
    }

    @Test
    void unknownReasonCodeHasUnknownInitiator() {
        stubOrders(OrderFixtures.placed("CXL-4-A"));
        awaitSent("Placed Order", 1);
        stubOrders(OrderFixtures.placed("CXL-4-A").updated("2026-11-03T12:00:00Z")
                .cancel(1, "C-77", "24.99", "NOT-IN-RE01", "2026-11-03T11:59:59Z"));
        awaitSent("Cancelled Order", 1);
        JsonNode partial = sent("Cancelled Order").get(0).at("/data/attributes/properties");
        assertThat(partial.get("Initiator").asText()).isEqualTo("unknown");
        assertThat(partial.get("ReasonCode").asText()).isEqualTo("NOT-IN-RE01");
        assertThat(partial.has("Reason")).isFalse();
    }
}
