package uk.jlm.klaviyo.scaleout;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.OrderFixtures;

/**
 * The fault suite, against the packaged jar run as two real processes sharing one real PostgreSQL: 5,000 orders
 * (15,000 events) with JLM down at first, a Klaviyo outage, a database restart under both instances, then one
 * instance killed with SIGKILL. Nothing may be lost; a resend is allowed only for what was in flight when a process
 * died or the database went away (Klaviyo's unique_id absorbs it).
 */
class FaultSuiteIT {

    private static final int ORDERS = 5_000;
    private static final int EVENTS = ORDERS * 3;
    private static final int BATCH = 20;

    private final WireMockServer jlm = new WireMockServer(options().dynamicPort());
    private final WireMockServer klaviyo = new WireMockServer(options().dynamicPort().containerThreads(60)
            .disableRequestJournal());
    private final Map<String, Integer> received = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger unavailable = new java.util.concurrent.atomic.AtomicInteger();
    /** Requests per wall-clock second at the Klaviyo fake, both instances together (Klaviyo's fixed windows). */
    private final Map<Long, Integer> perSecond = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        processes.forEach(Process::destroyForcibly);
        jlm.stop();
        klaviyo.stop();
    }

    @Test
    void twoInstancesSurviveKillOutagesAndADatabaseRestartWithoutLoss(@TempDir Path dir) throws Exception {
        jlm.start();
        klaviyo.start();
        klaviyo.addMockServiceRequestListener((request, response) -> {
            if (request.getUrl().startsWith("/api/events")) {
                perSecond.merge(System.currentTimeMillis() / 1000, 1, Integer::sum);
            }
            if (request.getUrl().startsWith("/api/events") && response.getStatus() == 202) {
                received.merge(request.getBodyAsString(), 1, Integer::sum);
            } else if (request.getUrl().startsWith("/api/events") && response.getStatus() == 503) {
                unavailable.incrementAndGet();
            }
        });
        klaviyo.stubFor(post("/api/events").willReturn(aResponse().withStatus(202).withFixedDelay(3)));
        klaviyo.stubFor(get(urlPathEqualTo("/api/accounts")).willReturn(okJson("{\"data\":[]}")));
        jlm.stubFor(get(urlPathEqualTo("/api/reasons")).willReturn(okJson(OrderFixtures.resource("/jlm/reasons.json"))));
        // JLM is down when the instances start.
        jlm.stubFor(get(urlPathEqualTo("/api/orders")).atPriority(1).willReturn(aResponse().withStatus(503)));

        Path data = dir.resolve("pg");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
        int pgPort = postgres.getPort();
        String url = "jdbc:postgresql://localhost:" + pgPort + "/postgres";
        try {
            Process a = start("instance-a", url, dir);
            Process b = start("instance-b", url, dir);
            await().atMost(Duration.ofSeconds(90)).until(() -> safeCount(url, "SELECT COUNT(*) FROM feed_state "
                    + "WHERE feed = 'orders' AND consecutive_failures >= 2") == 1);
            assertThat(count(url, "SELECT COUNT(*) FROM order_snapshot")).isZero();

            // JLM is back: 5,000 orders in 50 pages.
            long jlmBack = System.nanoTime();
            List<ObjectNode> all = IntStream.range(0, ORDERS).mapToObj(i -> OrderFixtures.placed("F-" + i + "-A").json()).toList();
            for (int offset = 0; offset < ORDERS; offset += 100) {
                jlm.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("offset", equalTo(Integer.toString(offset)))
                        .atPriority(0).willReturn(okJson(OrderFixtures.page(new ArrayList<>(all.subList(offset, offset + 100)), ORDERS))));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> received.size() >= 2_000);

            // Klaviyo outage: 503s for a while; the backlog waits in the outbox.
            klaviyo.stubFor(post("/api/events").atPriority(1).willReturn(aResponse().withStatus(503)));
            int before = received.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> unavailable.get() >= 100);
            assertThat(received.size()).isEqualTo(before);
            klaviyo.removeStub(klaviyo.getStubMappings().stream()
                    .filter(m -> m.getResponse().getStatus() == 503).findFirst().orElseThrow());

            // Database restart under both running instances: both carry on by themselves.
            postgres.close();
            postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(pgPort).start();
            java.sql.Timestamp restarted = new java.sql.Timestamp(System.currentTimeMillis());
            await().atMost(Duration.ofSeconds(90)).until(() -> safeCount(url, "SELECT COUNT(DISTINCT claimed_by) FROM outbox "
                    + "WHERE status = 'DONE' AND delivered_at > ?", restarted) == 2);

            // Kill one instance outright: its claims expire (lease 5 s) and the other delivers them.
            a.destroyForcibly().waitFor();
            long claimedByDead = count(url, "SELECT COUNT(*) FROM outbox WHERE status = 'CLAIMED' AND claimed_by = 'instance-a'");

            try {
                await().atMost(Duration.ofMinutes(4)).until(() -> safeCount(url,
                        "SELECT COUNT(*) FROM outbox WHERE status = 'DONE'") == EVENTS);
            } catch (org.awaitility.core.ConditionTimeoutException stalled) {
                diagnose(url, b);
                throw stalled;
            }
            assertThat(b.isAlive()).isTrue();
            double seconds = (System.nanoTime() - jlmBack) / 1e9;

            Set<String> distinct = new HashSet<>();
            int requests = 0;
            for (Map.Entry<String, Integer> e : received.entrySet()) {
                JsonNode event = OrderFixtures.JSON.readTree(e.getKey()).at("/data/attributes");
                distinct.add(event.at("/metric/data/attributes/name").asText() + "|" + event.get("unique_id").asText());
                requests += e.getValue();
            }
            int duplicates = requests - distinct.size();
            int busiestSecond = perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            System.out.printf("fault suite: %d events, %d distinct delivered, %d lost, %d duplicate requests "
                    + "(%d rows were claimed by the killed instance), dead letters %d, %.0f s from JLM back to all "
                    + "delivered, busiest second %d requests from both instances (Klaviyo limit 350)%n", EVENTS,
                    distinct.size(), EVENTS - distinct.size(), duplicates, claimedByDead,
                    count(url, "SELECT COUNT(*) FROM dead_letter"), seconds, busiestSecond);
            assertThat(distinct).hasSize(EVENTS);
            // Resent only what was in flight: the killed process's claims, and at most one claimed batch per
            // instance whose 2xx arrived while PostgreSQL was restarting (it could not be recorded as done).
            assertThat((long) duplicates).isLessThanOrEqualTo(claimedByDead + 2L * BATCH);
            assertThat(count(url, "SELECT COUNT(*) FROM dead_letter")).isZero();
            assertThat(busiestSecond).isLessThanOrEqualTo(350);
        } finally {
            postgres.close();
        }
    }

    private Process start(String id, String url, Path dir) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("SPRING_DATASOURCE_URL", url);
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("JLM_BASE_URL", jlm.baseUrl());
        env.put("JLM_API_KEY", FlowTestSupport.JLM_KEY);
        env.put("KLAVIYO_BASE_URL", klaviyo.baseUrl());
        env.put("KLAVIYO_API_KEY", FlowTestSupport.KLAVIYO_KEY);
        env.put("OPS_USERNAME", "ops");
        env.put("OPS_PASSWORD", FlowTestSupport.OPS_PASSWORD);
        env.put("SERVER_PORT", "0");
        env.put("INSTANCE_ID", id);
        env.put("FLOWS_ORDERS_INTERVAL", "1s");
        env.put("FLOWS_RETURNS_ENABLED", "false");
        env.put("FLOWS_TICK_MS", "200");
        env.put("DELIVERY_POLL_INTERVAL_MS", "100");
        env.put("DELIVERY_BATCH_SIZE", Integer.toString(BATCH));
        env.put("DELIVERY_CLAIM_LEASE", "5s");
        // Klaviyo's per-account limit divided between the two instances, as the README documents.
        env.put("KLAVIYO_RATE_LIMIT_EVENTS_PER_SECOND", "175");
        env.put("KLAVIYO_RATE_LIMIT_EVENTS_PER_MINUTE", "1000000");
        env.put("KLAVIYO_RETRY_INITIAL_DELAY_MS", "100");
        env.put("KLAVIYO_RETRY_MAX_REDELIVERIES", "2");
        env.put("KLAVIYO_RETRY_RETRY_LATER", "1s");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", new File("target/jlm-klaviyo.jar").getAbsolutePath())
                .redirectErrorStream(true).redirectOutput(logs().resolve(id + ".log").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /** A stalled run leaves the survivor's threads and the outbox and feed state beside the instance logs. */
    private static void diagnose(String url, Process survivor) throws Exception {
        Path jstack = Path.of(System.getProperty("java.home"), "bin", "jstack");
        if (survivor.isAlive() && Files.exists(jstack)) {
            new ProcessBuilder(jstack.toString(), Long.toString(survivor.pid()))
                    .redirectOutput(logs().resolve("instance-b.jstack").toFile()).start().waitFor();
        }
        StringBuilder state = new StringBuilder();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             java.sql.Statement statement = c.createStatement()) {
            for (String sql : List.of("SELECT flow, status, claimed_by, COUNT(*) FROM outbox GROUP BY flow, status, claimed_by",
                    "SELECT feed, watermark, lease_owner, lease_until, consecutive_failures, last_failure_reason FROM feed_state",
                    "SELECT COUNT(*) FROM order_snapshot")) {
                state.append(sql).append('\n');
                try (ResultSet rs = statement.executeQuery(sql)) {
                    while (rs.next()) {
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            state.append(rs.getString(i)).append(i < rs.getMetaData().getColumnCount() ? " | " : "\n");
                        }
                    }
                }
            }
        }
        Files.writeString(logs().resolve("state.txt"), state.toString());
    }

    /** Instance logs stay in target/fault-suite/ for a failed run to be read. */
    private static Path logs() throws java.io.IOException {
        return Files.createDirectories(Path.of("target", "fault-suite"));
    }

    private static long count(String url, String sql, Object... parameters) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             java.sql.PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** As {@link #count}, or -1 while the database is not there (restarting, not migrated yet). */
    private static long safeCount(String url, String sql, Object... parameters) {
        try {
            return count(url, sql, parameters);
        } catch (Exception e) {
            return -1;
        }
    }
}
