package uk.jlm.klaviyo.orders;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.JlmProperties;
import uk.jlm.klaviyo.jlm.FeedPolls;
import uk.jlm.klaviyo.jlm.JlmRequests;
import uk.jlm.klaviyo.jlm.OrderPageReader;
import uk.jlm.klaviyo.jlm.ReadOrder;
import uk.jlm.klaviyo.outbox.DeadLetters;

/**
 * OR11 paging for route {@code orders-feed}: a fixed {@code end_update_date} per cycle, {@code start_update_date}
 * = watermark − overlap, {@code offset}/{@code max} to the end (reference/mirakl.md §2.2–2.3). This one poll
 * serves every order-derived flow.
 */
@Component("ordersFeed")
class OrdersFeed {

    static final String OFFSET = "offset";
    static final String MORE_PAGES = "morePages";

    private final FeedPolls polls;
    private final JlmRequests requests;
    private final OrderPageReader reader;
    private final DeadLetters deadLetters;
    private final JlmProperties.Orders config;

    OrdersFeed(FeedPolls polls, JlmRequests requests, OrderPageReader reader, DeadLetters deadLetters,
               JlmProperties jlm) {
        this.polls = polls;
        this.requests = requests;
        this.reader = reader;
        this.deadLetters = deadLetters;
        this.config = jlm.orders();
    }

    public void openWindow(Exchange exchange) {
        polls.openWindow(exchange, config.overlap(), config.endLag());
        exchange.setProperty(OFFSET, 0L);
        exchange.setProperty(MORE_PAGES, true);
    }

    public void prepareRequest(Exchange exchange) {
        polls.heartbeat(exchange);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("start_update_date", exchange.getProperty(FeedPolls.WINDOW_START, Instant.class).toString());
        query.put("end_update_date", exchange.getProperty(FeedPolls.WINDOW_END, Instant.class).toString());
        query.put("sort", "dateCreated");
        query.put("order", "asc");
        query.put("paginate", "true");
        query.put("offset", exchange.getProperty(OFFSET, Long.class).toString());
        query.put("max", Integer.toString(config.pageSize()));
        requests.prepare(exchange, query);
    }

    /** Reads a page, dead-letters the orders that break the contract, and returns the good ones. */
    public List<ReadOrder> readPage(Exchange exchange) {
        JlmRequests.forget(exchange);
        OrderPageReader.OrderPage page = reader.read(exchange.getMessage().getBody(String.class));
        page.rejected().forEach(r -> deadLetters.inputRejected("orders", r.orderId(), r.reason(), r.rawJson()));
        long offset = exchange.getProperty(OFFSET, Long.class) + page.size();
        exchange.setProperty(OFFSET, offset);
        exchange.setProperty(MORE_PAGES, page.size() > 0 && (page.totalCount() < 0
                ? page.size() >= config.pageSize() : offset < page.totalCount()));
        return page.orders();
    }
}
