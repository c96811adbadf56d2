package uk.jlm.klaviyo.catalogue;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.CatalogueProperties;
import uk.jlm.klaviyo.jlm.FeedState;
import uk.jlm.klaviyo.klaviyo.KlaviyoRequests;

/**
 * The seller's Klaviyo catalogue variants (table {@code klaviyo_variant}), read again through
 * {@code GET /api/catalog-variants} (all pages, 100 a page, SKU only) by route {@code catalogue-feed} at the start of a
 * cycle, once per {@code catalogue.klaviyo-refresh-interval}: a large catalogue is 100 variants a request. Variants no longer listed are forgotten once the last page is in.
 */
@Component("klaviyoCatalogue")
public class KlaviyoCatalogue {

    static final String PATH = "/api/catalog-variants";
    /** feed_state row whose watermark is the last complete read of the Klaviyo catalogue. */
    static final String REFRESH = "catalogue-klaviyo";
    static final String CURSOR = "klaviyoCursor";
    static final String MORE = "klaviyoMorePages";
    static final String GENERATION = "klaviyoGeneration";
    private static final String BASE_QUERY = "fields%5Bcatalog-variant%5D=sku&page%5Bsize%5D=100";

    private final JdbcTemplate jdbc;
    private final SkuMatcher matcher;
    private final ObjectMapper json;
    private final FeedState state;
    private final Clock clock;
    private final Duration refreshInterval;

    KlaviyoCatalogue(JdbcTemplate jdbc, SkuMatcher matcher, ObjectMapper json, FeedState state, Clock clock,
                     CatalogueProperties config) {
        this.jdbc = jdbc;
        this.matcher = matcher;
        this.json = json;
        this.state = state;
        this.clock = clock;
        this.refreshInterval = config.klaviyoRefreshInterval();
    }

    /** The Klaviyo catalogue is read again once per {@code catalogue.klaviyo-refresh-interval} (and on first start). */
    public boolean due(Exchange exchange) {
        Instant now = clock.instant();
        return state.watermark(REFRESH).map(last -> !last.plus(refreshInterval).isAfter(now)).orElse(true);
    }

    public void startRead(Exchange exchange) {
        Long last = jdbc.queryForObject("SELECT MAX(generation) FROM klaviyo_variant", Long.class);
        exchange.setProperty(GENERATION, (last == null ? 0 : last) + 1);
        exchange.removeProperty(CURSOR);
        exchange.setProperty(MORE, true);
    }

    public void prepareRead(Exchange exchange) {
        exchange.setProperty(KlaviyoRequests.PATH, PATH);
        exchange.setProperty(KlaviyoRequests.METHOD, "GET");
        exchange.setProperty(KlaviyoRequests.FLOW, OfferLedger.FLOW);
        String cursor = exchange.getProperty(CURSOR, String.class);
        exchange.setProperty(KlaviyoRequests.QUERY, cursor == null ? BASE_QUERY
                : BASE_QUERY + "&page%5Bcursor%5D=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    }

    /** Stores one page of variants; {@code links.next} carries the next page's cursor. */
    public void readPage(Exchange exchange) {
        exchange.removeProperty(KlaviyoRequests.METHOD);
        exchange.removeProperty(KlaviyoRequests.QUERY);
        JsonNode page;
        try {
            page = json.readTree(exchange.getMessage().getBody(String.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Klaviyo catalogue page is not JSON: " + e.getOriginalMessage());
        }
        if (page == null || !page.path("data").isArray()) {
            throw new IllegalStateException("Klaviyo catalogue page has no data[] array");
        }
        long generation = exchange.getProperty(GENERATION, Long.class);
        List<Object[]> rows = new ArrayList<>();
        for (JsonNode variant : page.get("data")) {
            String id = variant.path("id").asText(null);
            if (id == null) {
                continue;
            }
            String sku = variant.path("attributes").path("sku").asText(null);
            rows.add(new Object[] {sku, sku == null ? null : matcher.key(sku),
                    sku == null ? null : SkuMatcher.looseKey(sku), generation, id});
        }
        store(rows);
        String cursor = cursor(page.path("links").path("next").asText(null));
        exchange.setProperty(CURSOR, cursor);
        exchange.setProperty(MORE, cursor != null);
    }

    /** The last page is in: variants not seen in this read no longer exist in Klaviyo. */
    public void finishRead(Exchange exchange) {
        jdbc.update("DELETE FROM klaviyo_variant WHERE generation <> ?", exchange.getProperty(GENERATION, Long.class));
        state.ensure(REFRESH);
        state.commit(REFRESH, clock.instant());
    }

    /** Which of these variant ids the catalogue has (read from Klaviyo, or created by us and reported complete). */
    Set<String> existing(Collection<String> variantIds) {
        List<String> ids = variantIds.stream().distinct().toList();
        if (ids.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.queryForList("SELECT id FROM klaviyo_variant WHERE id IN ("
                + OfferLedger.placeholders(ids.size()) + ")", String.class, ids.toArray()));
    }

    /** Records variants this service created (mode own) as soon as Klaviyo reports the job complete. */
    void created(List<String[]> idAndSku) {
        Long generation = jdbc.queryForObject("SELECT COALESCE(MAX(generation), 1) FROM klaviyo_variant", Long.class);
        store(idAndSku.stream().map(v -> new Object[] {v[1], matcher.key(v[1]), SkuMatcher.looseKey(v[1]),
                generation, v[0]}).toList());
    }

    private void store(List<Object[]> rows) {
        int[] updated = jdbc.batchUpdate("UPDATE klaviyo_variant SET sku = ?, sku_key = ?, loose_key = ?, generation = ? "
                + "WHERE id = ?", rows);
        List<Object[]> inserts = new ArrayList<>();
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] == 0) {
                inserts.add(rows.get(i));
            }
        }
        jdbc.batchUpdate("INSERT INTO klaviyo_variant (sku, sku_key, loose_key, generation, id) VALUES (?, ?, ?, ?, ?)",
                inserts);
    }

    static String cursor(String next) {
        if (next == null || next.isBlank()) {
            return null;
        }
        String query = URI.create(next).getRawQuery();
        if (query == null) {
            return null;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8).equals("page[cursor]")) {
                return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
