package uk.jlm.klaviyo.outbox;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

import uk.jlm.klaviyo.ops.InstanceId;

/**
 * The transactional outbox (table {@code outbox}). Rows are written in the same transaction as the snapshot they
 * derive from, claimed with {@code FOR UPDATE SKIP LOCKED} so instances share delivery without duplicates, and a
 * claim that outlives its lease (a dead instance) becomes claimable again.
 */
@Repository
public class Outbox {

    public static final String PENDING = "PENDING";
    public static final String CLAIMED = "CLAIMED";
    public static final String DONE = "DONE";
    public static final String DEAD = "DEAD";

    /** How far past a lane's oldest pending id one claim looks (lanes interleave in the id sequence). */
    private static final long CLAIM_SPAN = 20;

    private static final RowMapper<ClaimedDelivery> CLAIMED_ROW = (rs, i) -> new ClaimedDelivery(
            rs.getLong("id"), rs.getString("flow"), rs.getString("endpoint_class"), rs.getString("path"),
            rs.getString("metric"), rs.getString("payload"),
            rs.getTimestamp("occurred_at").toInstant(), rs.getTimestamp("created_at").toInstant());

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final String instance;
    private final Duration claimLease;
    private final int batchSize;

    Outbox(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, InstanceId instance,
           @Value("${delivery.claim-lease}") Duration claimLease, @Value("${delivery.batch-size}") int batchSize) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.instance = instance.value();
        this.claimLease = claimLease;
        this.batchSize = batchSize;
    }

    /** Queues an entry unless the flow already has one with the same key; call inside the detector's transaction. */
    public boolean enqueue(OutboxEntry entry) {
        return enqueue(entry, null);
    }

    /** As {@link #enqueue(OutboxEntry)}, noting whom the row is about ({@code subject_ref}, e.g. a customer). */
    public boolean enqueue(OutboxEntry entry, String subjectRef) {
        Timestamp now = Timestamp.from(clock.instant());
        return jdbc.update("INSERT INTO outbox (flow, dedupe_key, endpoint_class, path, metric, order_id, payload, "
                        + "status, attempts, occurred_at, created_at, available_at, subject_ref) "
                        + "SELECT ?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ? WHERE NOT EXISTS "
                        + "(SELECT 1 FROM outbox WHERE flow = ? AND dedupe_key = ?)",
                entry.flow(), entry.dedupeKey(), entry.endpoint().name(), entry.path(), entry.metric(),
                entry.orderId(), entry.payload(), Timestamp.from(entry.occurredAt().toInstant()), now, now, subjectRef,
                entry.flow(), entry.dedupeKey()) == 1;
    }

    /**
     * Queues a page's entries in one JDBC batch. The caller knows they are new (from the snapshots it read in the
     * same transaction); the unique (flow, dedupe_key) still refuses a duplicate, failing the batch.
     */
    public void enqueueAll(List<OutboxEntry> entries) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.batchUpdate("INSERT INTO outbox (flow, dedupe_key, endpoint_class, path, metric, order_id, payload, "
                        + "status, attempts, occurred_at, created_at, available_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?)",
                entries.stream().map(e -> new Object[] {e.flow(), e.dedupeKey(), e.endpoint().name(), e.path(),
                        e.metric(), e.orderId(), e.payload(), Timestamp.from(e.occurredAt().toInstant()), now, now})
                        .toList());
    }

    public boolean contains(String flow, String dedupeKey) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM outbox WHERE flow = ? AND dedupe_key = ?",
                Integer.class, flow, dedupeKey);
        return n != null && n > 0;
    }

    /** Claims the next due rows of one flow (its lane), oldest first. */
    public List<ClaimedDelivery> claim(String flow) {
        return claim(flow, batchSize);
    }

    /** Claims up to {@code limit} due rows of one flow, e.g. to fill a bulk job. */
    public List<ClaimedDelivery> claim(String flow, int limit) {
        return tx.execute(status -> {
            Instant now = clock.instant();
            Timestamp nowTs = Timestamp.from(now);
            // Claims whose lease ran out belong to a dead instance: back to the lane first.
            jdbc.update("UPDATE outbox SET status = 'PENDING', claimed_by = NULL, claimed_until = NULL "
                    + "WHERE flow = ? AND status = 'CLAIMED' AND claimed_until < ?", flow, nowTs);
            // Bounded by id from the lane's oldest row: H2 would otherwise lock-scan the whole backlog per claim.
            Long oldest = jdbc.queryForObject("SELECT MIN(id) FROM outbox WHERE flow = ? AND status = 'PENDING'",
                    Long.class, flow);
            if (oldest == null) {
                return List.<ClaimedDelivery>of();
            }
            List<Long> ids = jdbc.queryForList("SELECT id FROM outbox WHERE flow = ? AND status = 'PENDING' "
                            + "AND id BETWEEN ? AND ? AND available_at <= ? ORDER BY id FETCH FIRST " + limit
                            + " ROWS ONLY FOR UPDATE SKIP LOCKED",
                    Long.class, flow, oldest, oldest + CLAIM_SPAN * limit, nowTs);
            return claimed(ids, now);
        });
    }

    /**
     * Claims up to {@code limit} due rows of one flow with one metric, ahead of the rest of the lane (restocks in the
     * catalogue lane). Index {@code ix_outbox_metric} bounds the scan.
     */
    public List<ClaimedDelivery> claimMetric(String flow, String metric, int limit) {
        return tx.execute(status -> {
            Instant now = clock.instant();
            List<Long> ids = jdbc.queryForList("SELECT id FROM outbox WHERE flow = ? AND metric = ? AND status = 'PENDING' "
                            + "AND available_at <= ? ORDER BY id FETCH FIRST " + limit + " ROWS ONLY FOR UPDATE SKIP LOCKED",
                    Long.class, flow, metric, Timestamp.from(now));
            return claimed(ids, now);
        });
    }

    private List<ClaimedDelivery> claimed(List<Long> ids, Instant now) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Timestamp until = Timestamp.from(now.plus(claimLease));
        jdbc.batchUpdate("UPDATE outbox SET status = 'CLAIMED', claimed_by = ?, claimed_until = ? WHERE id = ?",
                ids.stream().map(id -> new Object[] {instance, until, id}).toList());
        // Exactly the rows claimed here: an earlier batch of this instance may still be in flight.
        return find(ids);
    }

    /** Rows by id, whatever their status (e.g. those a Klaviyo bulk job reported errors for). */
    public List<ClaimedDelivery> find(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        String in = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
        return jdbc.query("SELECT id, flow, endpoint_class, path, metric, payload, occurred_at, created_at FROM outbox "
                + "WHERE id IN (" + in + ") ORDER BY id", CLAIMED_ROW, ids.toArray());
    }

    /** Klaviyo answered 2xx: done, at once, so a crash now resends at most what is still in flight. */
    public void markDone(List<Long> ids) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.batchUpdate("UPDATE outbox SET status = 'DONE', delivered_at = ?, claimed_until = NULL WHERE id = ?",
                ids.stream().map(id -> new Object[] {now, id}).toList());
    }

    public void markDone(long id) {
        markDone(List.of(id));
    }

    /** Counts one request to Klaviyo, redeliveries included; kept across restarts for the dead letter's record. */
    public void countAttempt(long id) {
        jdbc.update("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", id);
    }

    /** Marks the row dead and returns how many requests it took. */
    public int markDead(long id) {
        jdbc.update("UPDATE outbox SET status = 'DEAD', claimed_by = NULL, claimed_until = NULL WHERE id = ?", id);
        return jdbc.queryForObject("SELECT attempts FROM outbox WHERE id = ?", Integer.class, id);
    }

    /** Puts a row back in its lane to be tried again after {@code delay} (Klaviyo unavailable for a while). */
    public void retryLater(long id, Duration delay) {
        jdbc.update("UPDATE outbox SET status = 'PENDING', available_at = ?, claimed_by = NULL, claimed_until = NULL "
                + "WHERE id = ?", Timestamp.from(clock.instant().plus(delay)), id);
    }

    /** Puts a row back in its lane, e.g. for a replayed dead letter. */
    public void requeue(long id) {
        jdbc.update("UPDATE outbox SET status = 'PENDING', available_at = ?, claimed_by = NULL, "
                + "claimed_until = NULL WHERE id = ?", Timestamp.from(clock.instant()), id);
    }

    /** Hands back claims left by a previous life of this process (see {@code ClaimRelease}); all when {@code owner} is null. */
    public int releaseClaimsLeftBy(String owner) {
        return owner == null
                ? jdbc.update("UPDATE outbox SET status = 'PENDING', claimed_by = NULL, claimed_until = NULL "
                        + "WHERE status = 'CLAIMED'")
                : jdbc.update("UPDATE outbox SET status = 'PENDING', claimed_by = NULL, claimed_until = NULL "
                        + "WHERE status = 'CLAIMED' AND claimed_by = ?", owner);
    }

    /** Hands this instance's claims back on shutdown so another instance (or the next start) delivers them. */
    public int releaseClaims() {
        return jdbc.update("UPDATE outbox SET status = 'PENDING', claimed_by = NULL, claimed_until = NULL "
                + "WHERE status = 'CLAIMED' AND claimed_by = ?", instance);
    }
}
