package uk.jlm.klaviyo.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import uk.jlm.klaviyo.support.AppInstance;
import uk.jlm.klaviyo.support.OrderFixtures;

/**
 * Benchmark, not a test: N synthetic orders through feed → detection → outbox → delivery, against a local Klaviyo
 * fake that enforces Klaviyo's limits in fixed 1 s and 60 s windows (as Klaviyo counts) and answers 429 past them.
 * Prints detection throughput, delivered events/s against the configured steady limit, requests over the limit
 * and peak heap. Run: {@code ./mvnw -Pbench exec:java -Dbench.orders=100000 -Dbench.delivery-seconds=130}.
 */
public final class PipelineBenchmark {

    private static final int BURST = 350;
    private static final int STEADY = 3500;

    public static void main(String[] args) throws Exception {
        int orders = Integer.getInteger("bench.orders", 100_000);
        int deliverySeconds = Integer.getInteger("bench.delivery-seconds", 130);
        LimitedKlaviyo klaviyo = new LimitedKlaviyo();
        SyntheticJlm jlm = new SyntheticJlm(orders);
        HeapSampler heap = new HeapSampler();
        heap.start();
        Path dir = FixedWindows.scratch("jlm-klaviyo-bench");
        System.out.printf("jlm-klaviyo pipeline benchmark: %,d orders, %d s of delivery, %d cores, max heap %d MB%n",
                orders, deliverySeconds, Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / 1_048_576);

        long start;
        long detected;
        try (AppInstance app = AppInstance.start(jlm.baseUrl(), klaviyo.baseUrl(),
                "jdbc:h2:file:" + dir.resolve("bench"), Map.of(
                        "flows.orders.interval", "2s",
                        "jlm.orders.overlap", "0s",
                        "logging.level.root", "WARN"))) {
            start = System.nanoTime();
            jlm.started.set(System.nanoTime());
            while (count(app, "SELECT COUNT(*) FROM order_snapshot") < orders) {
                Thread.sleep(200);
            }
            detected = System.nanoTime();
            double detectSeconds = (detected - jlm.firstRequest()) / 1e9;
            System.out.printf("detection + outbox: %,d orders, %,d outbox rows in %.1f s = %,.0f orders/s%n",
                    orders, count(app, "SELECT COUNT(*) FROM outbox"), detectSeconds, orders / detectSeconds);
            long deliverUntil = start + deliverySeconds * 1_000_000_000L;
            while (System.nanoTime() < deliverUntil) {
                Thread.sleep(500);
            }
            long done = count(app, "SELECT COUNT(*) FROM outbox WHERE status = 'DONE'");
            System.out.printf("delivered: %,d events in %d s%n", done, deliverySeconds);
        }
        heap.stop();
        klaviyo.report();
        System.out.printf("peak heap used: %d MB; peak live heap after GC: %d MB (-Xmx %d MB)%n",
                heap.peak() / 1_048_576, heap.peakAfterGc() / 1_048_576, Runtime.getRuntime().maxMemory() / 1_048_576);
        klaviyo.stop();
        jlm.stop();
        System.exit(0);
    }

    private static long count(AppInstance app, String sql) {
        Long n = app.jdbc().queryForObject(sql, Long.class);
        return n == null ? 0 : n;
    }

    /** Klaviyo's limits in fixed windows, as Klaviyo counts them; 429 past them. */
    static final class LimitedKlaviyo {
        private final HttpServer server;
        private final FixedWindows limit = new FixedWindows(BURST, STEADY);
        private final AtomicLong accepted = new AtomicLong();

        LimitedKlaviyo() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
            server.setExecutor(Executors.newFixedThreadPool(32));
            server.createContext("/api/events", this::handle);
            server.start();
        }

        private void handle(HttpExchange exchange) throws IOException {
            exchange.getRequestBody().readAllBytes();
            if (limit.admit()) {
                accepted.incrementAndGet();
                FixedWindows.send(exchange, 202, "");
            } else {
                FixedWindows.send(exchange, 429, "");
            }
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void report() {
            double steadyRate = limit.steadyPerMinute() / 60.0;
            System.out.printf("Klaviyo fake: %,d accepted; %s%n", accepted.get(), limit.summary());
            System.out.printf("steady delivery over %d full minute(s): %.1f events/s = %.1f %% of the configured %.1f/s%n",
                    limit.fullMinutes(), steadyRate, 100 * steadyRate / (STEADY / 60.0), STEADY / 60.0);
        }

        void stop() {
            server.stop(0);
        }
    }

    /** OR11 pages of N synthetic orders, generated on request (nothing held in memory). */
    static final class SyntheticJlm {
        private final HttpServer server;
        private final int orders;
        private final ObjectNode template = OrderFixtures.placed("TEMPLATE-A").json();
        private final Instant updatedAt = Instant.now().minusSeconds(30);
        private final String updated = updatedAt.toString();
        final AtomicLong started = new AtomicLong();
        private final AtomicLong firstRequest = new AtomicLong();

        SyntheticJlm(int orders) throws IOException {
            this.orders = orders;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.createContext("/api/orders", this::orders);
            server.createContext("/api/reasons", this::reasons);
            server.start();
        }

        long firstRequest() {
            return firstRequest.get();
        }

        private void orders(HttpExchange exchange) throws IOException {
            firstRequest.compareAndSet(0, System.nanoTime());
            Map<String, String> query = new ConcurrentHashMap<>();
            for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            int offset = Integer.parseInt(query.getOrDefault("offset", "0"));
            int max = Integer.parseInt(query.getOrDefault("max", "10"));
            Instant from = Instant.parse(java.net.URLDecoder.decode(query.get("start_update_date"), StandardCharsets.UTF_8));
            Instant to = Instant.parse(java.net.URLDecoder.decode(query.get("end_update_date"), StandardCharsets.UTF_8));
            // Like OR11: only orders last updated inside the window (all of them were updated at the same moment).
            int inWindow = !updatedAt.isBefore(from) && !updatedAt.isAfter(to) ? orders : 0;
            ObjectNode page = OrderFixtures.JSON.createObjectNode();
            ArrayNode list = page.putArray("orders");
            for (int i = offset; i < Math.min(inWindow, offset + max); i++) {
                ObjectNode order = template.deepCopy();
                String id = "BENCH" + i + "-A";
                order.put("order_id", id);
                order.put("last_updated_date", updated);
                order.put("customer_notification_email", "bench" + i + "@bench.jlm-klaviyo.invalid");
                ((ObjectNode) order.get("order_lines").get(0)).put("order_line_id", id + "-1");
                ((ObjectNode) order.get("order_lines").get(1)).put("order_line_id", id + "-2");
                list.add(order);
            }
            page.put("total_count", inWindow);
            send(exchange, page.toString());
        }

        private void reasons(HttpExchange exchange) throws IOException {
            send(exchange, OrderFixtures.resource("/jlm/reasons.json"));
        }

        private static void send(HttpExchange exchange, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void stop() {
            server.stop(0);
        }
    }

    /** Samples heap use every 100 ms and keeps the peak. */
    static final class HeapSampler {
        private final AtomicLong peak = new AtomicLong();
        private final AtomicLong peakAfterGc = new AtomicLong();
        private volatile boolean running = true;
        private final Thread thread = new Thread(() -> {
            var memory = ManagementFactory.getMemoryMXBean();
            var pools = ManagementFactory.getMemoryPoolMXBeans();
            while (running) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                long afterGc = pools.stream().filter(p -> p.getType() == java.lang.management.MemoryType.HEAP
                        && p.getCollectionUsage() != null).mapToLong(p -> p.getCollectionUsage().getUsed()).sum();
                peakAfterGc.accumulateAndGet(afterGc, Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
        }

        long peak() {
            return peak.get();
        }

        long peakAfterGc() {
            return peakAfterGc.get();
        }
    }
}
