package uk.jlm.klaviyo.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * End-to-end flow tests: WireMock plays JLM and Klaviyo, the application runs for real on an H2 database with
 * short intervals. One Spring context serves every subclass (no dirtied contexts); each test starts from empty
 * tables and fresh stubs.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:flowtests;DB_CLOSE_DELAY=-1",
        "jlm.api-key=" + FlowTestSupport.JLM_KEY,
        "klaviyo.api-key=" + FlowTestSupport.KLAVIYO_KEY,
        "ops.username=ops",
        "ops.password=" + FlowTestSupport.OPS_PASSWORD,
        "flows.orders.interval=1s",
        "flows.returns.interval=1s",
        "flows.consent.interval=1s",
        "jlm.consent.order-field=marketing-opt-in",
        "klaviyo.consent.list-id=LIST123",
        "flows.tick-ms=100",
        "delivery.poll-interval-ms=100",
        "klaviyo.retry.initial-delay-ms=50",
        "klaviyo.retry.max-redeliveries=3",
        "klaviyo.retry.default-retry-after=1s",
        "klaviyo.retry.retry-later=1s",
        "jlm.reasons.refresh-interval=2s",
        "jlm.reasons.initiators.OP-FRAUD=operator"
})
public abstract class FlowTestSupport {

    public static final String JLM_KEY = "jlm-shop-key-TOPSECRET-1";
    public static final String KLAVIYO_KEY = "pk_klaviyo_TOPSECRET_2";
    public static final String OPS_PASSWORD = "ops-password-TOPSECRET-3";
    public static final String EVENTS = "/api/events";
    public static final String SUBSCRIBE = "/api/profile-subscription-bulk-create-jobs";
    public static final String UNSUBSCRIBE = "/api/profile-subscription-bulk-delete-jobs";
    public static final String CONSENT_FEED = "/consent/customers";

    protected static final WireMockServer JLM = new WireMockServer(options().dynamicPort());
    protected static final WireMockServer KLAVIYO = new WireMockServer(options().dynamicPort());

    static {
        JLM.start();
        KLAVIYO.start();
    }

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        registry.add("jlm.base-url", JLM::baseUrl);
        registry.add("klaviyo.base-url", KLAVIYO::baseUrl);
        registry.add("jlm.consent.feed-url", () -> JLM.baseUrl() + CONSENT_FEED);
    }

    @Autowired
    protected JdbcTemplate jdbc;

    @LocalServerPort
    protected int port;

    @BeforeEach
    void freshFakesAndTables() {
        JLM.resetAll();
        JLM.stubFor(get(urlPathEqualTo("/api/orders")).atPriority(10).willReturn(okJson(OrderFixtures.page())));
        JLM.stubFor(get(urlPathEqualTo("/api/returns")).atPriority(10).willReturn(okJson("{\"data\":[]}")));
        JLM.stubFor(get(urlPathEqualTo(CONSENT_FEED)).atPriority(10)
                .willReturn(okJson("{\"customers\":[],\"next_page_token\":null}")));
        JLM.stubFor(get(urlPathEqualTo("/api/reasons")).willReturn(okJson(OrderFixtures.resource("/jlm/reasons.json"))));
        awaitPolls(1);
        // Let the previous test's in-flight deliveries finish before its Klaviyo fake goes away.
        jdbc.update("DELETE FROM outbox WHERE status = 'PENDING'");
        await().atMost(Duration.ofSeconds(30)).until(() -> outboxCount("CLAIMED") == 0);
        KLAVIYO.resetAll();
        KLAVIYO.stubFor(post(EVENTS).atPriority(10).willReturn(aResponse().withStatus(202)));
        KLAVIYO.stubFor(post(SUBSCRIBE).atPriority(10).willReturn(aResponse().withStatus(202)));
        KLAVIYO.stubFor(post(UNSUBSCRIBE).atPriority(10).willReturn(aResponse().withStatus(202)));
        KLAVIYO.stubFor(get(urlPathEqualTo("/api/accounts")).willReturn(okJson("{\"data\":[]}")));
        for (String table : List.of("outbox", "order_snapshot", "dead_letter", "consent_state")) {
            jdbc.update("DELETE FROM " + table);
        }
        jdbc.update("UPDATE feed_state SET watermark = NULL, consecutive_failures = 0");
    }

    /** Serves {@code page} as the first OR11 page of every window (later offsets stay empty). */
    protected static void stubOrders(String page) {
        JLM.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("offset", equalTo("0")).atPriority(1)
                .willReturn(okJson(page)));
    }

    protected static void stubOrders(OrderFixtures... orders) {
        stubOrders(OrderFixtures.page(orders));
    }

    /** Waits until the orders feed has polled JLM {@code n} more times (whole windows, every page). */
    protected static void awaitPolls(int n) {
        int before = pollsStarted();
        await().atMost(Duration.ofSeconds(30)).until(() -> pollsStarted() >= before + n + 1);
    }

    /** Each OR11 poll starts with the first page of its window. */
    private static int pollsStarted() {
        return JLM.countRequestsMatching(getRequestedFor(urlPathEqualTo("/api/orders"))
                .withQueryParam("offset", equalTo("0")).build()).getCount();
    }

    protected static List<LoggedRequest> klaviyoEvents() {
        return KLAVIYO.findAll(postRequestedFor(urlPathEqualTo(EVENTS)));
    }

    /** Bodies Klaviyo accepted... as sent: every POST /api/events body, in arrival order. */
    protected static List<JsonNode> sentEvents() {
        return klaviyoEvents().stream().map(r -> {
            try {
                return OrderFixtures.JSON.readTree(r.getBodyAsString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    protected static List<JsonNode> sent(String metric) {
        return sentEvents().stream().filter(e -> metric.equals(metricOf(e))).toList();
    }

    protected static String metricOf(JsonNode event) {
        return event.at("/data/attributes/metric/data/attributes/name").asText();
    }

    protected static String uniqueIdOf(JsonNode event) {
        return event.at("/data/attributes/unique_id").asText();
    }

    protected static void awaitSent(String metric, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> sent(metric).size() >= count);
    }

    protected int outboxCount(String status) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM outbox WHERE status = ?", Integer.class, status);
    }

    protected List<Map<String, Object>> deadLetters() {
        return jdbc.queryForList("SELECT * FROM dead_letter WHERE replayed_at IS NULL ORDER BY id");
    }
}
