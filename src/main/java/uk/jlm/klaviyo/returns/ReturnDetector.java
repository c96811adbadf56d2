package uk.jlm.klaviyo.returns;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.klaviyo.EndpointClass;
import uk.jlm.klaviyo.klaviyo.KlaviyoEvent;
import uk.jlm.klaviyo.klaviyo.OrderEventFactory;
import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.OrderChangeDetector;
import uk.jlm.klaviyo.outbox.OrderSnapshots;
import uk.jlm.klaviyo.outbox.Outbox;
import uk.jlm.klaviyo.outbox.OutboxEntry;

/**
 * {@code Returned Order} once per return and state (unique_id {@code <return id>:<state>}), valued at
 * Σ line price × returned quantity ÷ line quantity. Profile and lines come from the order's snapshot; a return
 * whose order we have never seen is dead-lettered (replay it once the order has arrived).
 */
@Component("returnDetector")
class ReturnDetector {

    static final String FLOW = "returns";

    private final OrderSnapshots snapshots;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final OrderEventFactory events;
    private final ObjectMapper json;
    private final TransactionTemplate tx;
    private final FlowMetrics metrics;

    ReturnDetector(OrderSnapshots snapshots, Outbox outbox, DeadLetters deadLetters, OrderEventFactory events,
                   ObjectMapper json, TransactionTemplate tx, FlowMetrics metrics) {
        this.snapshots = snapshots;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.events = events;
        this.json = json;
        this.tx = tx;
        this.metrics = metrics;
    }

    /** Applies one return read by the feed; a failure dead-letters this return only and never stops the page. */
    public void apply(ReturnsFeed.ReadReturn read) {
        try {
            detect(read);
        } catch (RuntimeException e) {
            deadLetters.inputRejected(FLOW, "return:" + read.value().id(), "could not process return: " + e.getMessage(),
                    read.rawJson());
        }
    }

    private void detect(ReturnsFeed.ReadReturn read) {
        MiraklReturn ret = read.value();
        String key = "return:" + ret.id() + ":" + ret.state();
        if (outbox.contains(FLOW, key)) {
            return;
        }
        String sourceRef = "return:" + ret.id();
        Optional<MiraklOrder> order = snapshots.find(ret.orderId()).map(s -> parse(s.orderJson()));
        if (order.isEmpty()) {
            deadLetters.inputRejected(FLOW, sourceRef, "return " + ret.id() + " is for order "
                    + ret.orderId() + ", which is unknown to us (replay once the order has been read)", read.rawJson());
            return;
        }
        KlaviyoEvent event = event(ret, order.get());
        tx.executeWithoutResult(status -> {
            if (outbox.enqueue(new OutboxEntry(FLOW, key, EndpointClass.EVENTS, OrderChangeDetector.EVENTS_PATH,
                    event.metric(), ret.orderId(), write(event), event.time()))) {
                metrics.detected(FLOW, event.metric());
            }
            deadLetters.resolved(FLOW, java.util.List.of(sourceRef));
        });
    }

    private KlaviyoEvent event(MiraklReturn ret, MiraklOrder order) {
        List<MiraklOrder.OrderLine> lines = new ArrayList<>();
        List<Map<String, Object>> returned = new ArrayList<>();
        BigDecimal value = BigDecimal.ZERO;
        for (MiraklReturn.Line returnLine : ret.returnLines()) {
            Optional<MiraklOrder.OrderLine> line = order.orderLines().stream()
                    .filter(l -> l.orderLineId().equals(returnLine.orderLineId())).findFirst();
            if (line.isEmpty()) {
                continue;
            }
            MiraklOrder.OrderLine l = line.get();
            lines.add(l);
            int quantity = l.quantity() == null || l.quantity() == 0 ? 1 : l.quantity();
            int returnedQuantity = returnLine.quantity() == null ? quantity : returnLine.quantity();
            value = value.add(MiraklOrder.nz(l.price()).multiply(BigDecimal.valueOf(returnedQuantity))
                    .divide(BigDecimal.valueOf(quantity), 2, RoundingMode.HALF_UP));
            Map<String, Object> item = new LinkedHashMap<>(events.item(l));
            item.put("ReturnedQuantity", returnedQuantity);
            item.put("ReturnReasonCode", returnLine.reasonCode());
            item.values().removeIf(java.util.Objects::isNull);
            returned.add(item);
        }
        String reasonCode = ret.reasonCode() != null ? ret.reasonCode()
                : ret.returnLines().stream().map(MiraklReturn.Line::reasonCode).filter(java.util.Objects::nonNull)
                .findFirst().orElse(null);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("ReturnId", ret.id());
        extra.put("ReturnState", ret.state());
        extra.put("ReasonCode", reasonCode);
        extra.put("Rma", ret.rma());
        extra.put("ReturnedItems", returned);
        return events.event(events.metrics().returnedOrder(), order, lines, ret.lastUpdated(), value,
                ret.id() + ":" + ret.state(), extra, false);
    }

    private MiraklOrder parse(String orderJson) {
        try {
            return json.readValue(orderJson, MiraklOrder.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("order snapshot is not a readable order", e);
        }
    }

    private String write(KlaviyoEvent event) {
        try {
            return json.writeValueAsString(event.toRequestBody(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
