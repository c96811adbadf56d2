package uk.jlm.klaviyo.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;

class DispatchFlowTest extends FlowTestSupport {

    @Test
    void dispatchSendsOneFulfilledOrderWithTrackingThenDeliveredOrder() {
        stubOrders(OrderFixtures.placed("DSP-1-A"));
        awaitSent("Placed Order", 1);

        stubOrders(OrderFixtures.placed("DSP-1-A").updated("2026-11-04T16:02:41Z")
                .shipped("2026-11-04T16:02:40Z", "XX000000000GB", "Royal Mail", "ROYAL_MAIL"));
        awaitSent("Fulfilled Order", 1);
        awaitPolls(2);

        assertThat(sent("Fulfilled Order")).hasSize(1);
        JsonNode fulfilled = sent("Fulfilled Order").get(0).at("/data/attributes");
        assertThat(fulfilled.get("unique_id").asText()).isEqualTo("DSP-1-A");
        assertThat(fulfilled.get("time").asText()).isEqualTo("2026-11-04T16:02:40Z");
        assertThat(fulfilled.get("value").decimalValue()).isEqualByComparingTo("89.92");
        assertThat(fulfilled.at("/properties/TrackingNumber").asText()).isEqualTo("XX000000000GB");
        assertThat(fulfilled.at("/properties/TrackingUrl").asText()).endsWith("/XX000000000GB");
        assertThat(fulfilled.at("/properties/Carrier").asText()).isEqualTo("Royal Mail");
        assertThat(fulfilled.at("/properties/CarrierCode").asText()).isEqualTo("ROYAL_MAIL");

        stubOrders(OrderFixtures.placed("DSP-1-A").updated("2026-11-06T12:00:01Z")
                .shipped("2026-11-04T16:02:40Z", "XX000000000GB", "Royal Mail", "ROYAL_MAIL")
                .received("2026-11-06T12:00:00Z"));
        awaitSent("Delivered Order", 1);
        awaitPolls(2);
        assertThat(sent("Delivered Order")).hasSize(1);
        JsonNode delivered = sent("Delivered Order").get(0).at("/data/attributes");
        assertThat(delivered.get("unique_id").asText()).isEqualTo("DSP-1-A");
        assertThat(delivered.get("time").asText()).isEqualTo("2026-11-06T12:00:00Z");
        assertThat(sent("Fulfilled Order")).hasSize(1);
        assertThat(sent("Placed Order")).hasSize(1);
        KlaviyoContract.assertValid(klaviyoEvents());
    }

    @Test
    void carrierFallsBackToItsCodeWithoutAName() {
        stubOrders(OrderFixtures.placed("DSP-2-A").shipped("2026-11-04T09:00:00Z", "TRK2", null, "DPD_UK"));
        awaitSent("Fulfilled Order", 1);
        JsonNode properties = sent("Fulfilled Order").get(0).at("/data/attributes/properties");
        assertThat(properties.get("Carrier").asText()).isEqualTo("DPD_UK");
        assertThat(properties.get("CarrierCode").asText()).isEqualTo("DPD_UK");
        // First seen already shipped: placed and dispatched both reported (in their own lanes), once each.
        awaitSent("Placed Order", 1);
        awaitPolls(2);
        assertThat(sent("Placed Order")).hasSize(1);
        assertThat(sent("Fulfilled Order")).hasSize(1);
    }
}
