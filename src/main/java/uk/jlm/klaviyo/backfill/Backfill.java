package uk.jlm.klaviyo.backfill;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.jlm.FeedPolls;
import uk.jlm.klaviyo.jlm.FeedState;
import uk.jlm.klaviyo.jlm.JlmRequests;
import uk.jlm.klaviyo.jlm.OrderPageReader;
import uk.jlm.klaviyo.jlm.ReadOrder;
import uk.jlm.klaviyo.outbox.DeadLetters;
import uk.jlm.klaviyo.outbox.OrderChangeDetector;

/**
 * The historical backfill for route {@code backfill-feed} (README "Backfill"): pages OR11 by creation date
 * ({@code start_date}/{@code end_date}) in windows (from {@code backfill.window}, adapting to the history's
 * density) from {@code since} to the moment the
 * run started, and queues for every order this service has never seen the events the live flows would produce for
 * its final state, in lane {@value #LANE} (bulk event jobs, {@code backfill: true}). Each page and the run's cursor
 * commit in one transaction, so a stopped or killed run resumes at the next page and never queues an order twice;
 * orders the live flows already sent are skipped. One instance at a time works on a run (a short lease), so a run
 * carries on within {@code backfill.lease} on another instance, or on the restarted one, after a crash.
 */
@Component("backfill")
public class Backfill {

    public static final String LANE = "backfill";
    static final String MORE = "backfillMore";
    static final String RUN = "backfillRun";
    static final String PAGE_STARTED = "backfillPageStarted";
    private static final Duration MAX_WINDOW = Duration.ofDays(31);
    private static final Duration MIN_WINDOW = Duration.ofMinutes(10);
    private static final Logger log = LoggerFactory.getLogger(Backfill.class);

    private final BackfillRuns runs;
    private final FeedState leases;
    private final JlmRequests requests;
    private final OrderPageReader reader;
    private final OrderChangeDetector detector;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final Duration window;
    private final Duration lease;
    private final Duration slice;
    private final int pageSize;
    private final int bulkPerMinute;
    private final long maxPending;
    private volatile Instant lastProgressLog = Instant.EPOCH;

    Backfill(BackfillRuns runs, FeedState leases, JlmRequests requests, OrderPageReader reader,
             OrderChangeDetector detector, DeadLetters deadLetters, Clock clock,
             @Value("${backfill.window}") Duration window, @Value("${backfill.lease}") Duration lease,
             @Value("${backfill.slice}") Duration slice, @Value("${jlm.orders.page-size}") int pageSize,
             @Value("${klaviyo.rate-limit.bulk.per-minute}") int bulkPerMinute,
             @Value("${backfill.max-pending}") long maxPending) {
        this.runs = runs;
        this.leases = leases;
        this.requests = requests;
        this.reader = reader;
        this.detector = detector;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.window = window;
        this.lease = lease;
        this.slice = slice;
        this.pageSize = pageSize;
        this.bulkPerMinute = bulkPerMinute;
        this.maxPending = maxPending;
    }

    /** Starts a run over orders created since {@code since}, or resumes the one still running (after a crash). */
    public synchronized BackfillRuns.Run start(Instant since) {
        if (!since.isBefore(clock.instant())) {
            throw new IllegalArgumentException("since must be in the past: " + since);
        }
        return runs.running().map(run -> {
            log.info("backfill: run {} (since {}) is still running; resuming it at {} offset {}", run.id(),
                    run.since(), run.windowStart(), run.offset());
            return run;
        }).orElseGet(() -> {
            BackfillRuns.Run run = runs.create(since, clock.instant(), window);
            log.info("backfill: run {} started for orders created from {} to {}", run.id(), run.since(), run.until());
            return run;
        });
    }

    /**
     * A run is in progress, its lane is not too far ahead of delivery, and this instance holds its lease. Reading
     * pauses while more than {@code backfill.max-pending} events wait: Klaviyo's bulk limit sets the pace, and reading
     * further ahead would only fill the database and take the CPU from delivery.
     */
    public boolean due(Exchange exchange) {
        var run = runs.running();
        if (run.isEmpty() || behind(run.get()) || !leases.acquire(LANE, lease)) {
            return false;
        }
        exchange.setProperty(FeedPolls.POLL_STARTED, clock.instant());
        exchange.setProperty(RUN, run.get().id());
        exchange.setProperty(MORE, true);
        exchange.setProperty(PAGE_STARTED, clock.instant());
        exchange.setProperty("sliceEnd", clock.instant().plus(slice));
        return true;
    }

    public void prepareRequest(Exchange exchange) {
        BackfillRuns.Run run = current(exchange);
        exchange.setProperty(PAGE_STARTED, clock.instant());
        Map<String, String> query = new LinkedHashMap<>();
        query.put("start_date", run.windowStart().toString());
        query.put("end_date", windowEnd(run).toString());
        query.put("sort", "dateCreated");
        query.put("order", "asc");
        query.put("paginate", "true");
        query.put("offset", Integer.toString(run.offset()));
        query.put("max", Integer.toString(pageSize));
        requests.prepare(exchange, query);
    }

    /** Applies a page and moves the cursor with it; the next window starts once a window's last page is in. */
    public void readPage(Exchange exchange) {
        JlmRequests.forget(exchange);
        BackfillRuns.Run run = current(exchange);
        OrderPageReader.OrderPage page = reader.read(exchange.getMessage().getBody(String.class));
        exchange.getMessage().setBody(null);
        page.rejected().forEach(r -> deadLetters.inputRejected("orders", r.orderId(), r.reason(), r.rawJson()));
        int offset = run.offset() + page.size();
        boolean windowDone = page.size() == 0 || (page.totalCount() < 0 ? page.size() < pageSize
                : offset >= page.totalCount());
        Instant nextStart = windowDone ? windowEnd(run) : run.windowStart();
        Duration nextWindow = windowDone ? nextWindow(run.window(), Math.max(offset, page.totalCount())) : run.window();
        boolean finished = windowDone && !nextStart.isBefore(run.until());
        long activeMillis = Duration.between(exchange.getProperty(PAGE_STARTED, Instant.class), clock.instant()).toMillis();
        List<ReadOrder> orders = page.orders();
        detector.backfillPage(orders, LANE, result -> runs.advance(run.id(), nextStart, nextWindow, windowDone ? 0 : offset,
                finished, result.seen() + page.rejected().size(), result.skipped(),
                result.rejected() + page.rejected().size(), result.queued(), activeMillis));
        leases.extend(LANE, lease);
        exchange.setProperty(MORE, !finished && clock.instant().isBefore(exchange.getProperty("sliceEnd", Instant.class))
                && !behind(runs.find(run.id()).orElseThrow()));
        if (finished) {
            log.info("backfill: run {} has read every order; {}", run.id(), progressLine(report()));
        } else if (Duration.between(lastProgressLog, clock.instant()).toSeconds() >= 10) {
            lastProgressLog = clock.instant();
            log.info("backfill: {}", progressLine(report()));
        }
    }

    /** Hands the lease back at once, so the next slice (here or on another instance) starts on the next tick. */
    public void release(Exchange exchange) {
        leases.release(LANE, clock.instant(), Duration.ZERO);
    }

    /** Events queued but not yet accepted by Klaviyo (nor dead-lettered) exceed the read-ahead. */
    private boolean behind(BackfillRuns.Run run) {
        return pending(run, total(runs.sent(run.id())), deadLetters.count(LANE)) > maxPending;
    }

    /** Events queued for a run that Klaviyo has neither accepted nor had dead-lettered. */
    private static long pending(BackfillRuns.Run run, long sent, long dead) {
        return Math.max(0, run.eventsQueued() - sent - dead);
    }

    private static long total(Map<String, Long> sent) {
        return sent.values().stream().mapToLong(Long::longValue).sum();
    }

    private BackfillRuns.Run current(Exchange exchange) {
        return runs.find(exchange.getProperty(RUN, Long.class)).orElseThrow();
    }

    /**
     * Windows adapt to the history's density, starting from {@code backfill.window}: a window with under one page of
     * orders makes the next one 4× longer (sparse early years), one with over 20 pages makes it half as long.
     */
    Duration nextWindow(Duration current, long ordersInWindow) {
        if (ordersInWindow < pageSize) {
            Duration longer = current.multipliedBy(4);
            return longer.compareTo(MAX_WINDOW) > 0 ? MAX_WINDOW : longer;
        }
        if (ordersInWindow > 20L * pageSize) {
            Duration shorter = current.dividedBy(2);
            return shorter.compareTo(MIN_WINDOW) < 0 ? MIN_WINDOW : shorter;
        }
        return current;
    }

    private Instant windowEnd(BackfillRuns.Run run) {
        Instant end = run.windowStart().plus(run.window());
        return end.isAfter(run.until()) ? run.until() : end;
    }

    /** The reconciliation report of the latest run (or an empty one). */
    public Map<String, Object> report() {
        Map<String, Object> report = new LinkedHashMap<>();
        var latest = runs.latest();
        if (latest.isEmpty()) {
            report.put("status", "NONE");
            return report;
        }
        BackfillRuns.Run run = latest.get();
        Map<String, Long> sent = runs.sent(run.id());
        long sentTotal = total(sent);
        long dead = deadLetters.count(LANE);
        long pending = pending(run, sentTotal, dead);
        double fraction = run.running() ? fraction(run) : 1.0;
        double seconds = run.activeMillis() / 1000.0;
        double ordersPerSecond = seconds > 0 ? run.ordersSeen() / seconds : 0;
        double readEta = fraction > 0 && run.running() ? seconds * (1 - fraction) / fraction : 0;
        // Events still to send: those pending plus, while reading, those the unread part will add at the same density.
        double expectedEvents = run.running() && fraction > 0 ? run.eventsQueued() / fraction : run.eventsQueued();
        double deliveryEta = Math.max(pending, expectedEvents - sentTotal) * 60.0 / (bulkPerMinute * 1000.0);
        report.put("id", run.id());
        report.put("status", run.running() ? "RUNNING" : pending > 0 ? "DELIVERING" : "DONE");
        report.put("since", run.since().toString());
        report.put("until", run.until().toString());
        report.put("startedAt", run.startedAt().toString());
        report.put("finishedReadingAt", run.finishedAt() == null ? null : run.finishedAt().toString());
        report.put("percent", Math.round(fraction * 1000) / 10.0);
        report.put("ordersSeen", run.ordersSeen());
        report.put("ordersSkipped", run.ordersSkipped());
        report.put("ordersRejected", run.ordersRejected());
        report.put("eventsQueued", run.eventsQueued());
        report.put("eventsSent", sent);
        report.put("eventsSentTotal", sentTotal);
        report.put("eventsPending", pending);
        report.put("deadLetters", dead);
        report.put("ordersPerSecond", Math.round(ordersPerSecond * 10) / 10.0);
        report.put("etaSeconds", Math.round(Math.max(readEta, deliveryEta)));
        return report;
    }

    /** How much of the creation-date range is read: whole windows, by time. */
    private static double fraction(BackfillRuns.Run run) {
        double total = Duration.between(run.since(), run.until()).toMillis();
        return total <= 0 ? 1.0 : Math.min(1.0, Duration.between(run.since(), run.windowStart()).toMillis() / total);
    }

    public static String progressLine(Map<String, Object> r) {
        return String.format("run %s %s — %.1f %% read, %,d orders (%,.0f/s, %,d skipped as already sent), "
                        + "%,d events queued, %,d sent, %,d pending, %,d dead letters, ETA %s",
                r.get("id"), r.get("status"), ((Number) r.get("percent")).doubleValue(), r.get("ordersSeen"),
                ((Number) r.get("ordersPerSecond")).doubleValue(), r.get("ordersSkipped"), r.get("eventsQueued"),
                r.get("eventsSentTotal"), r.get("eventsPending"), r.get("deadLetters"),
                Duration.ofSeconds(((Number) r.get("etaSeconds")).longValue()).toString().substring(2).toLowerCase());
    }
}
