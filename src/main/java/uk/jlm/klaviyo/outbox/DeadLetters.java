package uk.jlm.klaviyo.outbox;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

import uk.jlm.klaviyo.jlm.FeedState;

/**
 * Dead letters (table {@code dead_letter}): Klaviyo requests that could not be delivered ({@link #DELIVERY}) and JLM
 * records that could not be read ({@link #INPUT}). Each keeps flow, reason, HTTP status, attempts and payload —
 * never a credential — until an operator replays it.
 */
@Repository
public class DeadLetters {

    public static final String DELIVERY = "DELIVERY";
    public static final String INPUT = "INPUT";

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private static final RowMapper<DeadLetter> ROW = (rs, i) -> new DeadLetter(
            rs.getLong("id"), rs.getString("flow"), rs.getString("kind"), rs.getString("reason"),
            (Integer) rs.getObject("http_status"), rs.getInt("attempts"), (Long) rs.getObject("outbox_id"),
            rs.getString("source_ref"), rs.getString("payload"),
            rs.getTimestamp("created_at").toInstant());

    private final JdbcTemplate jdbc;
    private final Outbox outbox;
    private final Clock clock;

    DeadLetters(JdbcTemplate jdbc, Outbox outbox, Clock clock) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** A Klaviyo request that cannot succeed: the outbox row becomes DEAD and the reason is kept beside it. */
    @Transactional
    public void deliveryFailed(ClaimedDelivery delivery, String reason, Integer httpStatus) {
        int attempts = outbox.markDead(delivery.id());
        insert(delivery.flow(), DELIVERY, reason, httpStatus, attempts, delivery.id(), delivery.metric(),
                delivery.payload());
        log.warn("dead letter: flow={} outbox={} status={} reason={}", delivery.flow(), delivery.id(), httpStatus, reason);
    }

    /**
     * A JLM record that cannot be processed. Recorded once per {@code sourceRef} while unreplayed, because the
     * overlap window re-reads the same bad record on every poll.
     */
    public void inputRejected(String flow, String sourceRef, String reason, String payload) {
        Integer open = jdbc.queryForObject("SELECT COUNT(*) FROM dead_letter WHERE flow = ? AND kind = 'INPUT' "
                + "AND source_ref = ? AND replayed_at IS NULL", Integer.class, flow, sourceRef);
        if (open != null && open > 0) {
            return;
        }
        insert(flow, INPUT, reason, null, 0, null, sourceRef, payload);
        log.warn("dead letter: flow={} rejected JLM record {}: {}", flow, sourceRef, reason);
    }

    /**
     * Closes open dead letters of JLM records that have since been processed (a later poll read them correctly,
     * e.g. a return whose order had not been read yet), so operators see only what still needs them.
     */
    public int resolved(String flow, java.util.Collection<String> sourceRefs) {
        if (sourceRefs.isEmpty()) {
            return 0;
        }
        String in = String.join(",", java.util.Collections.nCopies(sourceRefs.size(), "?"));
        List<Object> args = new ArrayList<>();
        args.add(Timestamp.from(clock.instant()));
        args.add(flow);
        args.addAll(sourceRefs);
        return jdbc.update("UPDATE dead_letter SET replayed_at = ? WHERE kind = 'INPUT' AND replayed_at IS NULL "
                + "AND flow = ? AND source_ref IN (" + in + ")", args.toArray());
    }

    private void insert(String flow, String kind, String reason, Integer httpStatus, int attempts, Long outboxId,
                        String sourceRef, String payload) {
        jdbc.update("INSERT INTO dead_letter (flow, kind, reason, http_status, attempts, outbox_id, source_ref, "
                        + "payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                flow, kind, FeedState.abbreviate(reason, 2000), httpStatus, attempts, outboxId,
                FeedState.abbreviate(sourceRef, 200), payload == null ? "" : payload,
                Timestamp.from(clock.instant()));
    }

    public List<DeadLetter> list(String flow, int limit) {
        List<Object> args = new ArrayList<>();
        String where = "WHERE replayed_at IS NULL";
        if (flow != null && !flow.isBlank()) {
            where += " AND flow = ?";
            args.add(flow);
        }
        args.add(limit);
        return jdbc.query("SELECT * FROM dead_letter " + where + " ORDER BY id FETCH FIRST ? ROWS ONLY", ROW,
                args.toArray());
    }

    public int count(String flow) {
        Integer n = flow == null || flow.isBlank()
                ? jdbc.queryForObject("SELECT COUNT(*) FROM dead_letter WHERE replayed_at IS NULL", Integer.class)
                : jdbc.queryForObject("SELECT COUNT(*) FROM dead_letter WHERE replayed_at IS NULL AND flow = ?",
                Integer.class, flow);
        return n == null ? 0 : n;
    }

    public Optional<DeadLetter> find(long id) {
        return jdbc.query("SELECT * FROM dead_letter WHERE id = ? AND replayed_at IS NULL", ROW, id).stream().findFirst();
    }

    public List<Long> openIds(String flow) {
        return jdbc.queryForList("SELECT id FROM dead_letter WHERE replayed_at IS NULL AND flow = ? ORDER BY id",
                Long.class, flow);
    }

    public void markReplayed(long id) {
        jdbc.update("UPDATE dead_letter SET replayed_at = ? WHERE id = ?", Timestamp.from(clock.instant()), id);
    }
}
