package uk.jlm.klaviyo.backfill;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Backfill runs and their cursor (table {@code backfill_run}); at most one is RUNNING. */
@Repository
public class BackfillRuns {

    public static final String RUNNING = "RUNNING";
    public static final String DONE = "DONE";

    /** One run: its range, cursor (creation-date window start + offset) and counts. */
    public record Run(long id, Instant since, Instant until, Instant windowStart, Duration window, int offset, String status,
                      long ordersSeen, long ordersSkipped, long ordersRejected, long eventsQueued, long activeMillis,
                      Instant startedAt, Instant updatedAt, Instant finishedAt) {

        public boolean running() {
            return RUNNING.equals(status);
        }
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    BackfillRuns(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Optional<Run> running() {
        return jdbc.query("SELECT * FROM backfill_run WHERE status = 'RUNNING' ORDER BY id FETCH FIRST 1 ROWS ONLY",
                BackfillRuns::row).stream().findFirst();
    }

    public Optional<Run> latest() {
        return jdbc.query("SELECT * FROM backfill_run ORDER BY id DESC FETCH FIRST 1 ROWS ONLY", BackfillRuns::row)
                .stream().findFirst();
    }

    public Optional<Run> find(long id) {
        return jdbc.query("SELECT * FROM backfill_run WHERE id = ?", BackfillRuns::row, id).stream().findFirst();
    }

    /** Starts a run over orders created in [since, until). */
    public Run create(Instant since, Instant until, Duration window) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("INSERT INTO backfill_run (since, until, window_start, window_seconds, page_offset, status, "
                + "started_at, updated_at) VALUES (?, ?, ?, ?, 0, 'RUNNING', ?, ?)", Timestamp.from(since),
                Timestamp.from(until), Timestamp.from(since), window.toSeconds(), now, now);
        return running().orElseThrow();
    }

    /** Moves the cursor and adds a page's counts; called inside the page's transaction. */
    void advance(long id, Instant windowStart, Duration window, int offset, boolean finished, long seen, long skipped,
                 long rejected, long queued, long activeMillis) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("UPDATE backfill_run SET window_start = ?, window_seconds = ?, page_offset = ?, status = ?, "
                        + "orders_seen = orders_seen + ?, "
                        + "orders_skipped = orders_skipped + ?, orders_rejected = orders_rejected + ?, "
                        + "events_queued = events_queued + ?, active_millis = active_millis + ?, updated_at = ?, "
                        + "finished_at = ? WHERE id = ?",
                Timestamp.from(windowStart), window.toSeconds(), offset, finished ? DONE : RUNNING, seen, skipped,
                rejected, queued,
                activeMillis, now, finished ? now : null, id);
    }

    /** Counts events Klaviyo accepted for the latest run, by metric; call in the transaction that marks them done. */
    void sent(Map<String, Long> byMetric) {
        latest().ifPresent(run -> byMetric.forEach((metric, n) -> {
            if (jdbc.update("UPDATE backfill_metric SET sent = sent + ? WHERE run_id = ? AND metric = ?",
                    n, run.id(), metric) == 0) {
                jdbc.update("INSERT INTO backfill_metric (run_id, metric, sent) VALUES (?, ?, ?)", run.id(), metric, n);
            }
        }));
    }

    /** Events Klaviyo accepted for a run, by metric. */
    public Map<String, Long> sent(long runId) {
        Map<String, Long> sent = new java.util.TreeMap<>();
        jdbc.query("SELECT metric, sent FROM backfill_metric WHERE run_id = ?",
                rs -> {
                    sent.put(rs.getString("metric"), rs.getLong("sent"));
                }, runId);
        return sent;
    }

    private static Run row(ResultSet rs, int i) throws SQLException {
        return new Run(rs.getLong("id"), instant(rs, "since"), instant(rs, "until"), instant(rs, "window_start"),
                Duration.ofSeconds(rs.getLong("window_seconds")), rs.getInt("page_offset"), rs.getString("status"), rs.getLong("orders_seen"),
                rs.getLong("orders_skipped"), rs.getLong("orders_rejected"), rs.getLong("events_queued"),
                rs.getLong("active_millis"), instant(rs, "started_at"), instant(rs, "updated_at"),
                instant(rs, "finished_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
