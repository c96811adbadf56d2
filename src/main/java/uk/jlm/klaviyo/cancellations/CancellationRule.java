package uk.jlm.klaviyo.cancellations;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.FlowsProperties;
import uk.jlm.klaviyo.jlm.JlmReasons;
import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.jlm.MiraklOrder.Cancelation;
import uk.jlm.klaviyo.jlm.MiraklOrder.OrderLine;
import uk.jlm.klaviyo.jlm.OrderStates;
import uk.jlm.klaviyo.klaviyo.OrderEventFactory;
import uk.jlm.klaviyo.outbox.OrderChanges;
import uk.jlm.klaviyo.outbox.OrderTransitionRule;

/**
 * {@code Cancelled Order} (reference/mirakl.md §5). A whole order cancelled or refused after it was placed sends
 * exactly one event with the Placed Order's unique_id and the value not already reported by partial
 * cancellations; each new {@code cancelations[].id} on a partly cancelled order sends {@code <order_id>:c:<id>}
 * with its amount. An order cancelled before it was placed sends nothing unless
 * {@code flows.cancel-before-placed} is set.
 */
@Component
@Order(30)
class CancellationRule implements OrderTransitionRule {

    static final String FLOW = "cancellations";

    private final OrderEventFactory events;
    private final FlowsProperties flows;
    private final JlmReasons reasons;

    CancellationRule(OrderEventFactory events, FlowsProperties flows, JlmReasons reasons) {
        this.events = events;
        this.flows = flows;
        this.reasons = reasons;
    }

    @Override
    public boolean enabled() {
        return flows.cancellations().enabled();
    }

    @Override
    public void detect(MiraklOrder order, OrderChanges changes) {
        String orderKey = "cancel:" + order.orderId();
        String partialPrefix = orderKey + ":c:";
        boolean sendable = changes.placed() || flows.cancelBeforePlaced();
        if (fullyCancelled(order)) {
            if (!changes.seen(orderKey) && sendable) {
                BigDecimal value = MiraklOrder.nz(order.totalPrice()).subtract(changes.reportedSum(partialPrefix));
                Optional<Cancelation> last = order.cancelations()
                        .filter(c -> c.createdDate() != null).max(Comparator.comparing(Cancelation::createdDate));
                String reasonCode = last.map(Cancelation::reasonCode).filter(Objects::nonNull)
                        .or(() -> Optional.ofNullable(order.orderStateReasonCode()))
                        .or(() -> order.orderLines().stream().map(OrderLine::orderLineStateReasonCode)
                                .filter(Objects::nonNull).findFirst())
                        .orElse(null);
                changes.emit(FLOW, orderKey, events.event(events.metrics().cancelledOrder(), order, order.orderLines(),
                        last.map(Cancelation::createdDate).orElse(order.lastUpdatedDate()), value.max(BigDecimal.ZERO),
                        order.orderId(), reasonProperties(reasonCode, "REFUSED".equals(order.orderState()), true),
                        false));
            }
            changes.cover(orderKey);
            order.cancelations().forEach(c -> changes.cover(partialPrefix + c.id()));
            return;
        }
        for (OrderLine line : order.orderLines()) {
            for (Cancelation cancelation : line.cancelations()) {
                String key = partialPrefix + cancelation.id();
                if (changes.seen(key)) {
                    continue;
                }
                if (!sendable) {
                    changes.cover(key);
                    continue;
                }
                if (cancelation.amount() == null) {
                    changes.reject(FLOW, key, "cancellation " + cancelation.id() + " of order " + order.orderId()
                            + " has no amount");
                    continue;
                }
                Map<String, Object> extra = reasonProperties(cancelation.reasonCode(), false, false);
                extra.put("CancelledQuantity", cancelation.quantity());
                changes.emit(FLOW, key, events.event(events.metrics().cancelledOrder(), order, List.of(line),
                        cancelation.createdDate() != null ? cancelation.createdDate() : order.lastUpdatedDate(),
                        cancelation.total(), order.orderId() + ":c:" + cancelation.id(), extra, false));
            }
        }
    }

    static boolean fullyCancelled(MiraklOrder order) {
        return OrderStates.ENDED_UNFULFILLED.contains(order.orderState())
                || (!order.orderLines().isEmpty() && order.orderLines().stream()
                .allMatch(l -> OrderStates.ENDED_UNFULFILLED.contains(l.orderLineState())));
    }

    private Map<String, Object> reasonProperties(String reasonCode, boolean refused, boolean full) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("ReasonCode", reasonCode);
        properties.put("Reason", reasons.label(reasonCode).orElse(null));
        properties.put("Initiator", refused ? "seller" : reasons.initiator(reasonCode));
        properties.put("CancellationType", full ? "full" : "partial");
        return properties;
    }
}
