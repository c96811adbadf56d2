package uk.jlm.klaviyo.config;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** JLM (Mirakl seller API) connection and feed tuning; see DESIGN.md "Configuration". */
@ConfigurationProperties("jlm")
public record JlmProperties(
        String baseUrl,
        String apiKey,
        String shopId,
        Orders orders,
        Returns returns,
        Consent consent,
        Reasons reasons) {

    public record Orders(Duration overlap, Duration endLag, int pageSize) {
    }

    public record Returns(Duration overlap, int pageSize) {
    }

    public record Consent(String orderField, String feedUrl, Duration overlap) {
    }

    /** RE01 reason list refresh and the operator's code → initiator table (customer/seller/operator). */
    public record Reasons(Duration refreshInterval, Map<String, String> initiators) {
        public Reasons {
            initiators = initiators == null ? Map.of() : Map.copyOf(initiators);
        }
    }
}
