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

    /**
     * Applies a whole OR11 page in one transaction with batched writes (the fast path). If anything in it fails — a
     * bad order, an order listed twice on one page — the page is applied again one order per transaction, so a
     * failure dead-letters that order only and never stops the rest.
     */
    public void applyPage(List<ReadOrder> page) {
        try {
            tx.executeWithoutResult(status -> detectPage(page));
        } catch (RuntimeException e) {
            log.debug("page applied order by order after: {}", e.toString());
            page.forEach(read -> reapply(read, false));
        }
    }

    private void detectPage(List<ReadOrder> page) {
        Map<String, OrderSnapshots.Snapshot> previous = snapshots.findAll(
                page.stream().map(r -> r.order().orderId()).toList());
        List<OutboxEntry> entries = new java.util.ArrayList<>();
        List<OrderSnapshots.Write> writes = new java.util.ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ReadOrder read : page) {
            MiraklOrder order = read.order();
            if (!seen.add(order.orderId())) {
                throw new IllegalStateException("order " + order.orderId() + " appears twice on one page");
            }
            OrderSnapshots.Snapshot snapshot = previous.get(order.orderId());
            if (snapshot != null && !order.lastUpdatedDate().toInstant().isAfter(snapshot.lastUpdated())) {
                continue;
            }
            OrderChanges changes = changesFor(Optional.ofNullable(snapshot), order);
            changes.emissions().forEach(emission -> entries.add(entry(order, emission)));
            changes.rejections().forEach(r -> deadLetters.inputRejected(r.flow(), r.sourceRef(), r.reason(),
                    read.rawJson()));
            writes.add(new OrderSnapshots.Write(order.orderId(), order.orderState(), order.lastUpdatedDate().toInstant(),
                    changes, read.rawJson(), snapshot != null));
        }
        outbox.enqueueAll(entries);
        snapshots.saveAll(writes);
        deadLetters.resolved("orders", writes.stream().map(OrderSnapshots.Write::orderId).toList());
        entries.forEach(e -> metrics.detected(e.flow(), e.metric()));
    }

    /** What a backfill page produced. */
    public record BackfillResult(int seen, int skipped, int rejected, int queued) {
    }

    /**
     * The historical backfill's detection: orders this service has never seen produce the events the live flows
     * would for their final state, queued in lane {@code lane} (sent with {@code backfill: true}), and get their
     * snapshot, so the live flows only add later transitions. Orders with a snapshot are skipped: the live flows or
     * an earlier run already covered them. {@code progress} runs in the same transaction (the run's cursor), so a
     * page is either wholly done or not at all.
     */
    public BackfillResult backfillPage(List<ReadOrder> page, String lane, java.util.function.Consumer<BackfillResult> progress) {
        try {
            return tx.execute(status -> {
                BackfillResult result = backfill(page, lane);
                progress.accept(result);
                return result;
            });
        } catch (RuntimeException e) {
            log.debug("backfill page applied order by order after: {}", e.toString());
            int seen = 0, skipped = 0, rejected = 0, queued = 0;
            for (ReadOrder read : page) {
                try {
                    BackfillResult one = tx.execute(status -> backfill(List.of(read), lane));
                    seen += one.seen();
                    skipped += one.skipped();
                    rejected += one.rejected();
                    queued += one.queued();
                } catch (RuntimeException failure) {
                    seen++;
                    rejected++;
                    deadLetters.inputRejected("orders", read.order().orderId(), "could not backfill order: "
                            + failure.getMessage(), read.rawJson());
                }
            }
            BackfillResult result = new BackfillResult(seen, skipped, rejected, queued);
            tx.executeWithoutResult(status -> progress.accept(result));
            return result;
        }
    }

    private BackfillResult backfill(List<ReadOrder> page, String lane) {
        Map<String, OrderSnapshots.Snapshot> previous = snapshots.findAll(
                page.stream().map(r -> r.order().orderId()).distinct().toList());
        List<OutboxEntry> entries = new java.util.ArrayList<>();
        List<OrderSnapshots.Write> writes = new java.util.ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        int skipped = 0;
        int rejected = 0;
        for (ReadOrder read : page) {
            MiraklOrder order = read.order();
            if (previous.containsKey(order.orderId()) || !seen.add(order.orderId())) {
                skipped++;
                continue;
            }
            OrderChanges changes = changesFor(Optional.empty(), order);
            changes.emissions().forEach(emission -> {
                OutboxEntry live = entry(order, emission);
                entries.add(new OutboxEntry(lane, live.dedupeKey(), EndpointClass.BULK, live.path(), live.metric(),
                        live.orderId(), live.payload(), live.occurredAt()));
            });
            changes.rejections().forEach(r -> deadLetters.inputRejected(r.flow(), r.sourceRef(), r.reason(),
                    read.rawJson()));
            rejected += changes.rejections().isEmpty() ? 0 : 1;
            writes.add(new OrderSnapshots.Write(order.orderId(), order.orderState(), order.lastUpdatedDate().toInstant(),
                    changes, read.rawJson(), false));
        }
        outbox.enqueueAll(entries);
        snapshots.saveAll(writes);
        entries.forEach(e -> metrics.detected(lane, e.metric()));
        return new BackfillResult(page.size(), skipped, rejected, entries.size());
    }

    private OrderChanges changesFor(Optional<OrderSnapshots.Snapshot> previous, MiraklOrder order) {
        OrderChanges changes = previous
                .map(s -> new OrderChanges(s.reported(), s.placed()))
                .orElseGet(() -> new OrderChanges(Map.of(), false));
        for (OrderTransitionRule rule : rules) {
            if (rule.enabled()) {
                rule.detect(order, changes);
            }
        }
        return changes;
    }

    private OutboxEntry entry(MiraklOrder order, OrderChanges.Emission emission) {
        return new OutboxEntry(emission.flow(), emission.key(), EndpointClass.EVENTS, EVENTS_PATH,
                emission.event().metric(), order.orderId(), write(emission), emission.event().time());
    }

    /**
     * Applies one order in its own transaction; a failure dead-letters this order only. {@code force} re-evaluates
     * an order even if its snapshot is as new (used when replaying a dead letter).
     */
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
        OrderChanges changes = changesFor(previous, order);
        int queued = 0;
        for (OrderChanges.Emission emission : changes.emissions()) {
            if (outbox.enqueue(entry(order, emission))) {
                metrics.detected(emission.flow(), emission.event().metric());
                queued++;
            }
        }
        for (OrderChanges.Rejection rejection : changes.rejections()) {
            deadLetters.inputRejected(rejection.flow(), rejection.sourceRef(), rejection.reason(), read.rawJson());
        }
        Optional<OrderSnapshots.Snapshot> newer = previous.filter(
                s -> s.lastUpdated().isAfter(order.lastUpdatedDate().toInstant()));
        snapshots.saveAll(List.of(new OrderSnapshots.Write(order.orderId(),
                newer.map(OrderSnapshots.Snapshot::state).orElse(order.orderState()),
                newer.map(OrderSnapshots.Snapshot::lastUpdated).orElse(order.lastUpdatedDate().toInstant()),
                changes, newer.map(OrderSnapshots.Snapshot::orderJson).orElse(read.rawJson()), previous.isPresent())));
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
