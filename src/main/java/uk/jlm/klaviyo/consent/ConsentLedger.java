package uk.jlm.klaviyo.consent;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import uk.jlm.klaviyo.klaviyo.EndpointClass;
import uk.jlm.klaviyo.klaviyo.KlaviyoEvent;
import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.Outbox;
import uk.jlm.klaviyo.outbox.OutboxEntry;

/**
 * The consent rules (DESIGN.md "Consent", reference/klaviyo.md §5): per customer the newest JLM timestamp wins,
 * kept in table {@code consent_state}; an older opt-in never overrides a newer opt-out; only an explicit opt-in
 * subscribes. A change queues one subscribe or unsubscribe in the {@code consent} lane and supersedes whatever that
 * customer still had queued there, so nothing older can be sent after it.
 */
@Component
public class ConsentLedger {

    static final String FLOW = "consent";
    static final String SUBSCRIBE_PATH = "/api/profile-subscription-bulk-create-jobs";
    static final String UNSUBSCRIBE_PATH = "/api/profile-subscription-bulk-delete-jobs";

    /** What Klaviyo accepts as an email, roughly: one @, a dot in the domain, no spaces, ≤ 100 characters. */
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}$");

    private final JdbcTemplate jdbc;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final Clock clock;
    private final FlowMetrics metrics;

    ConsentLedger(JdbcTemplate jdbc, Outbox outbox, DeadLetters deadLetters, TransactionTemplate tx, ObjectMapper json,
                  Clock clock, FlowMetrics metrics) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Records a decision; returns true when it changed what Klaviyo should hold (and queued the request). */
    public boolean record(ConsentChange change) {
        String problem = problem(change);
        if (problem != null) {
            deadLetters.inputRejected(FLOW, "consent:" + change.customerId() + ":" + change.source(), problem,
                    change.rawJson());
            return false;
        }
        Boolean changed = tx.execute(status -> apply(change));
        return Boolean.TRUE.equals(changed);
    }

    private boolean apply(ConsentChange change) {
        List<Map<String, Object>> current = jdbc.queryForList(
                "SELECT accepts_marketing, consent_at FROM consent_state WHERE customer_id = ?", change.customerId());
        Timestamp at = Timestamp.from(change.at().toInstant());
        Timestamp now = Timestamp.from(clock.instant());
        if (!current.isEmpty()) {
            Timestamp known = timestamp(current.get(0).get("consent_at"));
            if (!at.after(known)) {
                return false;
            }
            jdbc.update("UPDATE consent_state SET email = ?, accepts_marketing = ?, consent_at = ?, source = ?, "
                            + "updated_at = ? WHERE customer_id = ?",
                    change.email(), change.acceptsMarketing(), at, change.source(), now, change.customerId());
            if (Boolean.valueOf(change.acceptsMarketing()).equals(current.get(0).get("accepts_marketing"))) {
                return false;
            }
        } else {
            jdbc.update("INSERT INTO consent_state (customer_id, email, accepts_marketing, consent_at, source, "
                            + "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    change.customerId(), change.email(), change.acceptsMarketing(), at, change.source(), now);
        }
        jdbc.update("UPDATE outbox SET status = 'SUPERSEDED', claimed_by = NULL, claimed_until = NULL "
                + "WHERE flow = ? AND subject_ref = ? AND status = 'PENDING'", FLOW, change.customerId());
        String action = change.acceptsMarketing() ? "subscribe" : "unsubscribe";
        outbox.enqueue(new OutboxEntry(FLOW, "consent:" + change.customerId() + ":" + change.at().toInstant() + ":"
                + action, EndpointClass.PROFILES, change.acceptsMarketing() ? SUBSCRIBE_PATH : UNSUBSCRIBE_PATH,
                change.acceptsMarketing() ? "Subscribe" : "Unsubscribe", null, payload(change), change.at()),
                change.customerId());
        metrics.detected(FLOW, action);
        return true;
    }

    /** One profile of a bulk job: the email and, for an opt-in, JLM's consent time. */
    private String payload(ConsentChange change) {
        try {
            return json.writeValueAsString(Map.of("email", change.email(), "consentedAt",
                    KlaviyoEvent.formatTime(change.at())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String problem(ConsentChange change) {
        if (change.customerId() == null || change.customerId().isBlank()) {
            return "consent record without customer_id";
        }
        if (change.at() == null) {
            return "consent record for customer " + change.customerId() + " has no timestamp";
        }
        if (change.email() == null || change.email().length() > 100 || !EMAIL.matcher(change.email()).matches()) {
            return "consent record for customer " + change.customerId() + " has an invalid email";
        }
        return null;
    }

    private static Timestamp timestamp(Object value) {
        if (value instanceof Timestamp ts) {
            return ts;
        }
        if (value instanceof java.time.OffsetDateTime odt) {
            return Timestamp.from(odt.toInstant());
        }
        throw new IllegalStateException("not a timestamp: " + value);
    }
}
