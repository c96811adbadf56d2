package uk.jlm.klaviyo.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import uk.jlm.klaviyo.support.OrderFixtures;

/**
 * Benchmark, not a test: a backfill of N synthetic orders (default 200,000; 3 events each) from a local JLM fake into
 * a local Klaviyo fake that enforces the bulk-event limits (10/s, 150/min in fixed windows, 429 past them). The
 * service runs as its own process (-Xmx512m, H2 file) and is SIGKILLed half-way, then started again on the same
 * database. Prints wall time against the bulk-API floor (events ÷ 150,000/min), requests over the limit, duplicates,
 * peak heap (sampled from the service's own metrics) and the time to resume after the kill.
 * Run: {@code ./mvnw -Pbench test-compile exec:exec -Dbench.main=uk.jlm.klaviyo.bench.BackfillBenchmark
 * [-Dbench.orders=1000000] [-Dbench.postgres=true]}.
 */
public final class BackfillBenchmark {

    private static final int BURST = 10;
    private static final int STEADY = 150;
    private static final String OPS = "Basic " + Base64.getEncoder().encodeToString("bench:bench".getBytes());
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static int heapSamples;

    public static void main(String[] args) throws Exception {
        int orders = Integer.getInteger("bench.orders", 200_000);
        Fakes fakes = new Fakes(orders);
        Path dir = FixedWindows.scratch("jlm-klaviyo-backfill-bench");
        // -Dbench.postgres=true: the service on an embedded PostgreSQL (production's database) instead of an H2 file.
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres = Boolean.getBoolean("bench.postgres")
                ? io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg"))
                        .setCleanDataDirectory(false).start() : null;
        String database = postgres != null ? "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres"
                : "jdbc:h2:file:" + dir.resolve("db") + System.getProperty("bench.datasource-options", "");
        int port = 18_000 + (int) (ProcessHandle.current().pid() % 1000);
        System.out.printf("jlm-klaviyo backfill benchmark: %,d orders (%,d events), %d cores, %s%n", orders, orders * 3,
                Runtime.getRuntime().availableProcessors(), postgres != null ? "PostgreSQL" : "H2 file");
        double floorSeconds = orders * 3 / (STEADY * 1000.0) * 60;

        Process first = start(fakes, database, port, "first");
        AtomicLong peakHeap = new AtomicLong();
        awaitUp(port, peakHeap);
        long started = System.nanoTime();
        post(port, "/ops/backfill?since=" + fakes.since);
        // Half-way: half the events at Klaviyo (reading, the faster part, may be over by then).
        JsonNode atKill;
        while ((atKill = report(port, peakHeap)).path("eventsSentTotal").asLong() < orders * 3L / 2) {
            Thread.sleep(1000);
        }
        first.destroyForcibly().waitFor();
        long killed = System.nanoTime();
        long sentAtKill = fakes.events.get();
        System.out.printf("SIGKILL after %,d orders read and %,d events at Klaviyo, %.0f s in%n",
                atKill.path("ordersSeen").asLong(), sentAtKill, (killed - started) / 1e9);

        Process second = start(fakes, database, port, "second");
        awaitUp(port, peakHeap);
        long up = System.nanoTime();
        while (fakes.events.get() <= sentAtKill) {
            Thread.sleep(100);
        }
        long resumed = System.nanoTime();
        System.out.printf("resumed %.1f s after the kill (%.1f s of it JVM start-up; %.1f s from ready)%n",
                (resumed - killed) / 1e9, (up - killed) / 1e9, (resumed - up) / 1e9);
        Map<String, Object> report;
        while (!"DONE".equals((report = reportMap(port, peakHeap)).get("status"))) {
            Thread.sleep(2000);
        }
        long done = System.nanoTime();
        second.destroy();
        second.waitFor();
        double wall = (done - started) / 1e9;
        double restartGap = (up - killed) / 1e9;
        System.out.printf("report: %s%n", report);
        System.out.printf("wall time %.0f s (%.0f s without the restart's JVM start-up) vs bulk-API floor %.0f s "
                + "= %.2f× (%.2f×)%n", wall, wall - restartGap, floorSeconds, wall / floorSeconds,
                (wall - restartGap) / floorSeconds);
        fakes.report();
        System.out.printf("peak heap used by the service: %d MB (-Xmx512m)%n", peakHeap.get() / 1_048_576);
        fakes.stop();
        if (postgres != null) {
            postgres.close();
        }
        System.exit(0);
    }

    private static Process start(Fakes fakes, String database, int port, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "uk.jlm.klaviyo.JlmKlaviyoApplication")
                .redirectErrorStream(true).redirectOutput(Files.createDirectories(Path.of("target", "bench-logs"))
                        .resolve("backfill-" + name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("SPRING_DATASOURCE_URL", database);
        env.put("SPRING_DATASOURCE_USERNAME", database.startsWith("jdbc:postgresql") ? "postgres" : "sa");
        env.put("SPRING_DATASOURCE_PASSWORD", "");
        // One instance in two lives: the second takes back at once what the killed first one held.
        env.put("INSTANCE_ID", "bench-service");
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("JLM_BASE_URL", fakes.baseUrl());
        env.put("JLM_API_KEY", "bench-jlm");
        env.put("KLAVIYO_BASE_URL", fakes.baseUrl());
        env.put("KLAVIYO_API_KEY", "bench-klaviyo");
        env.put("OPS_USERNAME", "bench");
        env.put("OPS_PASSWORD", "bench");
        env.put("FLOWS_RETURNS_ENABLED", "false");
        env.put("FLOWS_CONSENT_ENABLED", "false");
        env.put("FLOWS_CATALOGUE_ENABLED", "false");
        env.put("BACKFILL_WINDOW", "6h");
        env.put("LOGGING_LEVEL_ROOT", "WARN");
        env.put("LOGGING_LEVEL_UK_JLM_KLAVIYO_BACKFILL", "INFO");
        return builder.start();
    }

    private static void awaitUp(int port, AtomicLong peakHeap) throws InterruptedException {
        while (true) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
    }

    private static void post(int port, String path) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", OPS)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode report(int port, AtomicLong peakHeap) throws Exception {
        if (heapSamples++ % 3 == 0) {
            sampleHeap(port, peakHeap);
        }
        return OrderFixtures.JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/ops/backfill/report")).header("Authorization", OPS).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reportMap(int port, AtomicLong peakHeap) throws Exception {
        return OrderFixtures.JSON.convertValue(report(port, peakHeap), Map.class);
    }

    private static long number(JsonNode report, String field) {
        return report.path(field).asLong();
    }

    /** Heap used, from the service's own Prometheus metrics (sum over heap pools). */
    private static void sampleHeap(int port, AtomicLong peakHeap) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        double heap = metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        peakHeap.accumulateAndGet((long) heap, Math::max);
    }

    /** OR11 by creation date over N synthetic orders, and Klaviyo's bulk event endpoint with its limits. */
    static final class Fakes {
        private final HttpServer server;
        private final int orders;
        final Instant since = Instant.parse("2026-01-01T00:00:00Z");
        private final Duration step;
        private final ObjectNode template = OrderFixtures.placed("TEMPLATE-A").json();
        private final FixedWindows limit = new FixedWindows(BURST, STEADY);
        private final Set<String> distinct = ConcurrentHashMap.newKeySet();
        final AtomicLong events = new AtomicLong();
        private final AtomicLong jobs = new AtomicLong();

        Fakes(int orders) throws IOException {
            this.orders = orders;
            this.step = Duration.ofDays(300).dividedBy(orders);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
            server.setExecutor(Executors.newFixedThreadPool(8));
            server.createContext("/api/orders", this::orders);
            server.createContext("/api/reasons", e -> send(e, 200, OrderFixtures.resource("/jlm/reasons.json")));
            server.createContext("/api/accounts", e -> send(e, 200, "{\"data\":[]}"));
            server.createContext("/api/event-bulk-create-jobs", this::bulk);
            server.start();
        }

        private void orders(HttpExchange exchange) throws IOException {
            Map<String, String> query = new ConcurrentHashMap<>();
            for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], java.net.URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
            }
            ObjectNode page = OrderFixtures.JSON.createObjectNode();
            ArrayNode list = page.putArray("orders");
            if (!query.containsKey("start_date")) {
                page.put("total_count", 0); // live feed: nothing updated recently
                send(exchange, 200, page.toString());
                return;
            }
            long lo = index(Instant.parse(query.get("start_date")));
            long hi = index(Instant.parse(query.get("end_date")));
            long offset = Long.parseLong(query.getOrDefault("offset", "0"));
            long max = Long.parseLong(query.getOrDefault("max", "10"));
            for (long i = lo + offset; i < Math.min(hi, lo + offset + max); i++) {
                ObjectNode order = template.deepCopy();
                String id = "BF" + i + "-A";
                Instant created = since.plus(step.multipliedBy(i));
                order.put("order_id", id);
                order.put("created_date", created.toString());
                order.put("last_updated_date", created.plusSeconds(60).toString());
                order.put("customer_notification_email", "bf" + (i % 50_000) + "@bench.jlm-klaviyo.invalid");
                ((ObjectNode) order.get("order_lines").get(0)).put("order_line_id", id + "-1");
                ((ObjectNode) order.get("order_lines").get(1)).put("order_line_id", id + "-2");
                list.add(order);
            }
            page.put("total_count", Math.max(0, hi - lo));
            send(exchange, 200, page.toString());
        }

        /** First order index created at or after {@code t}. */
        private long index(Instant t) {
            long n = Duration.between(since, t).toNanos();
            long s = step.toNanos();
            return Math.max(0, Math.min(orders, n <= 0 ? 0 : (n + s - 1) / s));
        }

        private void bulk(HttpExchange exchange) throws IOException {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!limit.admit()) {
                send(exchange, 429, "");
                return;
            }
            jobs.incrementAndGet();
            for (JsonNode entry : OrderFixtures.JSON.readTree(body).at("/data/attributes/events-bulk-create/data")) {
                for (JsonNode event : entry.at("/attributes/events/data")) {
                    events.incrementAndGet();
                    distinct.add(event.at("/attributes/metric/data/attributes/name").asText() + "|"
                            + event.at("/attributes/unique_id").asText());
                }
            }
            send(exchange, 202, "");
        }

        private static void send(HttpExchange exchange, int status, String body) throws IOException {
            FixedWindows.send(exchange, status, body);
        }

        void report() {
            System.out.printf("Klaviyo fake: %,d bulk jobs, %,d events (%,d distinct, %,d sent twice); jobs: %s%n",
                    jobs.get(), events.get(), distinct.size(), events.get() - distinct.size(), limit.summary());
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void stop() {
            server.stop(0);
        }
    }
}
