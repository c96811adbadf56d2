package uk.jlm.klaviyo.orders;

import java.util.List;
import java.util.Map;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.FlowsProperties;
import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.jlm.OrderStates;
import uk.jlm.klaviyo.klaviyo.OrderEventFactory;
import uk.jlm.klaviyo.outbox.OrderChanges;
import uk.jlm.klaviyo.outbox.OrderTransitionRule;

/**
 * {@code Placed Order} once, when an order is first seen at {@code SHIPPING} or later (accepted and paid), plus one
 * {@code Ordered Product} per line with unique_id {@code <order_id>:<order_line_id>}.
 */
@Component
@Order(10)
class PlacedOrderRule implements OrderTransitionRule {

    static final String FLOW = "orders";

    private final OrderEventFactory events;
    private final FlowsProperties flows;

    PlacedOrderRule(OrderEventFactory events, FlowsProperties flows) {
        this.events = events;
        this.flows = flows;
    }

    @Override
    public boolean enabled() {
        return flows.orders().enabled();
    }

    @Override
    public void detect(MiraklOrder order, OrderChanges changes) {
        if (changes.placed() || !OrderStates.PLACED_OR_LATER.contains(order.orderState())) {
            return;
        }
        changes.markPlaced();
        String placedKey = "placed:" + order.orderId();
        if (!changes.seen(placedKey)) {
            changes.emit(FLOW, placedKey, events.event(events.metrics().placedOrder(), order, order.orderLines(),
                    order.createdDate(), order.totalPrice(), order.orderId(), Map.of(), false));
        }
        for (MiraklOrder.OrderLine line : order.orderLines()) {
            String key = "product:" + order.orderId() + ":" + line.orderLineId();
            if (!changes.seen(key)) {
                changes.emit(FLOW, key, events.event(events.metrics().orderedProduct(), order, List.of(line),
                        order.createdDate(), line.price(), order.orderId() + ":" + line.orderLineId(),
                        events.item(line), false));
            }
        }
    }
}
