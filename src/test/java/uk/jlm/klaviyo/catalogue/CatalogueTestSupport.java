package uk.jlm.klaviyo.catalogue;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import uk.jlm.klaviyo.support.OrderFixtures;

/**
 * Catalogue tests: WireMock plays JLM's offer export (OF52 → OF53 → OF54) and Klaviyo's catalogue API; only the
 * catalogue flow runs, with short intervals. Each test stubs, then starts the catalogue routes; they stop after it.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "jlm.api-key=" + CatalogueTestSupport.JLM_KEY,
        "klaviyo.api-key=" + CatalogueTestSupport.KLAVIYO_KEY,
        "ops.username=ops",
        "ops.password=" + CatalogueTestSupport.OPS_PASSWORD,
        "flows.orders.enabled=false",
        "flows.returns.enabled=false",
        "flows.consent.enabled=false",
        "flows.catalogue.interval=1s",
        "flows.tick-ms=100",
        "delivery.poll-interval-ms=100",
        "catalogue.status-poll-interval=100ms",
        "catalogue.job-check-interval=200ms",
        "catalogue.klaviyo-refresh-interval=1s",
        "klaviyo.retry.initial-delay-ms=50",
        "klaviyo.retry.max-redeliveries=2",
        "klaviyo.retry.retry-later=1s"
})
abstract class CatalogueTestSupport {

    static final String JLM_KEY = "jlm-shop-key-CATALOGUE-1";
    static final String KLAVIYO_KEY = "pk_klaviyo_CATALOGUE_2";
    static final String OPS_PASSWORD = "ops-password-CATALOGUE-3";
    static final String EXPORT = "/api/offers/export/async";
    static final String VARIANTS = "/api/catalog-variants";
    static final String UPDATE_JOBS = "/api/catalog-variant-bulk-update-jobs";
    static final String ITEM_CREATE_JOBS = "/api/catalog-item-bulk-create-jobs";
    static final String VARIANT_CREATE_JOBS = "/api/catalog-variant-bulk-create-jobs";
    static final List<String> ROUTES = List.of("catalogue-feed", "catalogue-delivery", "catalogue-jobs");

    static final WireMockServer JLM = new WireMockServer(options().dynamicPort());
    static final WireMockServer KLAVIYO = new WireMockServer(options().dynamicPort());

    static {
        JLM.start();
        KLAVIYO.start();
    }

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        registry.add("jlm.base-url", JLM::baseUrl);
        registry.add("klaviyo.base-url", KLAVIYO::baseUrl);
    }

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    CamelContext camel;

    @LocalServerPort
    int port;

    @BeforeEach
    void freshFakesAndTables() throws Exception {
        stopCatalogue();
        JLM.resetAll();
        KLAVIYO.resetAll();
        for (String table : List.of("outbox", "dead_letter", "offer_snapshot", "klaviyo_variant", "catalogue_job")) {
            jdbc.update("DELETE FROM " + table);
        }
        jdbc.update("DELETE FROM feed_state WHERE feed LIKE 'catalogue%'");
        for (String path : List.of(UPDATE_JOBS, ITEM_CREATE_JOBS, VARIANT_CREATE_JOBS)) {
            KLAVIYO.stubFor(post(path).atPriority(10).willReturn(aResponse().withStatus(202)
                    .withHeader("Content-Type", "application/vnd.api+json")
                    .withBody("{\"data\":{\"type\":\"job\",\"id\":\"{{randomValue length=12 type='ALPHANUMERIC'}}\","
                            + "\"attributes\":{\"status\":\"queued\",\"created_at\":\"2026-12-04T10:00:00Z\","
                            + "\"total_count\":1}}}")
                    .withTransformers("response-template")));
            KLAVIYO.stubFor(get(urlPathMatching(path + "/.+")).atPriority(10).willReturn(okJson(jobStatus("complete"))));
        }
    }

    @AfterEach
    void stopCatalogue() throws Exception {
        for (String route : ROUTES) {
            camel.getRouteController().stopRoute(route);
        }
    }

    void startCatalogue() throws Exception {
        for (String route : ROUTES) {
            camel.getRouteController().startRoute(route);
        }
    }

    static String jobStatus(String status, JsonNode... errors) {
        ObjectNode body = OrderFixtures.JSON.createObjectNode();
        ObjectNode attributes = body.putObject("data").put("type", "catalog-variant-bulk-update-job").put("id", "job")
                .putObject("attributes").put("status", status).put("created_at", "2026-12-04T10:00:00Z")
                .put("total_count", 1).put("completed_count", 1).put("failed_count", errors.length);
        attributes.putArray("errors").addAll(List.of(errors));
        return body.toString();
    }

    /** The seller's Klaviyo catalogue: these SKUs as variants, two a page, with Klaviyo's cursor links. */
    static void stubKlaviyoCatalogue(String... skus) {
        int pages = Math.max(1, (skus.length + 1) / 2);
        for (int p = 0; p < pages; p++) {
            ObjectNode page = OrderFixtures.JSON.createObjectNode();
            ArrayNode data = page.putArray("data");
            for (int i = p * 2; i < Math.min(skus.length, p * 2 + 2); i++) {
                ObjectNode variant = data.addObject().put("type", "catalog-variant").put("id", variantId(skus[i]));
                variant.putObject("attributes").put("sku", skus[i]);
                variant.putObject("links").put("self", KLAVIYO.baseUrl() + VARIANTS + "/" + i);
            }
            ObjectNode links = page.putObject("links").put("self", KLAVIYO.baseUrl() + VARIANTS);
            if (p + 1 < pages) {
                links.put("next", KLAVIYO.baseUrl() + VARIANTS + "?page%5Bcursor%5D=c" + (p + 1));
            }
            KLAVIYO.stubFor(get(urlPathEqualTo(VARIANTS))
                    .withQueryParam("page[cursor]", p == 0 ? absent() : equalTo("c" + p))
                    .willReturn(okJson(page.toString())));
        }
    }

    static String variantId(String sku) {
        return "$custom:::$default:::" + sku;
    }

    /** One export: OF52 answers {@code trackingId}, OF53 says PENDING once then COMPLETED, OF54 serves the file. */
    static void stubExport(String trackingId, String file) {
        JLM.stubFor(post(EXPORT).willReturn(okJson("{\"tracking_id\":\"" + trackingId + "\"}")));
        String status = EXPORT + "/status/" + trackingId;
        JLM.stubFor(get(status).inScenario(trackingId).whenScenarioStateIs(STARTED)
                .willReturn(okJson("{\"status\":\"PENDING\",\"last_updated\":\"2026-12-04T10:00:00Z\"}"))
                .willSetStateTo("done"));
        JLM.stubFor(get(status).inScenario(trackingId).whenScenarioStateIs("done")
                .willReturn(okJson("{\"status\":\"COMPLETED\",\"last_updated\":\"2026-12-04T10:00:01Z\",\"urls\":[\""
                        + JLM.baseUrl() + EXPORT + "/file/" + trackingId + "?file=of52-export%offers/0.json\"]}")));
        JLM.stubFor(get(urlPathEqualTo(EXPORT + "/file/" + trackingId)).willReturn(okJson(file)));
    }

    static List<LoggedRequest> exportRequests() {
        return JLM.findAll(postRequestedFor(urlPathEqualTo(EXPORT)));
    }

    static List<LoggedRequest> jobs(String path) {
        return KLAVIYO.findAll(postRequestedFor(urlPathEqualTo(path)));
    }

    static List<LoggedRequest> klaviyoRequests() {
        List<LoggedRequest> all = new ArrayList<>(KLAVIYO.findAll(getRequestedFor(urlPathMatching("/api/.*"))));
        all.addAll(KLAVIYO.findAll(postRequestedFor(urlPathMatching("/api/.*"))));
        return all;
    }

    /** Every variant object sent in jobs to {@code path}, in order. */
    static List<JsonNode> sentObjects(String path) {
        List<JsonNode> objects = new ArrayList<>();
        for (LoggedRequest job : jobs(path)) {
            JsonNode body = read(job.getBodyAsString());
            JsonNode list = body.at("/data/attributes/variants/data");
            if (list.isMissingNode()) {
                list = body.at("/data/attributes/items/data");
            }
            StreamSupport.stream(list.spliterator(), false).forEach(objects::add);
        }
        return objects;
    }

    static JsonNode read(String json) {
        try {
            return OrderFixtures.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    List<String> deadLetterReasons() {
        return jdbc.queryForList("SELECT reason FROM dead_letter WHERE replayed_at IS NULL ORDER BY id", String.class);
    }
}
