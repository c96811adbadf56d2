package uk.jlm.klaviyo.outbox;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.jlm.ReadOrder;
import uk.jlm.klaviyo.klaviyo.EndpointClass;
import uk.jlm.klaviyo.ops.FlowMetrics;

/**
 * Turns OR11 snapshots into business events exactly once (DESIGN.md "Data flow" 2–3): compares each order with
 * its stored snapshot, lets every enabled {@link OrderTransitionRule} add what changed, and commits the new
 * snapshot together with the outbox rows in one transaction. Re-seen orders, overlaps and restarts add nothing.
 */
@Component
public class OrderChangeDetector {

    public static final String EVENTS_PATH = "/api/events";

    private static final Logger log = LoggerFactory.getLogger(OrderChangeDetector.class);

    private final List<OrderTransitionRule> rules;
    private final OrderSnapshots snapshots;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final FlowMetrics metrics;

    OrderChangeDetector(List<OrderTransitionRule> rules, OrderSnapshots snapshots, Outbox outbox,
                        DeadLetters deadLetters, TransactionTemplate tx, ObjectMapper json, FlowMetrics metrics) {
        this.rules = rules;
        this.snapshots = snapshots;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.tx = tx;
        this.json = json;
        this.metrics = metrics;
    }

    /** Applies one order read by the feed; a failure dead-letters this order only and never stops the page. */
    public void apply(ReadOrder read) {
        reapply(read, false);
    }

    /** {@code force} re-evaluates an order even if its snapshot is as new (used when replaying a dead letter). */
    public int reapply(ReadOrder read, boolean force) {
        MiraklOrder order = read.order();
        MDC.put("orderId", order.orderId());
        try {
            Integer queued = tx.execute(status -> detect(read, force));
            return queued == null ? 0 : queued;
        } catch (RuntimeException e) {
            log.warn("order {} could not be processed: {}", order.orderId(), e.toString());
            deadLetters.inputRejected("orders", order.orderId(), "could not process order: " + e.getMessage(),
                    read.rawJson());
            return 0;
        } finally {
            MDC.remove("orderId");
        }
    }

    private int detect(ReadOrder read, boolean force) {
        MiraklOrder order = read.order();
        Optional<OrderSnapshots.Snapshot> previous = snapshots.find(order.orderId());
        if (!force && previous.isPresent()
                && !order.lastUpdatedDate().toInstant().isAfter(previous.get().lastUpdated())) {
            return 0;
        }
        OrderChanges changes = previous
                .map(s -> new OrderChanges(s.reported(), s.placed()))
                .orElseGet(() -> new OrderChanges(Map.of(), false));
        for (OrderTransitionRule rule : rules) {
            if (rule.enabled()) {
                rule.detect(order, changes);
            }
        }
        int queued = 0;
        for (OrderChanges.Emission emission : changes.emissions()) {
            if (outbox.enqueue(new OutboxEntry(emission.flow(), emission.key(), EndpointClass.EVENTS, EVENTS_PATH,
                    emission.event().metric(), order.orderId(), write(emission), emission.event().time()))) {
                metrics.detected(emission.flow(), emission.event().metric());
                queued++;
            }
        }
        for (OrderChanges.Rejection rejection : changes.rejections()) {
            deadLetters.inputRejected(rejection.flow(), rejection.sourceRef(), rejection.reason(), read.rawJson());
        }
        Optional<OrderSnapshots.Snapshot> newer = previous.filter(
                s -> s.lastUpdated().isAfter(order.lastUpdatedDate().toInstant()));
        snapshots.save(order.orderId(), newer.map(OrderSnapshots.Snapshot::state).orElse(order.orderState()),
                newer.map(OrderSnapshots.Snapshot::lastUpdated).orElse(order.lastUpdatedDate().toInstant()),
                changes, newer.map(OrderSnapshots.Snapshot::orderJson).orElse(read.rawJson()));
        return queued;
    }

    private String write(OrderChanges.Emission emission) {
        try {
            return json.writeValueAsString(emission.event().toRequestBody(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
