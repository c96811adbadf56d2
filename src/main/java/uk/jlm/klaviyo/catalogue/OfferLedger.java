package uk.jlm.klaviyo.catalogue;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import uk.jlm.klaviyo.config.CatalogueProperties;
import uk.jlm.klaviyo.config.CatalogueProperties.Mode;
import uk.jlm.klaviyo.jlm.FeedState;
import uk.jlm.klaviyo.klaviyo.EndpointClass;
import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.Outbox;
import uk.jlm.klaviyo.outbox.OutboxEntry;

/**
 * Change detection for offers: each offer is compared with its snapshot (table {@code offer_snapshot}, by shop SKU)
 * and a real change of sellable quantity, price or title queues one catalogue request in the same transaction.
 * Stock crossing 0 → &gt;0 is queued as {@value #RESTOCK}, which the delivery sends before anything else.
 * An offer whose SKU matches no Klaviyo variant (mode {@code update-existing}) is kept in the snapshot, unmatched,
 * for the mismatch report; it is synced as soon as a variant or a mapping makes it match.
 */
@Component
public class OfferLedger {

    public static final String FLOW = "catalogue";
    public static final String UPDATE_PATH = "/api/catalog-variant-bulk-update-jobs";
    public static final String CREATE_ITEM_PATH = "/api/catalog-item-bulk-create-jobs";
    public static final String CREATE_VARIANT_PATH = "/api/catalog-variant-bulk-create-jobs";
    public static final String UPDATE = "Catalogue Update";
    public static final String RESTOCK = "Back In Stock";
    public static final String CREATE = "Catalogue Create";
    static final String ID_PREFIX = "$custom:::$default:::";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final SkuMatcher matcher;
    private final ObjectMapper json;
    private final FlowMetrics metrics;
    private final Clock clock;
    private final CatalogueProperties config;
    private final Counter restocks;
    private final KlaviyoCatalogue catalogue;

    OfferLedger(JdbcTemplate jdbc, TransactionTemplate tx, Outbox outbox, DeadLetters deadLetters, SkuMatcher matcher,
                ObjectMapper json, FlowMetrics metrics, Clock clock, CatalogueProperties config, MeterRegistry registry,
                KlaviyoCatalogue catalogue) {
        this.catalogue = catalogue;
        this.jdbc = jdbc;
        this.tx = tx;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.matcher = matcher;
        this.json = json;
        this.metrics = metrics;
        this.clock = clock;
        this.config = config;
        this.restocks = Counter.builder("jlm.klaviyo.catalogue.back.in.stock")
                .description("Offers whose sellable stock went from 0 to more than 0 (queued first for Klaviyo)")
                .register(registry);
    }

    /** What the snapshot holds for one offer. */
    private record Snapshot(int quantity, BigDecimal price, String title, String variantId, int version) {
    }

    /** Sync state of a chunk of offers, one transaction; returns how many catalogue requests it queued. */
    public int apply(List<MiraklOffer> offers) {
        Map<String, MiraklOffer> valid = new LinkedHashMap<>();
        for (MiraklOffer offer : offers) {
            String problem = offer.problem();
            if (problem != null) {
                deadLetters.inputRejected(FLOW, offer.sourceRef(), problem, offer.source().toString());
            } else {
                valid.put(offer.shopSku(), offer); // the file's later line for a SKU wins
            }
        }
        if (valid.isEmpty()) {
            return 0;
        }
        Integer queued = tx.execute(status -> applyValid(valid));
        deadLetters.resolved(FLOW, valid.values().stream().map(MiraklOffer::sourceRef).toList());
        return queued == null ? 0 : queued;
    }

    private int applyValid(Map<String, MiraklOffer> offers) {
        Map<String, Snapshot> snapshots = snapshots(offers.keySet());
        Map<String, String> keys = new HashMap<>();
        offers.keySet().forEach(sku -> keys.put(sku, matcher.key(matcher.klaviyoSku(sku))));
        Map<String, String> variants = variantsByKey(keys.values());
        Set<String> existing = config.mode() == Mode.OWN
                ? catalogue.existing(keys.values().stream().map(key -> ID_PREFIX + key).toList()) : Set.of();
        Timestamp now = Timestamp.from(clock.instant());
        int queued = 0;
        for (MiraklOffer offer : offers.values()) {
            String sku = offer.shopSku();
            String klaviyoSku = matcher.klaviyoSku(sku);
            String key = keys.get(sku);
            String variantId = config.mode() == Mode.OWN ? ID_PREFIX + key : variants.get(key);
            int quantity = offer.sellableQuantity();
            String title = offer.description() != null ? FeedState.abbreviate(offer.description(), 1000) : null;
            Snapshot before = snapshots.get(sku);
            if (before != null && before.quantity() == quantity && sameAmount(before.price(), offer.price())
                    && Objects.equals(before.title(), title) && Objects.equals(before.variantId(), variantId)) {
                continue;
            }
            int version = before == null ? 1 : before.version() + 1;
            Object[] values = {offer.offerId(), klaviyoSku, key, SkuMatcher.looseKey(klaviyoSku), quantity,
                    offer.price(), offer.currency(), title, variantId, version, offer.lastUpdated(), now, sku};
            if (before == null) {
                jdbc.update("INSERT INTO offer_snapshot (offer_id, klaviyo_sku, sku_key, loose_key, quantity, price, "
                        + "currency, title, variant_id, version, last_updated, updated_at, shop_sku) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values);
            } else {
                jdbc.update("UPDATE offer_snapshot SET offer_id = ?, klaviyo_sku = ?, sku_key = ?, loose_key = ?, "
                        + "quantity = ?, price = ?, currency = ?, title = ?, variant_id = ?, version = ?, "
                        + "last_updated = ?, updated_at = ? WHERE shop_sku = ?", values);
            }
            if (variantId == null) {
                continue; // unmatched: reported by the mismatch report, synced once it matches
            }
            boolean restock = before != null && before.quantity() == 0 && quantity > 0;
            boolean create = config.mode() == Mode.OWN && before == null && !existing.contains(variantId);
            queue(new Sync(sku, klaviyoSku, variantId, title, offer.description(), offer.price(), offer.currency(),
                    quantity, restock), create, version);
            queued++;
        }
        return queued;
    }

    /**
     * After the Klaviyo catalogue was read again: offers that now match a variant (a new variant, a new mapping)
     * are synced from their snapshot; offers whose variant disappeared become unmatched. Mode update-existing only.
     */
    public int rematch() {
        if (config.mode() == Mode.OWN) {
            return 0;
        }
        return tx.execute(status -> {
            jdbc.update("UPDATE offer_snapshot SET variant_id = NULL WHERE variant_id IS NOT NULL AND NOT EXISTS "
                    + "(SELECT 1 FROM klaviyo_variant v WHERE v.id = offer_snapshot.variant_id)");
            // The mapping file or rule may have changed since these were keyed.
            List<Map<String, Object>> unmatched = jdbc.queryForList(
                    "SELECT shop_sku, sku_key FROM offer_snapshot WHERE variant_id IS NULL");
            for (Map<String, Object> row : unmatched) {
                String sku = (String) row.get("shop_sku");
                String klaviyoSku = matcher.klaviyoSku(sku);
                String key = matcher.key(klaviyoSku);
                if (!key.equals(row.get("sku_key"))) {
                    jdbc.update("UPDATE offer_snapshot SET klaviyo_sku = ?, sku_key = ?, loose_key = ? WHERE shop_sku = ?",
                            klaviyoSku, key, SkuMatcher.looseKey(klaviyoSku), sku);
                }
            }
            List<Map<String, Object>> matches = jdbc.queryForList("SELECT o.shop_sku, o.klaviyo_sku, o.quantity, "
                    + "o.price, o.currency, o.title, o.version, MIN(v.id) AS variant_id FROM offer_snapshot o "
                    + "JOIN klaviyo_variant v ON v.sku_key = o.sku_key WHERE o.variant_id IS NULL "
                    + "GROUP BY o.shop_sku, o.klaviyo_sku, o.quantity, o.price, o.currency, o.title, o.version");
            for (Map<String, Object> row : matches) {
                String sku = (String) row.get("shop_sku");
                String variantId = (String) row.get("variant_id");
                int version = ((Number) row.get("version")).intValue() + 1;
                jdbc.update("UPDATE offer_snapshot SET variant_id = ?, version = ? WHERE shop_sku = ?",
                        variantId, version, sku);
                queue(new Sync(sku, (String) row.get("klaviyo_sku"), variantId, (String) row.get("title"), null,
                        (BigDecimal) row.get("price"), (String) row.get("currency"),
                        ((Number) row.get("quantity")).intValue(), false), false, version);
            }
            return matches.size();
        });
    }

    /** One catalogue request's payload: the desired state of one variant. */
    record Sync(String shopSku, String klaviyoSku, String variantId, String title, String description,
                BigDecimal price, String currency, int quantity, boolean restock) {
    }

    private void queue(Sync sync, boolean create, int version) {
        String metric = create ? CREATE : sync.restock() ? RESTOCK : UPDATE;
        boolean restock = sync.restock();
        if (!create) {
            // A newer state replaces a queued one; a queued restock stays a restock while stock is above 0.
            Integer queuedRestocks = jdbc.queryForObject("SELECT COUNT(*) FROM outbox WHERE flow = ? AND subject_ref = ? "
                    + "AND status = 'PENDING' AND metric = ?", Integer.class, FLOW, sync.shopSku(), RESTOCK);
            restock = restock || (queuedRestocks != null && queuedRestocks > 0 && sync.quantity() > 0);
            metric = restock ? RESTOCK : UPDATE;
            jdbc.update("UPDATE outbox SET status = 'SUPERSEDED' WHERE flow = ? AND subject_ref = ? "
                    + "AND status = 'PENDING' AND path = ?", FLOW, sync.shopSku(), UPDATE_PATH);
        }
        if (restock && sync.restock()) {
            restocks.increment();
        }
        Sync queued = new Sync(sync.shopSku(), sync.klaviyoSku(), sync.variantId(), sync.title(), sync.description(),
                sync.price(), sync.currency(), sync.quantity(), restock);
        outbox.enqueue(new OutboxEntry(FLOW, "offer:" + sync.shopSku() + ":v" + version, EndpointClass.PROFILES,
                create ? CREATE_ITEM_PATH : UPDATE_PATH, metric, null, write(queued),
                clock.instant().atOffset(ZoneOffset.UTC)), sync.shopSku());
        metrics.detected(FLOW, metric);
    }

    private Map<String, Snapshot> snapshots(Collection<String> skus) {
        Map<String, Snapshot> found = new HashMap<>();
        jdbc.query("SELECT shop_sku, quantity, price, title, variant_id, version FROM offer_snapshot WHERE shop_sku IN ("
                + placeholders(skus.size()) + ")", rs -> {
            found.put(rs.getString("shop_sku"), new Snapshot(rs.getInt("quantity"), rs.getBigDecimal("price"),
                    rs.getString("title"), rs.getString("variant_id"), rs.getInt("version")));
        }, skus.toArray());
        return found;
    }

    private Map<String, String> variantsByKey(Collection<String> keys) {
        Map<String, String> found = new HashMap<>();
        List<String> distinct = keys.stream().distinct().toList();
        jdbc.query("SELECT sku_key, id FROM klaviyo_variant WHERE sku_key IN (" + placeholders(distinct.size())
                + ") ORDER BY id", rs -> {
            found.putIfAbsent(rs.getString("sku_key"), rs.getString("id"));
        }, distinct.toArray());
        return found;
    }

    private static boolean sameAmount(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }

    static String placeholders(int n) {
        return String.join(",", Collections.nCopies(n, "?"));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a queued payload back. */
    Sync read(String payload) {
        try {
            return json.readValue(payload, Sync.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("catalogue outbox row is not a variant state", e);
        }
    }
}
