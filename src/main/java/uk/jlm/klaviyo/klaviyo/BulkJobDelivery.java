package uk.jlm.klaviyo.klaviyo;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import uk.jlm.klaviyo.ops.FlowMetrics;
import uk.jlm.klaviyo.outbox.ClaimedDelivery;
import uk.jlm.klaviyo.outbox.Outbox;

/**
 * Drains one outbox lane as Klaviyo bulk jobs (consent subscriptions, catalogue jobs): the route claims
 * {@link #batches()}, sends each through its endpoint class with {@link #prepare} and {@link #delivered}.
 * A job Klaviyo rejects as a whole (4xx) is split in halves until the bad row is isolated and dead-lettered; the
 * good rows are delivered (DESIGN.md "Pinned behaviour": a rejected bulk request is split).
 */
public abstract class BulkJobDelivery implements DeliveryFailureHandler {

    /** One bulk job: its path and the outbox rows it carries. */
    public record Batch(String path, List<ClaimedDelivery> rows) {
    }

    private static final String BATCH = "bulkBatch";
    private static final Logger log = LoggerFactory.getLogger(BulkJobDelivery.class);

    protected final Outbox outbox;
    protected final FlowMetrics metrics;
    protected final Clock clock;
    private final KlaviyoDelivery delivery;
    private final ProducerTemplate producer;
    private final String flow;
    private final EndpointClass endpoint;

    protected BulkJobDelivery(String flow, EndpointClass endpoint, Outbox outbox, KlaviyoDelivery delivery,
                              ProducerTemplate producer, FlowMetrics metrics, Clock clock) {
        this.flow = flow;
        this.endpoint = endpoint;
        this.outbox = outbox;
        this.delivery = delivery;
        this.producer = producer;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Claims due rows of the lane and groups them into jobs, in the order they are to be sent. */
    public abstract List<Batch> batches();

    /** The job's JSON:API request body. */
    protected abstract String body(Batch batch);

    /** Klaviyo accepted the job (2xx): by default its rows are done. */
    protected void accepted(Batch batch, String response) {
        outbox.markDone(batch.rows().stream().map(ClaimedDelivery::id).toList());
        batch.rows().forEach(r -> metrics.delivered(flow, r.metric(), Duration.between(r.occurredAt(), clock.instant())));
    }

    protected static void chunk(List<ClaimedDelivery> rows, String path, int size, List<Batch> into) {
        for (int from = 0; from < rows.size(); from += size) {
            into.add(new Batch(path, rows.subList(from, Math.min(rows.size(), from + size))));
        }
    }

    public void prepare(Exchange exchange) {
        prepare(exchange, exchange.getMessage().getBody(Batch.class));
    }

    private void prepare(Exchange exchange, Batch batch) {
        exchange.setProperty(BATCH, batch);
        exchange.setProperty(DeliveryFailureHandler.PROPERTY, this);
        exchange.setProperty(KlaviyoRequests.PATH, batch.path());
        exchange.setProperty(KlaviyoRequests.FLOW, flow);
        exchange.getMessage().setBody(body(batch));
    }

    public void delivered(Exchange exchange) {
        accepted(exchange.getProperty(BATCH, Batch.class), exchange.getMessage().getBody(String.class));
    }

    @Override
    public void failed(Exchange exchange, Throwable cause) {
        Batch batch = exchange.getProperty(BATCH, Batch.class);
        if (cause instanceof KlaviyoException.Rejected && batch.rows().size() > 1) {
            isolate(batch);
        } else {
            batch.rows().forEach(row -> delivery.failed(row, cause));
        }
    }

    /** Sends each half on its own; halves Klaviyo still rejects are split again, down to the one bad row. */
    private void isolate(Batch batch) {
        int middle = batch.rows().size() / 2;
        for (List<ClaimedDelivery> half : List.of(batch.rows().subList(0, middle),
                batch.rows().subList(middle, batch.rows().size()))) {
            Batch part = new Batch(batch.path(), half);
            Exchange result = producer.send("direct:klaviyo-" + endpoint.routeName(), e -> prepare(e, part));
            Throwable failure = result.getException();
            if (failure == null) {
                accepted(part, result.getMessage().getBody(String.class));
            } else if (failure instanceof KlaviyoException.Rejected && half.size() > 1) {
                isolate(part);
            } else if (failure instanceof KlaviyoException.Rejected) {
                delivery.deadLetter(half.get(0), failure);
            } else {
                log.warn("{} job part of {} rows not sent ({}); back in the lane", flow, half.size(), failure.toString());
                half.forEach(row -> outbox.requeue(row.id()));
            }
        }
    }
}
