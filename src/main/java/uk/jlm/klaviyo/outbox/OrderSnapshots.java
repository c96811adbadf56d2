package uk.jlm.klaviyo.outbox;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The last state seen of each JLM order (table {@code order_snapshot}) and the transitions it has produced. */
@Repository
public class OrderSnapshots {

    private static final TypeReference<Map<String, BigDecimal>> REPORTED = new TypeReference<>() {
    };

    public record Snapshot(String orderId, String state, Instant lastUpdated, boolean placed,
                           Map<String, BigDecimal> reported, String orderJson) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Clock clock;

    OrderSnapshots(JdbcTemplate jdbc, ObjectMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    public Optional<Snapshot> find(String orderId) {
        return jdbc.query("SELECT order_id, order_state, last_updated_date, placed, emitted_keys, order_json "
                        + "FROM order_snapshot WHERE order_id = ?",
                (rs, i) -> new Snapshot(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                        rs.getBoolean(4), read(rs.getString(5)), rs.getString(6)), orderId).stream().findFirst();
    }

    /** The snapshots of a page's orders, in one query. */
    public Map<String, Snapshot> findAll(java.util.Collection<String> orderIds) {
        if (orderIds.isEmpty()) {
            return Map.of();
        }
        String in = String.join(",", java.util.Collections.nCopies(orderIds.size(), "?"));
        Map<String, Snapshot> found = new java.util.HashMap<>();
        jdbc.query("SELECT order_id, order_state, last_updated_date, placed, emitted_keys, order_json "
                        + "FROM order_snapshot WHERE order_id IN (" + in + ")",
                rs -> {
                    found.put(rs.getString(1), new Snapshot(rs.getString(1), rs.getString(2),
                            rs.getTimestamp(3).toInstant(), rs.getBoolean(4), read(rs.getString(5)), rs.getString(6)));
                }, orderIds.toArray());
        return found;
    }

    /** A snapshot to write: {@code existing} says whether it is an update or an insert. */
    record Write(String orderId, String state, Instant lastUpdated, OrderChanges changes, String orderJson,
                 boolean existing) {
    }

    /** Writes a page's snapshots in two JDBC batches. */
    void saveAll(List<Write> writes) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.batchUpdate("UPDATE order_snapshot SET order_state = ?, last_updated_date = ?, placed = ?, "
                        + "emitted_keys = ?, order_json = ?, updated_at = ? WHERE order_id = ?",
                writes.stream().filter(Write::existing).map(w -> new Object[] {w.state(),
                        Timestamp.from(w.lastUpdated()), w.changes().placed(), write(w.changes().reported()),
                        w.orderJson(), now, w.orderId()}).toList());
        jdbc.batchUpdate("INSERT INTO order_snapshot (order_id, order_state, last_updated_date, placed, emitted_keys, "
                        + "order_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                writes.stream().filter(w -> !w.existing()).map(w -> new Object[] {w.orderId(), w.state(),
                        Timestamp.from(w.lastUpdated()), w.changes().placed(), write(w.changes().reported()),
                        w.orderJson(), now}).toList());
    }

    private Map<String, BigDecimal> read(String text) {
        try {
            return json.readValue(text, REPORTED);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("order_snapshot.emitted_keys is not valid JSON", e);
        }
    }

    private String write(Map<String, BigDecimal> reported) {
        try {
            return json.writeValueAsString(reported);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
