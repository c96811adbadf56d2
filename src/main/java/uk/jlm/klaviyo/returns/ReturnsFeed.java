package uk.jlm.klaviyo.returns;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.JlmProperties;
import uk.jlm.klaviyo.jlm.FeedPolls;
import uk.jlm.klaviyo.jlm.JlmRequests;
import uk.jlm.klaviyo.jlm.MalformedJlmResponseException;
import uk.jlm.klaviyo.outbox.DeadLetters;

/**
 * RT11 {@code GET /api/returns} paging for route {@code returns-feed}: {@code return_last_updated_from/_to} for the
 * window, then the opaque {@code page_token} (seek pagination; with a token every other parameter is ignored,
 * reference/mirakl.md §2.2, §6).
 */
@Component("returnsFeed")
class ReturnsFeed {

    static final String PAGE_TOKEN = "pageToken";
    static final String MORE_PAGES = "morePages";

    /** A return that passed the contract checks, with its raw JSON for dead letters and replay. */
    record ReadReturn(MiraklReturn value, String rawJson) {
    }

    private final FeedPolls polls;
    private final JlmRequests requests;
    private final DeadLetters deadLetters;
    private final ObjectMapper json;
    private final JlmProperties.Returns config;

    ReturnsFeed(FeedPolls polls, JlmRequests requests, DeadLetters deadLetters, ObjectMapper json, JlmProperties jlm) {
        this.polls = polls;
        this.requests = requests;
        this.deadLetters = deadLetters;
        this.json = json;
        this.config = jlm.returns();
    }

    public void openWindow(Exchange exchange) {
        polls.openWindow(exchange, config.overlap(), java.time.Duration.ZERO);
        exchange.removeProperty(PAGE_TOKEN);
        exchange.setProperty(MORE_PAGES, true);
    }

    public void prepareRequest(Exchange exchange) {
        polls.heartbeat(exchange);
        Map<String, String> query = new LinkedHashMap<>();
        String token = exchange.getProperty(PAGE_TOKEN, String.class);
        if (token != null) {
            query.put("page_token", token);
        } else {
            query.put("return_last_updated_from", exchange.getProperty(FeedPolls.WINDOW_START, Instant.class).toString());
            query.put("return_last_updated_to", exchange.getProperty(FeedPolls.WINDOW_END, Instant.class).toString());
        }
        query.put("limit", Integer.toString(config.pageSize()));
        requests.prepare(exchange, query);
    }

    public List<ReadReturn> readPage(Exchange exchange) {
        JlmRequests.forget(exchange);
        JsonNode page;
        try {
            page = json.readTree(exchange.getMessage().getBody(String.class));
        } catch (JsonProcessingException e) {
            throw new MalformedJlmResponseException("RT11 page is not JSON: " + e.getOriginalMessage());
        }
        if (page == null || !page.path("data").isArray()) {
            throw new MalformedJlmResponseException("RT11 page has no data[] array");
        }
        List<ReadReturn> good = new ArrayList<>();
        for (JsonNode node : page.get("data")) {
            String id = node.path("id").asText("(no id)");
            String problem = contractProblem(node);
            if (problem != null) {
                deadLetters.inputRejected(ReturnDetector.FLOW, "return:" + id, problem, node.toString());
                continue;
            }
            try {
                good.add(new ReadReturn(json.treeToValue(node, MiraklReturn.class), node.toString()));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                deadLetters.inputRejected(ReturnDetector.FLOW, "return:" + id,
                        "return does not follow the RT11 schema: " + e.getMessage(), node.toString());
            }
        }
        String next = page.path("next_page_token").asText(null);
        exchange.setProperty(PAGE_TOKEN, next);
        exchange.setProperty(MORE_PAGES, next != null && !next.isBlank());
        return good;
    }

    static String contractProblem(JsonNode node) {
        for (String field : List.of("id", "order_id", "state", "last_updated")) {
            if (!node.path(field).isTextual() || node.get(field).asText().isBlank()) {
                return "missing required field " + field;
            }
        }
        if (!MiraklReturn.STATES.contains(node.get("state").asText())) {
            return "unknown return state " + node.get("state").asText();
        }
        if (!node.path("return_lines").isArray()) {
            return "missing required field return_lines";
        }
        return null;
    }
}
