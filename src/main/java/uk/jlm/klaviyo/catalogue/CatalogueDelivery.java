package uk.jlm.klaviyo.catalogue;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.CatalogueProperties;
import uk.jlm.klaviyo.config.CatalogueProperties.Mode;
import uk.jlm.klaviyo.klaviyo.BulkJobDelivery;
import uk.jlm.klaviyo.klaviyo.EndpointClass;
import uk.jlm.klaviyo.klaviyo.KlaviyoDelivery;
import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.ClaimedDelivery;
import uk.jlm.klaviyo.outbox.Outbox;

/**
 * Drains the catalogue lane for route {@code catalogue-delivery} as Klaviyo catalogue bulk jobs of ≤100 objects
 * (reference/klaviyo.md §6.3), restocks first. Each accepted job is recorded in {@code catalogue_job}, where
 * {@link CatalogueJobs} later reads its per-variant errors. In mode {@code own}, an update for a variant whose
 * creation is still in progress waits in the lane until the variant exists.
 */
@Component("catalogueDelivery")
class CatalogueDelivery extends BulkJobDelivery {

    static final int JOB_LIMIT = 100;
    /** Jobs claimed per look at the lane; the throttles of direct:klaviyo-profiles set the pace. */
    static final int JOBS_PER_LOOK = 10;
    private static final Duration WAIT_FOR_CREATION = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(CatalogueDelivery.class);

    private final OfferLedger ledger;
    private final KlaviyoCatalogue catalogue;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final CatalogueProperties config;

    CatalogueDelivery(Outbox outbox, KlaviyoDelivery delivery, ProducerTemplate producer, FlowMetrics metrics,
                      Clock clock, OfferLedger ledger, KlaviyoCatalogue catalogue, JdbcTemplate jdbc, ObjectMapper json,
                      CatalogueProperties config) {
        super(OfferLedger.FLOW, EndpointClass.PROFILES, outbox, delivery, producer, metrics, clock);
        this.ledger = ledger;
        this.catalogue = catalogue;
        this.jdbc = jdbc;
        this.json = json;
        this.config = config;
    }

    @Override
    public List<Batch> batches() {
        List<Batch> batches = new ArrayList<>();
        chunk(outbox.claimMetric(OfferLedger.FLOW, OfferLedger.RESTOCK, JOB_LIMIT), OfferLedger.UPDATE_PATH, JOB_LIMIT,
                batches);
        List<ClaimedDelivery> rows = outbox.claim(OfferLedger.FLOW, JOB_LIMIT * JOBS_PER_LOOK);
        for (String path : List.of(OfferLedger.CREATE_ITEM_PATH, OfferLedger.CREATE_VARIANT_PATH, OfferLedger.UPDATE_PATH)) {
            List<ClaimedDelivery> ofPath = rows.stream().filter(r -> path.equals(r.path())).toList();
            if (path.equals(OfferLedger.UPDATE_PATH)) {
                ofPath = readyForUpdate(ofPath);
            }
            chunk(ofPath, path, JOB_LIMIT, batches);
        }
        return batches;
    }

    /** Mode own: updates of variants not created yet go back to the lane for a while. */
    private List<ClaimedDelivery> readyForUpdate(List<ClaimedDelivery> rows) {
        if (config.mode() != Mode.OWN || rows.isEmpty()) {
            return rows;
        }
        Map<ClaimedDelivery, String> variantIds = new LinkedHashMap<>();
        rows.forEach(row -> variantIds.put(row, ledger.read(row.payload()).variantId()));
        Set<String> existing = catalogue.existing(variantIds.values());
        List<ClaimedDelivery> ready = new ArrayList<>();
        variantIds.forEach((row, variantId) -> {
            if (existing.contains(variantId)) {
                ready.add(row);
            } else {
                outbox.retryLater(row.id(), WAIT_FOR_CREATION);
            }
        });
        return ready;
    }

    /** Klaviyo accepted the job: its rows are done; the job is kept for {@link CatalogueJobs} to check. */
    @Override
    protected void accepted(Batch batch, String response) {
        String jobId = null;
        try {
            jobId = response == null || response.isBlank() ? null : json.readTree(response).path("data").path("id").asText(null);
        } catch (JsonProcessingException e) {
            log.warn("catalogue job accepted without a readable job id: {}", e.getOriginalMessage());
        }
        if (jobId != null) {
            jdbc.update("INSERT INTO catalogue_job (id, path, outbox_ids, status, created_at) SELECT ?, ?, ?, 'OPEN', ? "
                            + "WHERE NOT EXISTS (SELECT 1 FROM catalogue_job WHERE id = ?)",
                    jobId, batch.path(), batch.rows().stream().map(r -> Long.toString(r.id()))
                            .reduce((a, b) -> a + "," + b).orElse(""), Timestamp.from(clock.instant()), jobId);
        }
        super.accepted(batch, response);
    }

    @Override
    protected String body(Batch batch) {
        ObjectNode root = json.createObjectNode();
        ObjectNode data = root.putObject("data");
        boolean items = OfferLedger.CREATE_ITEM_PATH.equals(batch.path());
        boolean create = !OfferLedger.UPDATE_PATH.equals(batch.path());
        data.put("type", items ? "catalog-item-bulk-create-job"
                : create ? "catalog-variant-bulk-create-job" : "catalog-variant-bulk-update-job");
        ArrayNode list = data.putObject("attributes").putObject(items ? "items" : "variants").putArray("data");
        for (ClaimedDelivery row : batch.rows()) {
            OfferLedger.Sync sync = ledger.read(row.payload());
            ObjectNode object = list.addObject();
            object.put("type", items ? "catalog-item" : "catalog-variant");
            if (items) {
                createAttributes(object.putObject("attributes"), sync);
            } else if (create) {
                ObjectNode attributes = createAttributes(object.putObject("attributes"), sync);
                attributes.put("sku", sync.klaviyoSku());
                attributes.put("inventory_quantity", sync.quantity());
                attributes.put("inventory_policy", 1);
                attributes.put("price", sync.price() == null ? BigDecimal.ZERO : sync.price());
                ObjectNode item = object.putObject("relationships").putObject("item").putObject("data");
                item.put("type", "catalog-item");
                item.put("id", sync.variantId());
            } else {
                object.put("id", sync.variantId());
                ObjectNode attributes = object.putObject("attributes");
                attributes.put("inventory_quantity", sync.quantity());
                if (sync.price() != null) {
                    attributes.put("price", sync.price());
                }
                if (config.mode() == Mode.OWN && sync.title() != null) {
                    attributes.put("title", sync.title());
                }
            }
        }
        return root.toString();
    }

    /** Item and variant creation share these (mode own): ids are the Klaviyo SKU under the documented rule. */
    private ObjectNode createAttributes(ObjectNode attributes, OfferLedger.Sync sync) {
        String externalId = sync.variantId().substring(OfferLedger.ID_PREFIX.length());
        String title = sync.title() != null ? sync.title() : sync.klaviyoSku();
        attributes.put("external_id", externalId);
        attributes.put("integration_type", "$custom");
        attributes.put("catalog_type", "$default");
        attributes.put("title", title);
        attributes.put("description", sync.description() != null ? sync.description() : title);
        attributes.put("url", config.itemUrl().replace("{sku}",
                java.net.URLEncoder.encode(sync.klaviyoSku(), java.nio.charset.StandardCharsets.UTF_8)));
        if (sync.price() != null) {
            attributes.put("price", sync.price());
        }
        return attributes;
    }
}
