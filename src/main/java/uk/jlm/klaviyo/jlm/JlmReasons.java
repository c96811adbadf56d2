package uk.jlm.klaviyo.jlm;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import uk.jlm.klaviyo.config.JlmProperties;

/**
 * Reason labels and cancellation initiators from JLM's RE01 reason list (cached in table {@code jlm_reason},
 * refreshed daily by route {@code cancellations-reasons}). Mirakl records no initiator (reference/mirakl.md §5):
 * the operator's table {@code jlm.reasons.initiators} decides first; otherwise a reason the shop may not use
 * ({@code is_shop_right: false}) is the operator's unless its label names the customer, and one the shop may use
 * is the seller's. Reason codes are never hard-coded.
 */
@Component
public class JlmReasons {

    private static final Logger log = LoggerFactory.getLogger(JlmReasons.class);
    private static final Set<String> INITIATORS = Set.of("customer", "seller", "operator", "unknown");
    private static final List<String> CUSTOMER_WORDS = List.of("customer", "client", "buyer", "shopper");

    private record Reason(String code, String type, String label, Boolean shopRight) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Clock clock;
    private final JlmProperties.Reasons config;

    JlmReasons(JdbcTemplate jdbc, ObjectMapper json, Clock clock, JlmProperties jlm) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.config = jlm.reasons();
        config.initiators().forEach((code, initiator) -> {
            if (!INITIATORS.contains(initiator)) {
                throw new IllegalArgumentException("jlm.reasons.initiators." + code + "=" + initiator
                        + " is not one of " + INITIATORS);
            }
        });
    }

    /** Stores an RE01 {@code GET /api/reasons} response, replacing the previous list. */
    @Transactional
    public int refresh(String re01Body) throws java.io.IOException {
        JsonNode reasons = json.readTree(re01Body).path("reasons");
        if (!reasons.isArray()) {
            throw new IllegalArgumentException("RE01 response has no reasons[] array");
        }
        jdbc.update("DELETE FROM jlm_reason");
        Timestamp now = Timestamp.from(clock.instant());
        int stored = 0;
        for (JsonNode reason : reasons) {
            if (!reason.hasNonNull("code") || !reason.hasNonNull("type")) {
                continue;
            }
            jdbc.update("INSERT INTO jlm_reason (code, reason_type, label, is_shop_right, fetched_at) VALUES (?, ?, ?, ?, ?)",
                    reason.get("code").asText(), reason.get("type").asText(), reason.path("label").asText(null),
                    reason.hasNonNull("is_shop_right") ? reason.get("is_shop_right").asBoolean() : null, now);
            stored++;
        }
        log.info("RE01 reason list refreshed: {} reasons", stored);
        return stored;
    }

    public Optional<String> label(String code) {
        return find(code).map(Reason::label);
    }

    public String initiator(String code) {
        if (code == null) {
            return "unknown";
        }
        String configured = config.initiators().get(code);
        if (configured != null) {
            return configured;
        }
        return find(code).map(r -> {
            String label = r.label() == null ? "" : r.label().toLowerCase(Locale.ROOT);
            if (CUSTOMER_WORDS.stream().anyMatch(label::contains)) {
                return "customer";
            }
            if (r.shopRight() == null) {
                return "unknown";
            }
            return r.shopRight() ? "seller" : "operator";
        }).orElse("unknown");
    }

    private Optional<Reason> find(String code) {
        if (code == null) {
            return Optional.empty();
        }
        List<Reason> found = jdbc.query("SELECT code, reason_type, label, is_shop_right FROM jlm_reason WHERE code = ? "
                        + "ORDER BY CASE WHEN reason_type = 'CANCELATION' THEN 0 ELSE 1 END",
                (rs, i) -> new Reason(rs.getString(1), rs.getString(2), rs.getString(3),
                        (Boolean) rs.getObject(4)), code);
        return found.stream().findFirst();
    }
}
