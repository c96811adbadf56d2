package uk.jlm.klaviyo.jlm;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import uk.jlm.klaviyo.ops.InstanceId;

/**
 * Per-feed watermark and poll lease in table {@code feed_state}. The lease makes a feed poll once per interval
 * across every instance sharing the database (DESIGN.md "Scale-out").
 */
@Repository
public class FeedState {

    /**
     * A poll holds its feed this long past its last sign of life (each page request renews it): an instance killed
     * mid-poll hands the feed to another instance within this time.
     */
    private static final Duration POLL_LEASE = Duration.ofSeconds(60);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String instance;

    FeedState(JdbcTemplate jdbc, Clock clock, InstanceId instance) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.instance = instance.value();
    }

    /** Takes the feed's lease if it is due; true means this instance polls now. */
    public boolean acquire(String feed) {
        return acquire(feed, POLL_LEASE);
    }

    /** As {@link #acquire(String)}, with a lease another instance may take over once {@code lease} has passed. */
    public boolean acquire(String feed, Duration lease) {
        Instant now = clock.instant();
        ensure(feed);
        // A lease still held by this very instance is one whose poll ended without handing it back (the database was
        // down when the poll failed): each feed's polls run one after another, so it is safe to take back.
        return jdbc.update("UPDATE feed_state SET lease_owner = ?, lease_until = ? WHERE feed = ? "
                        + "AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)",
                instance, ts(now.plus(lease)), feed, ts(now), instance) == 1;
    }

    /** Ends this instance's poll; the next one is due {@code interval} after this one started, on any instance. */
    public void release(String feed, Instant pollStarted, Duration interval) {
        jdbc.update("UPDATE feed_state SET lease_until = ?, lease_owner = NULL WHERE feed = ? AND lease_owner = ?",
                ts(pollStarted.plus(interval)), feed, instance);
    }

    /** Keeps this instance's lease while its poll is still working (called before each page or status request). */
    public void extend(String feed) {
        extend(feed, POLL_LEASE);
    }

    public void extend(String feed, Duration lease) {
        jdbc.update("UPDATE feed_state SET lease_until = ? WHERE feed = ? AND lease_owner = ?",
                ts(clock.instant().plus(lease)), feed, instance);
    }

    /** Creates a feed's row if needed, e.g. for a watermark kept beside another feed's. */
    public void ensure(String feed) {
        jdbc.update("INSERT INTO feed_state (feed, consecutive_failures) SELECT ?, 0 WHERE NOT EXISTS "
                + "(SELECT 1 FROM feed_state WHERE feed = ?)", feed, feed);
    }

    /** Ends leases a previous life of this process still held (all when {@code owner} is null), so its polls resume now. */
    public int releaseLeasesLeftBy(String owner) {
        Timestamp now = ts(clock.instant());
        return owner == null
                ? jdbc.update("UPDATE feed_state SET lease_until = ? WHERE lease_until > ?", now, now)
                : jdbc.update("UPDATE feed_state SET lease_until = ? WHERE lease_until > ? AND lease_owner = ?",
                now, now, owner);
    }

    public Optional<Instant> watermark(String feed) {
        List<Timestamp> rows = jdbc.queryForList("SELECT watermark FROM feed_state WHERE feed = ?", Timestamp.class, feed);
        return rows.stream().filter(java.util.Objects::nonNull).map(Timestamp::toInstant).findFirst();
    }

    /** Moves the watermark after a whole window has been committed; never moves it backwards. */
    public void commit(String feed, Instant watermark) {
        jdbc.update("UPDATE feed_state SET watermark = CASE WHEN watermark IS NULL OR watermark < ? THEN ? "
                        + "ELSE watermark END, last_success_at = ?, consecutive_failures = 0, last_failure_reason = NULL "
                        + "WHERE feed = ?",
                ts(watermark), ts(watermark), ts(clock.instant()), feed);
    }

    public void recordFailure(String feed, String reason) {
        jdbc.update("UPDATE feed_state SET last_failure_at = ?, last_failure_reason = ?, "
                        + "consecutive_failures = consecutive_failures + 1 WHERE feed = ?",
                ts(clock.instant()), abbreviate(reason, 1000), feed);
    }

    static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }

    public static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    public static String abbreviate(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
