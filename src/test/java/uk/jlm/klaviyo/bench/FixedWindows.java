package uk.jlm.klaviyo.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;

/**
 * A Klaviyo limit as Klaviyo counts it, in fixed 1 s and 60 s windows, for the benchmarks' fakes: {@link #admit}
 * counts a request and says whether it is within both limits (a fake answers 429 when not).
 */
final class FixedWindows {

    private final int perSecond;
    private final int perMinute;
    private final Map<Long, AtomicLong> seconds = new ConcurrentHashMap<>();
    private final Map<Long, AtomicLong> minutes = new ConcurrentHashMap<>();
    private final AtomicLong over = new AtomicLong();

    FixedWindows(int perSecond, int perMinute) {
        this.perSecond = perSecond;
        this.perMinute = perMinute;
    }

    boolean admit() {
        long now = System.currentTimeMillis();
        long second = seconds.computeIfAbsent(now / 1000, k -> new AtomicLong()).incrementAndGet();
        long minute = minutes.computeIfAbsent(now / 60_000, k -> new AtomicLong()).incrementAndGet();
        if (second > perSecond || minute > perMinute) {
            over.incrementAndGet();
            return false;
        }
        return true;
    }

    long overLimit() {
        return over.get();
    }

    /** Requests per minute over the whole minutes only (the first and the last window were partly idle). */
    double steadyPerMinute() {
        return minutes.entrySet().stream().sorted(Map.Entry.comparingByKey()).skip(1)
                .limit(Math.max(0, minutes.size() - 2)).mapToLong(e -> e.getValue().get()).average().orElse(Double.NaN);
    }

    long fullMinutes() {
        return Math.max(0, minutes.size() - 2);
    }

    String summary() {
        return String.format("%,d over the limit (429); busiest second %d (limit %d), busiest minute %d (limit %d)",
                over.get(), seconds.values().stream().mapToLong(AtomicLong::get).max().orElse(0), perSecond,
                minutes.values().stream().mapToLong(AtomicLong::get).max().orElse(0), perMinute);
    }

    /**
     * A scratch directory for a benchmark's database, deleted when the benchmark's JVM exits (a large run's H2 file
     * is gigabytes).
     */
    static java.nio.file.Path scratch(String prefix) throws IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + dir + ": " + e.getMessage());
            }
        }));
        return dir;
    }

    /** Answers a fake's request; an empty body sends no body. */
    static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (status == 429) {
            exchange.getResponseHeaders().add("Retry-After", "1");
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
