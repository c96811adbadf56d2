package uk.jlm.klaviyo.dispatch;

import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.FlowsProperties;
import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.jlm.MiraklOrder.OrderLine;
import uk.jlm.klaviyo.jlm.OrderStates;
import uk.jlm.klaviyo.klaviyo.OrderEventFactory;
import uk.jlm.klaviyo.outbox.OrderChanges;
import uk.jlm.klaviyo.outbox.OrderTransitionRule;

/**
 * {@code Fulfilled Order} when a placed order's lines reach {@code SHIPPED} (JLM dispatch confirmation, with
 * tracking) and {@code Delivered Order} when they reach {@code RECEIVED}. Both use unique_id {@code <order_id>}
 * and travel in the {@code dispatch} lane so they never wait behind other flows' backlog.
 */
@Component
@Order(20)
class DispatchRule implements OrderTransitionRule {

    static final String FLOW = "dispatch";

    private final OrderEventFactory events;
    private final FlowsProperties flows;

    DispatchRule(OrderEventFactory events, FlowsProperties flows) {
        this.events = events;
        this.flows = flows;
    }

    @Override
    public boolean enabled() {
        return flows.dispatch().enabled();
    }

    @Override
    public void detect(MiraklOrder order, OrderChanges changes) {
        if (!changes.placed()) {
            return;
        }
        List<OrderLine> shipped = order.orderLines().stream()
                .filter(l -> l.shippedDate() != null || OrderStates.DISPATCHED.contains(l.orderLineState()))
                .toList();
        String fulfilledKey = "fulfilled:" + order.orderId();
        if (!shipped.isEmpty() && !changes.seen(fulfilledKey)) {
            changes.emit(FLOW, fulfilledKey, events.event(events.metrics().fulfilledOrder(), order, shipped,
                    latest(shipped, OrderLine::shippedDate, order), order.totalPrice(), order.orderId(),
                    tracking(order), false));
        }
        List<OrderLine> received = order.orderLines().stream()
                .filter(l -> l.receivedDate() != null || "RECEIVED".equals(l.orderLineState()))
                .toList();
        String deliveredKey = "delivered:" + order.orderId();
        if (!received.isEmpty() && !changes.seen(deliveredKey)) {
            changes.emit(FLOW, deliveredKey, events.event(events.metrics().deliveredOrder(), order, received,
                    latest(received, OrderLine::receivedDate, order), order.totalPrice(), order.orderId(),
                    tracking(order), false));
        }
    }

    /** {@code Carrier} is the carrier's name when JLM has one, else its code (DESIGN.md "Pinned behaviour"). */
    private static Map<String, Object> tracking(MiraklOrder order) {
        Map<String, Object> tracking = new LinkedHashMap<>();
        tracking.put("TrackingNumber", order.shippingTracking());
        tracking.put("TrackingUrl", order.shippingTrackingUrl());
        tracking.put("Carrier", order.shippingCompany() != null ? order.shippingCompany() : order.shippingCarrierCode());
        tracking.put("CarrierCode", order.shippingCarrierCode());
        return tracking;
    }

    private static OffsetDateTime latest(List<OrderLine> lines, Function<OrderLine, OffsetDateTime> date,
                                         MiraklOrder order) {
        return lines.stream().map(date).filter(Objects::nonNull).max(Comparator.naturalOrder())
                .orElse(order.lastUpdatedDate());
    }
}
