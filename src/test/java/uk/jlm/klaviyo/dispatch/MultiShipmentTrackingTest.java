package uk.jlm.klaviyo.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.AppInstance;
import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;
import uk.jlm.klaviyo.support.StandaloneFakes;

/** A multi-shipment shop's Fulfilled Order carries the tracking of its ST11 shipments. */
class MultiShipmentTrackingTest extends StandaloneFakes {

    private static final String SHIPMENTS = """
            {"data":[
             {"id":"shp-2","order_id":"MS-1-A","created_date":"2026-11-05T09:00:00Z","last_updated_date":"2026-11-05T09:00:00Z",
              "shipped_date":"2026-11-05T09:00:00Z","status":"SHIPPED","status_customer_debit":"DEBIT_OK",
              "shipment_lines":[{"order_line_id":"MS-1-A-2","quantity":1}],
              "tracking":{"carrier_code":"DPD_UK","carrier_name":"DPD","tracking_number":"DPD222","tracking_url":"https://dpd.example.invalid/DPD222"}},
             {"id":"shp-1","order_id":"MS-1-A","created_date":"2026-11-04T16:00:00Z","last_updated_date":"2026-11-04T16:00:00Z",
              "shipped_date":"2026-11-04T16:00:00Z","status":"SHIPPED","status_customer_debit":"DEBIT_OK",
              "shipment_lines":[{"order_line_id":"MS-1-A-1","quantity":2}],
              "tracking":{"carrier_code":"ROYAL_MAIL","tracking_number":"RM111","tracking_url":"https://rm.example.invalid/RM111"}}
            ]}""";


    @Test
    void fulfilledOrderTakesTrackingFromSt11Shipments() {
        jlm.stubFor(get(urlPathEqualTo("/api/orders")).willReturn(okJson(OrderFixtures.page(
                OrderFixtures.placed("MS-1-A").shipped("2026-11-05T09:00:00Z", null, null, null)))));
        jlm.stubFor(get(urlPathEqualTo("/api/shipments")).withQueryParam("order_id", equalTo("MS-1-A"))
                .willReturn(okJson(SHIPMENTS)));
        klaviyo.stubFor(post("/api/events").willReturn(aResponse().withStatus(202)));

        try (AppInstance app = AppInstance.start(jlm, klaviyo, "jdbc:h2:mem:multishipment;DB_CLOSE_DELAY=-1",
                Map.of("jlm.shipments.multi-shipment", "true"))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !fulfilled().isEmpty());
        }

        List<LoggedRequest> fulfilled = fulfilled();
        assertThat(fulfilled).hasSize(1);
        JsonNode properties = read(fulfilled.get(0).getBodyAsString()).at("/data/attributes/properties");
        assertThat(properties.get("TrackingNumber").asText()).isEqualTo("DPD222");
        assertThat(properties.get("Carrier").asText()).isEqualTo("DPD");
        assertThat(properties.get("CarrierCode").asText()).isEqualTo("DPD_UK");
        assertThat(properties.get("Shipments")).hasSize(2);
        assertThat(properties.at("/Shipments/0/TrackingNumber").asText()).isEqualTo("RM111");
        assertThat(properties.at("/Shipments/0/Carrier").asText()).isEqualTo("ROYAL_MAIL");
        assertThat(jlm.findAll(getRequestedFor(urlPathEqualTo("/api/shipments"))).get(0).getHeader("Authorization"))
                .isEqualTo(FlowTestSupport.JLM_KEY);
        KlaviyoContract.assertValid(fulfilled);
    }

    private List<LoggedRequest> fulfilled() {
        return klaviyo.findAll(postRequestedFor(urlPathEqualTo("/api/events")).withRequestBody(
                matchingJsonPath("$.data.attributes.metric.data.attributes.name", equalTo("Fulfilled Order"))));
    }

    private static JsonNode read(String text) {
        try {
            return OrderFixtures.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
