package uk.jlm.klaviyo.cancellations;

import java.io.IOException;
import java.util.Map;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.jlm.JlmReasons;
import uk.jlm.klaviyo.jlm.JlmRequests;
import uk.jlm.klaviyo.jlm.MalformedJlmResponseException;

/** RE01 {@code GET /api/reasons} for route {@code cancellations-reasons} (call frequency: daily is plenty). */
@Component("reasonsFeed")
class ReasonsFeed {

    private final JlmRequests requests;
    private final JlmReasons reasons;

    ReasonsFeed(JlmRequests requests, JlmReasons reasons) {
        this.requests = requests;
        this.reasons = reasons;
    }

    public void prepareRequest(Exchange exchange) {
        requests.prepare(exchange, Map.of());
    }

    public void store(Exchange exchange) throws IOException {
        JlmRequests.forget(exchange);
        try {
            reasons.refresh(exchange.getMessage().getBody(String.class));
        } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MalformedJlmResponseException("RE01 response unusable: " + e.getMessage());
        }
    }
}
