package uk.jlm.klaviyo.consent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import uk.jlm.klaviyo.config.JlmProperties;
import uk.jlm.klaviyo.jlm.FeedPolls;
import uk.jlm.klaviyo.jlm.JlmRequests;
import uk.jlm.klaviyo.jlm.MalformedJlmResponseException;

/**
 * The consent feed for route {@code consent-feed} (DESIGN.md "Consent"):
 * {@code GET <feed-url>?updated_since=<ISO-8601>[&page_token=<t>]} with the JLM key →
 * {@code {"customers":[{"customer_id","email","accepts_marketing","updated_at"}],"next_page_token":…}}.
 */
@Component("consentFeed")
class ConsentFeed {

    static final String PAGE_TOKEN = "pageToken";
    static final String MORE_PAGES = "morePages";
    static final String URL = "consentFeedUrl";

    private final FeedPolls polls;
    private final JlmRequests requests;
    private final ConsentLedger ledger;
    private final ObjectMapper json;
    private final JlmProperties.Consent config;

    ConsentFeed(FeedPolls polls, JlmRequests requests, ConsentLedger ledger, ObjectMapper json, JlmProperties jlm) {
        this.polls = polls;
        this.requests = requests;
        this.ledger = ledger;
        this.json = json;
        this.config = jlm.consent();
    }

    /** The feed polls only when JLM_CONSENT_FEED_URL is set (the order custom field works without it). */
    public boolean due(Exchange exchange) {
        return StringUtils.hasText(config.feedUrl()) && polls.due(exchange);
    }

    public void openWindow(Exchange exchange) {
        polls.openWindow(exchange, config.overlap(), java.time.Duration.ZERO);
        exchange.removeProperty(PAGE_TOKEN);
        exchange.setProperty(MORE_PAGES, true);
        exchange.setProperty(URL, config.feedUrl());
    }

    public void prepareRequest(Exchange exchange) {
        polls.heartbeat(exchange);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("updated_since", exchange.getProperty(FeedPolls.WINDOW_START, Instant.class).toString());
        String token = exchange.getProperty(PAGE_TOKEN, String.class);
        if (token != null) {
            query.put("page_token", token);
        }
        requests.prepare(exchange, query);
    }

    /** Reads a page and records every decision on it; a bad record is dead-lettered and the rest proceeds. */
    public void readPage(Exchange exchange) {
        JlmRequests.forget(exchange);
        JsonNode page;
        try {
            page = json.readTree(exchange.getMessage().getBody(String.class));
        } catch (JsonProcessingException e) {
            throw new MalformedJlmResponseException("consent feed page is not JSON: " + e.getOriginalMessage());
        }
        if (page == null || !page.path("customers").isArray()) {
            throw new MalformedJlmResponseException("consent feed page has no customers[] array");
        }
        for (JsonNode customer : page.get("customers")) {
            ledger.record(ConsentChange.fromFeed(customer));
        }
        String next = page.path("next_page_token").asText(null);
        exchange.setProperty(PAGE_TOKEN, next);
        exchange.setProperty(MORE_PAGES, StringUtils.hasText(next));
    }
}
