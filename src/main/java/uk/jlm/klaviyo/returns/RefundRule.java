package uk.jlm.klaviyo.returns;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.jlm.JlmReasons;
import uk.jlm.klaviyo.config.FlowsProperties;
import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.jlm.MiraklOrder.OrderLine;
import uk.jlm.klaviyo.jlm.MiraklOrder.Refund;
import uk.jlm.klaviyo.klaviyo.OrderEventFactory;
import uk.jlm.klaviyo.outbox.OrderChanges;
import uk.jlm.klaviyo.outbox.OrderTransitionRule;

/**
 * {@code Refunded Order} for each refund reaching {@code refund_state=REFUNDED} (reference/mirakl.md §3.2, §4.4).
 * A refund that leaves the order {@code fully_refunded} with no earlier refund event reuses the order's unique_id
 * (so Klaviyo nets revenue); every other refund is {@code <order_id>:r:<refund id>}.
 */
@Component
@Order(40)
class RefundRule implements OrderTransitionRule {

    static final String FLOW = "returns";

    private record LineRefund(OrderLine line, Refund refund) {
    }

    private final OrderEventFactory events;
    private final FlowsProperties flows;
    private final JlmReasons reasons;

    RefundRule(OrderEventFactory events, FlowsProperties flows, JlmReasons reasons) {
        this.events = events;
        this.flows = flows;
        this.reasons = reasons;
    }

    @Override
    public boolean enabled() {
        return flows.returns().enabled();
    }

    @Override
    public void detect(MiraklOrder order, OrderChanges changes) {
        String orderKey = "refund:" + order.orderId();
        String partialPrefix = orderKey + ":r:";
        List<LineRefund> fresh = new ArrayList<>();
        for (OrderLine line : order.orderLines()) {
            for (Refund refund : line.refunds()) {
                String key = partialPrefix + refund.id();
                if (!"REFUNDED".equals(refund.effectiveState()) || changes.seen(key)) {
                    continue;
                }
                if (!changes.placed()) {
                    changes.cover(key);
                } else if (refund.amount() == null) {
                    changes.reject(FLOW, key, "refund " + refund.id() + " of order " + order.orderId() + " has no amount");
                } else {
                    fresh.add(new LineRefund(line, refund));
                }
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        if (Boolean.TRUE.equals(order.fullyRefunded()) && !changes.anyReported(orderKey)) {
            BigDecimal value = fresh.stream().map(r -> r.refund().total()).reduce(BigDecimal.ZERO, BigDecimal::add);
            fresh.forEach(r -> changes.cover(partialPrefix + r.refund().id()));
            changes.emit(FLOW, orderKey, event(order, fresh, value, order.orderId(), "full"));
            return;
        }
        for (LineRefund r : fresh) {
            changes.emit(FLOW, partialPrefix + r.refund().id(), event(order, List.of(r), r.refund().total(),
                    order.orderId() + ":r:" + r.refund().id(), "partial"));
        }
    }

    private uk.jlm.klaviyo.klaviyo.KlaviyoEvent event(MiraklOrder order, List<LineRefund> refunds, BigDecimal value,
                                                      String uniqueId, String type) {
        Refund last = refunds.get(refunds.size() - 1).refund();
        OffsetDateTime time = refunds.stream().map(r -> r.refund().transactionDate() != null
                        ? r.refund().transactionDate() : r.refund().createdDate())
                .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(order.lastUpdatedDate());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("RefundIds", refunds.stream().map(r -> r.refund().id()).toList());
        extra.put("RefundType", type);
        extra.put("ReasonCode", last.reasonCode());
        extra.put("Reason", reasons.label(last.reasonCode()).orElse(null));
        return events.event(events.metrics().refundedOrder(), order,
                refunds.stream().map(LineRefund::line).distinct().toList(), time, value, uniqueId, extra, false);
    }
}
