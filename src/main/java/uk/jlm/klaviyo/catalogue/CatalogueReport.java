package uk.jlm.klaviyo.catalogue;

import java.util.List;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.CatalogueProperties;

/**
 * The SKU mismatch report (README "Catalogue"): JLM offers with no Klaviyo variant, Klaviyo variants with no JLM
 * offer, and near misses (same SKU but for case, whitespace, separators or leading zeros) with the mapping-file line
 * that would match them. Read from the snapshots, so every instance answers the same; gauges for alerting.
 */
@Component
public class CatalogueReport implements MeterBinder {

    public enum Kind { JLM_WITHOUT_KLAVIYO, KLAVIYO_WITHOUT_JLM, NEAR_MISS }

    /** One line of the report. {@code suggestedMapping} is a mapping-file line, for near misses. */
    public record Mismatch(Kind kind, String jlmSku, Long offerId, String klaviyoSku, String klaviyoVariantId,
                           String suggestedMapping) {
    }

    public record Counts(long jlmOffers, long klaviyoVariants, long matched, long jlmWithoutKlaviyo,
                         long klaviyoWithoutJlm, long nearMisses) {
    }

    private static final String UNMATCHED_JLM = "FROM offer_snapshot o WHERE o.variant_id IS NULL OR NOT EXISTS "
            + "(SELECT 1 FROM klaviyo_variant v WHERE v.id = o.variant_id)";
    private static final String UNMATCHED_KLAVIYO = "FROM klaviyo_variant v WHERE NOT EXISTS "
            + "(SELECT 1 FROM offer_snapshot o WHERE o.variant_id = v.id)";
    private static final String NEAR_MISSES = "FROM offer_snapshot o JOIN klaviyo_variant v ON v.loose_key = o.loose_key "
            + "WHERE o.variant_id IS NULL AND v.sku IS NOT NULL AND NOT EXISTS "
            + "(SELECT 1 FROM offer_snapshot m WHERE m.variant_id = v.id)";

    private final JdbcTemplate jdbc;
    private final CatalogueProperties config;

    CatalogueReport(JdbcTemplate jdbc, CatalogueProperties config) {
        this.jdbc = jdbc;
        this.config = config;
    }

    public CatalogueProperties config() {
        return config;
    }

    public Counts counts() {
        return new Counts(count("FROM offer_snapshot"), count("FROM klaviyo_variant"),
                count("FROM offer_snapshot o WHERE EXISTS (SELECT 1 FROM klaviyo_variant v WHERE v.id = o.variant_id)"), count(UNMATCHED_JLM),
                count(UNMATCHED_KLAVIYO), count(NEAR_MISSES));
    }

    /** Streams every line of one kind, up to {@code limit}, in SKU order. */
    public void forEach(Kind kind, int limit, Consumer<Mismatch> sink) {
        String sql = switch (kind) {
            case JLM_WITHOUT_KLAVIYO -> "SELECT o.shop_sku, o.offer_id, o.klaviyo_sku, NULL AS variant_id, "
                    + "NULL AS variant_sku " + UNMATCHED_JLM + " ORDER BY o.shop_sku";
            case KLAVIYO_WITHOUT_JLM -> "SELECT NULL AS shop_sku, NULL AS offer_id, v.sku AS klaviyo_sku, "
                    + "v.id AS variant_id, v.sku AS variant_sku " + UNMATCHED_KLAVIYO + " ORDER BY v.sku, v.id";
            case NEAR_MISS -> "SELECT o.shop_sku, o.offer_id, v.sku AS klaviyo_sku, v.id AS variant_id, "
                    + "v.sku AS variant_sku " + NEAR_MISSES + " ORDER BY o.shop_sku, v.id";
        };
        jdbc.query(sql + " FETCH FIRST " + Math.max(0, limit) + " ROWS ONLY", rs -> {
            long offerId = rs.getLong("offer_id");
            Long offer = rs.wasNull() ? null : offerId;
            String jlmSku = rs.getString("shop_sku");
            String klaviyoSku = rs.getString("klaviyo_sku");
            sink.accept(new Mismatch(kind, jlmSku, offer, kind == Kind.JLM_WITHOUT_KLAVIYO ? null : klaviyoSku,
                    rs.getString("variant_id"), kind == Kind.NEAR_MISS ? jlmSku + "," + klaviyoSku : null));
        });
    }

    public List<Mismatch> list(Kind kind, int limit) {
        List<Mismatch> lines = new java.util.ArrayList<>();
        forEach(kind, limit, lines::add);
        return lines;
    }

    private long count(String from) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) " + from, Long.class);
        return n == null ? 0 : n;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("jlm.klaviyo.catalogue.unmatched.skus", this, r -> r.count(UNMATCHED_JLM))
                .description("JLM offers whose SKU matches no Klaviyo catalogue variant").tag("side", "jlm")
                .tag("flow", OfferLedger.FLOW).register(registry);
        Gauge.builder("jlm.klaviyo.catalogue.unmatched.skus", this, r -> r.count(UNMATCHED_KLAVIYO))
                .description("Klaviyo catalogue variants no JLM offer matches").tag("side", "klaviyo")
                .tag("flow", OfferLedger.FLOW).register(registry);
        Gauge.builder("jlm.klaviyo.catalogue.near.misses", this, r -> r.count(NEAR_MISSES))
                .description("Unmatched JLM SKUs that differ from a Klaviyo SKU only in case, whitespace, separators "
                        + "or leading zeros").tag("flow", OfferLedger.FLOW).register(registry);
    }
}
