package uk.jlm.klaviyo.consent;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import uk.jlm.klaviyo.config.FlowsProperties;
import uk.jlm.klaviyo.config.JlmProperties;
import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.outbox.OrderChanges;
import uk.jlm.klaviyo.outbox.OrderTransitionRule;

/**
 * Consent from an order's BOOLEAN custom field {@code jlm.consent.order-field} (its value is the string
 * "true"/"false", reference/mirakl.md §4.3, §10), stamped with the order's {@code last_updated_date}. Read from
 * the orders the orders feed already fetches: no extra OR11 poll. Any other value is unknown consent: nothing.
 */
@Component
@Order(50)
class ConsentOrderFieldRule implements OrderTransitionRule {

    private final ConsentLedger ledger;
    private final FlowsProperties flows;
    private final ObjectMapper json;
    private final String field;

    ConsentOrderFieldRule(ConsentLedger ledger, FlowsProperties flows, ObjectMapper json, JlmProperties jlm) {
        this.ledger = ledger;
        this.json = json;
        this.flows = flows;
        this.field = jlm.consent().orderField();
    }

    @Override
    public boolean enabled() {
        return flows.consent().enabled() && StringUtils.hasText(field);
    }

    @Override
    public void detect(MiraklOrder order, OrderChanges changes) {
        order.customField(field).map(String::trim).filter(v -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"))
                .ifPresent(value -> ledger.record(new ConsentChange(order.customerId(), order.customerNotificationEmail(),
                        Boolean.parseBoolean(value), order.lastUpdatedDate(), "order", json.createObjectNode()
                        .put("order_id", order.orderId()).put("customer_id", order.customerId())
                        .put("field", field).put("value", value).toString())));
    }
}
