package uk.jlm.klaviyo.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import uk.jlm.klaviyo.support.AppInstance;

/**
 * Benchmark, not a test: a full offer export of N offers (default 200,000) streamed from a local JLM fake
 * (OF52 → OF53 → OF54, one file generated on the fly) into change detection, against a Klaviyo fake holding the
 * same N variants (read through the catalogue API, 100 a page) and counting catalogue jobs in Klaviyo's fixed
 * windows (75/s, 750/min). Prints offers/s, the catalogue read time, jobs sent against the limit, and peak heap.
 * Run: {@code ./mvnw -Pbench test-compile exec:exec -Dbench.main=uk.jlm.klaviyo.bench.CatalogueBenchmark}.
 */
public final class CatalogueBenchmark {

    private static final int BURST = 75;
    private static final int STEADY = 750;

    public static void main(String[] args) throws Exception {
        int offers = Integer.getInteger("bench.offers", 200_000);
        int deliverySeconds = Integer.getInteger("bench.delivery-seconds", 130);
        Fakes fakes = new Fakes(offers);
        PipelineBenchmark.HeapSampler heap = new PipelineBenchmark.HeapSampler();
        heap.start();
        Path dir = FixedWindows.scratch("jlm-klaviyo-catalogue-bench");
        System.out.printf("jlm-klaviyo catalogue benchmark: %,d offers (full export), %d cores, max heap %d MB%n",
                offers, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1_048_576);
        try (AppInstance app = AppInstance.start(fakes.baseUrl(), fakes.baseUrl(),
                "jdbc:h2:file:" + dir.resolve("bench"), Map.of(
                        "flows.orders.enabled", "false",
                        "flows.returns.enabled", "false",
                        "flows.consent.enabled", "false",
                        "flows.catalogue.interval", "1h",
                        "catalogue.status-poll-interval", "1s",
                        "logging.level.root", "WARN"))) {
            long start = System.nanoTime();
            while (count(app, "SELECT COUNT(*) FROM offer_snapshot") < offers) {
                Thread.sleep(200);
            }
            long detected = System.nanoTime();
            double readSeconds = (fakes.firstFileByte.get() - fakes.firstVariantRead.get()) / 1e9;
            double fileSeconds = (detected - fakes.firstFileByte.get()) / 1e9;
            System.out.printf("Klaviyo catalogue read: %,d variants in %.1f s (%,d pages)%n", offers, readSeconds,
                    fakes.variantPages.get());
            System.out.printf("export file → snapshots + outbox: %,d offers in %.1f s = %,.0f offers/s (%,d updates queued)%n",
                    offers, fileSeconds, offers / fileSeconds, count(app, "SELECT COUNT(*) FROM outbox"));
            long until = start + deliverySeconds * 1_000_000_000L;
            while (System.nanoTime() < until) {
                Thread.sleep(500);
            }
            System.out.printf("delivered: %,d variant updates in %,d jobs within %d s of start%n",
                    count(app, "SELECT COUNT(*) FROM outbox WHERE status = 'DONE'"), fakes.jobs.get(), deliverySeconds);
        }
        heap.stop();
        fakes.report();
        System.out.printf("peak heap used: %d MB; peak live heap after GC: %d MB (-Xmx %d MB)%n",
                heap.peak() / 1_048_576, heap.peakAfterGc() / 1_048_576, Runtime.getRuntime().maxMemory() / 1_048_576);
        fakes.stop();
        System.exit(0);
    }

    private static long count(AppInstance app, String sql) {
        Long n = app.jdbc().queryForObject(sql, Long.class);
        return n == null ? 0 : n;
    }

    /** JLM offer export and Klaviyo catalogue on one local server; nothing held in memory. */
    static final class Fakes {
        private final HttpServer server;
        private final int offers;
        final AtomicLong firstVariantRead = new AtomicLong();
        final AtomicLong firstFileByte = new AtomicLong();
        final AtomicLong variantPages = new AtomicLong();
        final AtomicLong jobs = new AtomicLong();
        private final FixedWindows limit = new FixedWindows(BURST, STEADY);

        Fakes(int offers) throws IOException {
            this.offers = offers;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
            server.setExecutor(Executors.newFixedThreadPool(16));
            server.createContext("/api/offers/export/async", this::export);
            server.createContext("/api/catalog-variants", this::variants);
            server.createContext("/api/catalog-variant-bulk-update-jobs", this::job);
            server.createContext("/api/accounts", e -> send(e, 200, "{\"data\":[]}"));
            server.start();
        }

        private static String sku(long i) {
            return "SKU-" + i;
        }

        private void export(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            if (path.endsWith("/async")) {
                send(exchange, 200, "{\"tracking_id\":\"BENCH\"}");
            } else if (path.contains("/status/")) {
                send(exchange, 200, "{\"status\":\"COMPLETED\",\"last_updated\":\"2026-12-04T10:00:00Z\",\"urls\":[\""
                        + baseUrl() + "/api/offers/export/async/file/BENCH?file=0.json\"]}");
            } else {
                firstFileByte.compareAndSet(0, System.nanoTime());
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, 0);
                try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(exchange.getResponseBody(),
                        StandardCharsets.UTF_8), 1 << 16)) {
                    out.write('[');
                    for (long i = 0; i < offers; i++) {
                        if (i > 0) {
                            out.write(',');
                        }
                        out.write("{\"offer_id\":" + i + ",\"shop_sku\":\"" + sku(i) + "\",\"product_sku\":\"P" + i
                                + "\",\"quantity\":" + (i % 13) + ",\"active\":true,\"deleted\":false,"
                                + "\"description\":\"Benchmark product " + i + "\",\"currency_iso_code\":\"GBP\","
                                + "\"last_updated\":\"2026-12-01T10:00:00Z\",\"prices\":[{\"origin_price\":"
                                + (10 + i % 90) + ".99}]}");
                    }
                    out.write(']');
                }
            }
        }

        private void variants(HttpExchange exchange) throws IOException {
            firstVariantRead.compareAndSet(0, System.nanoTime());
            variantPages.incrementAndGet();
            String query = exchange.getRequestURI().getRawQuery();
            long from = 0;
            for (String part : query == null ? new String[0] : query.split("&")) {
                if (part.startsWith("page%5Bcursor%5D=")) {
                    from = Long.parseLong(part.substring("page%5Bcursor%5D=".length()));
                }
            }
            StringBuilder page = new StringBuilder("{\"data\":[");
            for (long i = from; i < Math.min(offers, from + 100); i++) {
                page.append(i > from ? "," : "").append("{\"type\":\"catalog-variant\",\"id\":\"$custom:::$default:::")
                        .append(sku(i)).append("\",\"attributes\":{\"sku\":\"").append(sku(i)).append("\"}}");
            }
            page.append("],\"links\":{\"self\":\"x\"");
            if (from + 100 < offers) {
                page.append(",\"next\":\"").append(baseUrl()).append("/api/catalog-variants?page%5Bcursor%5D=")
                        .append(from + 100).append('"');
            }
            send(exchange, 200, page.append("}}").toString());
        }

        private void job(HttpExchange exchange) throws IOException {
            exchange.getRequestBody().readAllBytes();
            if ("GET".equals(exchange.getRequestMethod())) {
                send(exchange, 200, "{\"data\":{\"type\":\"catalog-variant-bulk-update-job\",\"id\":\"j\",\"attributes\":"
                        + "{\"status\":\"complete\",\"created_at\":\"2026-12-04T10:00:00Z\",\"total_count\":100,\"errors\":[]}}}");
                return;
            }
            if (!limit.admit()) {
                send(exchange, 429, "");
                return;
            }
            long id = jobs.incrementAndGet();
            send(exchange, 202, "{\"data\":{\"type\":\"catalog-variant-bulk-update-job\",\"id\":\"job-" + id + "\"}}");
        }

        private static void send(HttpExchange exchange, int status, String body) throws IOException {
            FixedWindows.send(exchange, status, body);
        }

        void report() {
            System.out.printf("catalogue jobs: %,d accepted; %s%n", jobs.get(), limit.summary());
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void stop() {
            server.stop(0);
        }
    }
}
