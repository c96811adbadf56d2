package uk.jlm.klaviyo.catalogue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.CatalogueProperties;
import uk.jlm.klaviyo.config.JlmProperties;
import uk.jlm.klaviyo.jlm.FeedPolls;
import uk.jlm.klaviyo.jlm.FeedState;
import uk.jlm.klaviyo.jlm.JlmRequests;
import uk.jlm.klaviyo.jlm.MalformedJlmResponseException;
import uk.jlm.klaviyo.outbox.DeadLetters;

/**
 * The offer export cycle for route {@code catalogue-feed} (reference/mirakl.md §8): OF52 asks for the offers updated
 * since {@code last_request_date} (the previous request's time − {@code catalogue.overlap}), or for all offers
 * (inactive included) on first start and every {@code catalogue.full-export-interval}; OF53 is polled every
 * {@code catalogue.status-poll-interval} until COMPLETED; each OF54 file is streamed (never held whole) through
 * {@link OfferLedger} in chunks. The watermark moves to the request's time only once every file was read to its end:
 * a FAILED export, a timeout or a truncated file leaves it where it was, and the next cycle asks again.
 */
@Component("catalogueFeed")
public class CatalogueFeed {

    static final String FEED = "catalogue";
    static final String FULL_FEED = "catalogue-full";
    static final String FULL = "fullExport";
    static final String TRACKING_ID = "trackingId";
    static final String TRACKING_PATH = "trackingPath";
    static final String PENDING = "exportPending";
    static final String DEADLINE = "exportDeadline";
    static final String URLS = "exportUrls";
    static final String STATUS_POLL_MS = "statusPollMs";
    static final String READ = "offersRead";
    static final String QUEUED = "offersQueued";
    private static final int CHUNK = 500;
    private static final Pattern BAD_PERCENT = Pattern.compile("%(?![0-9A-Fa-f]{2})");
    private static final Logger log = LoggerFactory.getLogger(CatalogueFeed.class);

    private final FeedPolls polls;
    private final FeedState state;
    private final JlmRequests requests;
    private final OfferLedger ledger;
    private final DeadLetters deadLetters;
    private final ObjectMapper json;
    private final CatalogueProperties config;
    private final JlmProperties jlm;
    private final Clock clock;

    CatalogueFeed(FeedPolls polls, FeedState state, JlmRequests requests, OfferLedger ledger, DeadLetters deadLetters,
                  ObjectMapper json, CatalogueProperties config, JlmProperties jlm, Clock clock) {
        this.polls = polls;
        this.state = state;
        this.requests = requests;
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.json = json;
        this.config = config;
        this.jlm = jlm;
        this.clock = clock;
        if (config.statusPollInterval().compareTo(Duration.ofSeconds(10)) < 0) {
            log.warn("catalogue.status-poll-interval {} is below Mirakl's OF53 floor of 10 s", config.statusPollInterval());
        }
    }

    public boolean due(Exchange exchange) {
        return polls.due(exchange);
    }

    /** OF52: differential since the last request − overlap, or full (first start, or the daily re-baseline). */
    public void requestExport(Exchange exchange) {
        polls.openWindow(exchange, config.overlap(), Duration.ZERO);
        Instant requestedAt = exchange.getProperty(FeedPolls.WINDOW_END, Instant.class);
        boolean full = state.watermark(FEED).isEmpty() || state.watermark(FULL_FEED)
                .map(last -> !last.plus(config.fullExportInterval()).isAfter(requestedAt)).orElse(true);
        exchange.setProperty(FULL, full);
        exchange.setProperty(READ, 0L);
        exchange.setProperty(QUEUED, 0L);
        exchange.setProperty(STATUS_POLL_MS, config.statusPollInterval().toMillis());
        exchange.setProperty(DEADLINE, requestedAt.plus(config.exportTimeout()));
        requests.prepare(exchange, Map.of());
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        var body = json.createObjectNode().put("export_type", "application/json");
        if (full) {
            body.put("include_inactive_offers", true);
        } else {
            body.put("last_request_date", exchange.getProperty(FeedPolls.WINDOW_START, Instant.class).toString());
        }
        exchange.getMessage().setBody(body.toString());
    }

    public void exportRequested(Exchange exchange) {
        JlmRequests.forget(exchange);
        String trackingId = read(exchange, "OF52 response").path("tracking_id").asText("");
        if (trackingId.isBlank()) {
            throw new MalformedJlmResponseException("OF52 response has no tracking_id");
        }
        exchange.setProperty(TRACKING_ID, trackingId);
        exchange.setProperty(TRACKING_PATH, URLEncoder.encode(trackingId, StandardCharsets.UTF_8).replace("+", "%20"));
        exchange.setProperty(PENDING, true);
        log.info("catalogue: {} offer export {} requested", full(exchange) ? "full" : "differential", trackingId);
    }

    public void prepareStatus(Exchange exchange) {
        polls.heartbeat(exchange);
        requests.prepare(exchange, Map.of());
    }

    /** OF53: PENDING → poll again (until the deadline); FAILED → the cycle fails; COMPLETED → the file URLs. */
    public void readStatus(Exchange exchange) {
        JlmRequests.forget(exchange);
        JsonNode status = read(exchange, "OF53 response");
        String trackingId = exchange.getProperty(TRACKING_ID, String.class);
        switch (status.path("status").asText("")) {
            case "COMPLETED" -> {
                List<String> urls = new ArrayList<>();
                status.path("urls").forEach(url -> urls.add(url.asText()));
                exchange.setProperty(URLS, urls);
                exchange.setProperty(PENDING, false);
            }
            case "FAILED" -> throw new IllegalStateException("offer export " + trackingId + " FAILED on JLM: "
                    + status.path("error").path("code").asText("") + " " + status.path("error").path("detail").asText(""));
            case "PENDING" -> {
                if (clock.instant().isAfter(exchange.getProperty(DEADLINE, Instant.class))) {
                    throw new IllegalStateException("offer export " + trackingId + " still PENDING after "
                            + config.exportTimeout() + " (catalogue.export-timeout)");
                }
            }
            default -> throw new MalformedJlmResponseException("OF53 response has an unknown status: "
                    + FeedState.abbreviate(status.path("status").asText(""), 40));
        }
    }

    /** OF54: one file URL from OF53, with the JLM key only if it is on JLM's own host. */
    public void prepareDownload(Exchange exchange) {
        polls.heartbeat(exchange);
        int index = exchange.getProperty(Exchange.LOOP_INDEX, Integer.class);
        @SuppressWarnings("unchecked")
        String url = ((List<String>) exchange.getProperty(URLS, List.class)).get(index);
        requests.prepare(exchange, Map.of());
        exchange.getMessage().removeHeader(Exchange.HTTP_QUERY);
        String safe = BAD_PERCENT.matcher(url).replaceAll("%25");
        if (!sameHost(safe, jlm.baseUrl())) {
            JlmRequests.forget(exchange);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_URI, safe);
        exchange.setProperty("exportFile", index);
    }

    /**
     * Streams one export file: a JSON array of offers, read one object at a time and applied in chunks. A record
     * that is not an offer object is dead-lettered; a file that ends early or stops being JSON fails the cycle.
     */
    public void readFile(Exchange exchange) throws IOException {
        JlmRequests.forget(exchange);
        int file = exchange.getProperty("exportFile", Integer.class);
        long read = 0;
        long queued = 0;
        try (InputStream in = exchange.getMessage().getBody(InputStream.class);
             JsonParser parser = json.getFactory().createParser(in)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new MalformedJlmResponseException("offer export file " + file + " is not a JSON array");
            }
            List<MiraklOffer> chunk = new ArrayList<>(CHUNK);
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    throw new MalformedJlmResponseException("offer export file " + file + " is truncated after "
                            + read + " offers");
                }
                JsonNode node = parser.readValueAsTree();
                read++;
                if (node == null || !node.isObject()) {
                    deadLetters.inputRejected(FEED, "offer-file:" + exchange.getProperty(TRACKING_ID) + ":" + file
                            + ":" + read, "offer export record " + read + " is not an offer object", String.valueOf(node));
                    continue;
                }
                chunk.add(MiraklOffer.from(node));
                if (chunk.size() == CHUNK) {
                    queued += ledger.apply(chunk);
                    chunk.clear();
                    polls.heartbeat(exchange);
                }
            }
            queued += ledger.apply(chunk);
        } catch (JsonProcessingException e) {
            exchange.getMessage().setBody(null);
            throw new MalformedJlmResponseException("offer export file " + file + " is truncated or not JSON after "
                    + read + " offers: " + e.getOriginalMessage());
        } catch (MalformedJlmResponseException e) {
            exchange.getMessage().setBody(null);
            throw e;
        }
        exchange.getMessage().setBody(null);
        exchange.setProperty(READ, exchange.getProperty(READ, Long.class) + read);
        exchange.setProperty(QUEUED, exchange.getProperty(QUEUED, Long.class) + queued);
    }

    /** Every file is in: the watermark moves to the request's time (and the full export's, if this was one). */
    public void committed(Exchange exchange) {
        if (full(exchange)) {
            state.ensure(FULL_FEED);
            state.commit(FULL_FEED, exchange.getProperty(FeedPolls.WINDOW_END, Instant.class));
        }
        polls.committed(exchange);
        log.info("catalogue: {} export {} done, {} offers read, {} catalogue updates queued",
                full(exchange) ? "full" : "differential", exchange.getProperty(TRACKING_ID),
                exchange.getProperty(READ), exchange.getProperty(QUEUED));
    }

    private static boolean full(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty(FULL, Boolean.class));
    }

    private JsonNode read(Exchange exchange, String what) {
        try {
            JsonNode node = json.readTree(exchange.getMessage().getBody(String.class));
            if (node == null || !node.isObject()) {
                throw new MalformedJlmResponseException(what + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MalformedJlmResponseException(what + " is not JSON: " + e.getOriginalMessage());
        }
    }

    static boolean sameHost(String url, String baseUrl) {
        try {
            URI a = URI.create(url);
            URI b = URI.create(baseUrl);
            return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
