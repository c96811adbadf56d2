package uk.jlm.klaviyo.catalogue;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OfferFixtures;

/** Mode update-existing (the default): only variants the seller's Klaviyo catalogue has are updated. */
@TestPropertySource(properties = {
        "spring.datasource.url=jdbc:h2:mem:catalogue-sync;DB_CLOSE_DELAY=-1",
        "catalogue.mapping-file=classpath:catalogue/sku-mapping.csv"
})
class CatalogueSyncTest extends CatalogueTestSupport {

    @Autowired
    MeterRegistry registry;

    private static Map<String, JsonNode> byId(List<JsonNode> variants) {
        Map<String, JsonNode> byId = new java.util.LinkedHashMap<>();
        variants.forEach(v -> byId.put(v.path("id").asText(), v));
        return byId;
    }

    @Test
    void fullExportWithStatusPollingUpdatesMatchingVariantsAndReportsTheRest() throws Exception {
        stubKlaviyoCatalogue("JLM-1", "JLM-2", "SHOP-SKU-9", "jlm 3", "KLAVIYO-ONLY");
        stubExport("T1", OfferFixtures.file(
                OfferFixtures.offer(1, "JLM-1", 4, "10.00"),
                OfferFixtures.offer(2, "JLM-2", 0, "20.50"),
                OfferFixtures.offer(9, "JLM-MAPPED", 7, "9.99"),
                OfferFixtures.offer(3, "JLM-3", 1, "30.00"),
                OfferFixtures.offer(4, "JLM-4", 2, "40.00"),
                OfferFixtures.offer(5, null, 2, "50.00"),
                OfferFixtures.offer(6, "JLM-6", -2, "60.00")));
        startCatalogue();

        await().atMost(Duration.ofSeconds(30)).until(() -> sentObjects(UPDATE_JOBS).size() >= 3);
        Map<String, JsonNode> sent = byId(sentObjects(UPDATE_JOBS));
        assertThat(sent.keySet()).containsExactlyInAnyOrder(variantId("JLM-1"), variantId("JLM-2"), variantId("SHOP-SKU-9"));
        assertThat(sent.get(variantId("JLM-1")).at("/attributes/inventory_quantity").asInt()).isEqualTo(4);
        assertThat(sent.get(variantId("JLM-1")).at("/attributes/price").decimalValue()).isEqualByComparingTo("10.00");
        assertThat(sent.get(variantId("JLM-2")).at("/attributes/inventory_quantity").asInt()).isZero();
        assertThat(sent.get(variantId("SHOP-SKU-9")).at("/attributes/inventory_quantity").asInt()).isEqualTo(7);

        // The export: a full JSON export with inactive offers, OF53 polled until COMPLETED, the file fetched with the key.
        JsonNode request = read(exportRequests().get(0).getBodyAsString());
        assertThat(request.path("export_type").asText()).isEqualTo("application/json");
        assertThat(request.path("include_inactive_offers").asBoolean()).isTrue();
        assertThat(request.has("last_request_date")).isFalse();
        assertThat(exportRequests().get(0).getHeader("Authorization")).isEqualTo(JLM_KEY);
        assertThat(JLM.findAll(getRequestedFor(urlPathEqualTo(EXPORT + "/status/T1")))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(JLM.findAll(getRequestedFor(urlPathEqualTo(EXPORT + "/file/T1")))).first()
                .satisfies(r -> assertThat(r.getHeader("Authorization")).isEqualTo(JLM_KEY));
        // Both pages of the Klaviyo catalogue were read; everything sent follows Klaviyo's contract.
        assertThat(KLAVIYO.findAll(getRequestedFor(urlPathEqualTo(VARIANTS)))).hasSizeGreaterThanOrEqualTo(3);
        KlaviyoContract.assertValid(klaviyoRequests());

        // Bad offers are dead letters with their reason; the rest went through.
        assertThat(deadLetterReasons()).anySatisfy(r -> assertThat(r).contains("has no shop_sku"))
                .anySatisfy(r -> assertThat(r).contains("JLM-6").contains("negative quantity"));

        // Nothing unmatched is dropped silently: the report and the gauges show it.
        JsonNode report = read(ops("/ops/catalogue/mismatches", "application/json").body());
        assertThat(report.at("/counts/matched").asInt()).isEqualTo(3);
        assertThat(report.path("jlmWithoutKlaviyo").findValuesAsText("jlmSku")).containsExactlyInAnyOrder("JLM-3", "JLM-4");
        assertThat(report.path("klaviyoWithoutJlm").findValuesAsText("klaviyoSku"))
                .containsExactlyInAnyOrder("KLAVIYO-ONLY", "jlm 3");
        assertThat(report.path("nearMisses")).hasSize(1);
        assertThat(report.at("/nearMisses/0/jlmSku").asText()).isEqualTo("JLM-3");
        assertThat(report.at("/nearMisses/0/klaviyoSku").asText()).isEqualTo("jlm 3");
        assertThat(report.at("/nearMisses/0/suggestedMapping").asText()).isEqualTo("JLM-3,jlm 3");
        String csv = ops("/ops/catalogue/mismatches?format=csv", "text/csv").body();
        assertThat(csv.lines()).contains("near-miss,JLM-3,3,\"jlm 3\",\"$custom:::$default:::jlm 3\",\"JLM-3,jlm 3\"",
                "jlm-without-klaviyo,JLM-4,4,,,");
        assertThat(registry.get("jlm.klaviyo.catalogue.unmatched.skus").tag("side", "jlm").gauge().value()).isEqualTo(2);
        assertThat(registry.get("jlm.klaviyo.catalogue.near.misses").gauge().value()).isEqualTo(1);
    }

    @Test
    void differentialExportSendsRestockPromptlyAndCountsIt() throws Exception {
        stubKlaviyoCatalogue("JLM-1", "JLM-2");
        stubExport("T1", OfferFixtures.file(OfferFixtures.offer(1, "JLM-1", 3, "10.00"),
                OfferFixtures.offer(2, "JLM-2", 0, "20.00")));
        startCatalogue();
        await().atMost(Duration.ofSeconds(30)).until(() -> sentObjects(UPDATE_JOBS).size() >= 2);
        Instant firstRequest = exportRequests().get(0).getLoggedDate().toInstant();
        double restocksBefore = registry.get("jlm.klaviyo.catalogue.back.in.stock").counter().count();

        stubExport("T2", OfferFixtures.file(OfferFixtures.offer(2, "JLM-2", 5, "20.00"),
                OfferFixtures.offer(1, "JLM-1", 3, "10.00")));
        await().atMost(Duration.ofSeconds(30)).until(() -> sentObjects(UPDATE_JOBS).size() >= 3);

        JsonNode differential = read(exportRequests().get(1).getBodyAsString());
        Instant since = Instant.parse(differential.path("last_request_date").asText());
        assertThat(differential.has("include_inactive_offers")).isFalse();
        assertThat(since).isBefore(firstRequest).isAfter(firstRequest.minus(Duration.ofMinutes(3)));
        // Only the restock is sent again (JLM-1 did not change), with its new stock, as a restock.
        List<JsonNode> sent = sentObjects(UPDATE_JOBS);
        assertThat(sent.subList(2, sent.size())).singleElement().satisfies(v -> {
            assertThat(v.path("id").asText()).isEqualTo(variantId("JLM-2"));
            assertThat(v.at("/attributes/inventory_quantity").asInt()).isEqualTo(5);
        });
        assertThat(jdbc.queryForObject("SELECT metric FROM outbox WHERE subject_ref = 'JLM-2' ORDER BY id DESC "
                + "FETCH FIRST 1 ROWS ONLY", String.class)).isEqualTo(OfferLedger.RESTOCK);
        assertThat(registry.get("jlm.klaviyo.catalogue.back.in.stock").counter().count()).isEqualTo(restocksBefore + 1);
        KlaviyoContract.assertValid(jobs(UPDATE_JOBS));
    }

    @Test
    void truncatedExportFileIsReportedAndTheWatermarkStays() throws Exception {
        stubKlaviyoCatalogue("JLM-1");
        stubExport("T1", "[{\"offer_id\":1,\"shop_sku\":\"JLM-1\",\"quantity\":3,\"active\":true},{\"offer_id\":2,\"sho");
        startCatalogue();

        await().atMost(Duration.ofSeconds(30)).until(() -> exportRequests().size() >= 2);
        Map<String, Object> feed = jdbc.queryForMap("SELECT watermark, consecutive_failures, last_failure_reason "
                + "FROM feed_state WHERE feed = 'catalogue'");
        assertThat(feed.get("watermark")).isNull();
        assertThat((String) feed.get("last_failure_reason")).contains("truncated");
        assertThat(deadLetterReasons()).anySatisfy(r -> assertThat(r).contains("offer export file 0 is truncated"));
        // The next cycle asks for the same (full) export again instead of moving on.
        assertThat(read(exportRequests().get(1).getBodyAsString()).has("last_request_date")).isFalse();

        stubExport("T2", OfferFixtures.file(OfferFixtures.offer(1, "JLM-1", 3, "10.00")));
        await().atMost(Duration.ofSeconds(30)).until(() -> !sentObjects(UPDATE_JOBS).isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM feed_state WHERE feed = 'catalogue' AND watermark IS NOT NULL", Integer.class) == 1);
    }

    @Test
    void perVariantJobErrorsBecomeDeadLetters() throws Exception {
        stubKlaviyoCatalogue("JLM-1", "JLM-2");
        KLAVIYO.stubFor(get(urlPathMatching(UPDATE_JOBS + "/.+")).atPriority(1).willReturn(okJson(jobStatus("complete",
                read("{\"id\":\"e1\",\"code\":\"invalid\",\"title\":\"Invalid input.\",\"detail\":\"inventory_quantity is "
                        + "not valid for this variant\",\"source\":{\"pointer\":\"/data/attributes/variants/data/1/"
                        + "attributes/inventory_quantity\"}}")))));
        stubExport("T1", OfferFixtures.file(OfferFixtures.offer(1, "JLM-1", 3, "10.00"),
                OfferFixtures.offer(2, "JLM-2", 4, "20.00")));
        startCatalogue();

        await().atMost(Duration.ofSeconds(30)).until(() -> !deadLetterReasons().isEmpty());
        List<Map<String, Object>> dead = jdbc.queryForList("SELECT d.reason, o.payload FROM dead_letter d "
                + "JOIN outbox o ON o.id = d.outbox_id");
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat((String) d.get("reason")).contains("inventory_quantity is not valid for this variant");
            assertThat((String) d.get("payload")).contains("\"shopSku\":\"JLM-2\"");
        });
        assertThat(jdbc.queryForObject("SELECT status FROM outbox WHERE subject_ref = 'JLM-1'", String.class))
                .isEqualTo("DONE");
    }

    @Test
    void aJobKlaviyoRejectsIsSplitToIsolateTheBadVariant() throws Exception {
        stubKlaviyoCatalogue("JLM-1", "JLM-2", "JLM-3", "JLM-4");
        KLAVIYO.stubFor(post(UPDATE_JOBS).withRequestBody(containing(variantId("JLM-3"))).atPriority(1)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/vnd.api+json")
                        .withBody("{\"errors\":[{\"id\":\"x\",\"status\":400,\"code\":\"invalid\",\"title\":\"Invalid\","
                                + "\"detail\":\"price must be positive\",\"source\":{\"pointer\":\"/data\"}}]}")));
        stubExport("T1", OfferFixtures.file(OfferFixtures.offer(1, "JLM-1", 1, "10.00"),
                OfferFixtures.offer(2, "JLM-2", 2, "20.00"), OfferFixtures.offer(3, "JLM-3", 3, "30.00"),
                OfferFixtures.offer(4, "JLM-4", 4, "40.00")));
        startCatalogue();

        await().atMost(Duration.ofSeconds(30)).until(() -> !deadLetterReasons().isEmpty());
        assertThat(deadLetterReasons()).singleElement().satisfies(r -> assertThat(r).contains("price must be positive"));
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM outbox WHERE status = 'DONE'", Integer.class) == 3);
        assertThat(jdbc.queryForObject("SELECT subject_ref FROM outbox WHERE status = 'DEAD'", String.class))
                .isEqualTo("JLM-3");
    }

    @Test
    void aVariantAddedToKlaviyoLaterIsSyncedWithoutWaitingForAnOfferChange() throws Exception {
        stubKlaviyoCatalogue("JLM-1");
        stubExport("T1", OfferFixtures.file(OfferFixtures.offer(1, "JLM-1", 1, "10.00"),
                OfferFixtures.offer(2, "JLM-2", 6, "20.00")));
        startCatalogue();
        await().atMost(Duration.ofSeconds(30)).until(() -> sentObjects(UPDATE_JOBS).size() >= 1);
        assertThat(read(ops("/ops/catalogue/mismatches", "application/json").body())
                .path("jlmWithoutKlaviyo").findValuesAsText("jlmSku")).containsExactly("JLM-2");

        stubKlaviyoCatalogue("JLM-1", "JLM-2"); // the newest stubs answer from now on
        stubExport("T2", OfferFixtures.file());
        await().atMost(Duration.ofSeconds(30)).until(() -> sentObjects(UPDATE_JOBS).stream()
                .anyMatch(v -> v.path("id").asText().equals(variantId("JLM-2"))));
        assertThat(sentObjects(UPDATE_JOBS).stream().filter(v -> v.path("id").asText().equals(variantId("JLM-2")))
                .findFirst().orElseThrow().at("/attributes/inventory_quantity").asInt()).isEqualTo(6);
    }

    private HttpResponse<String> ops(String path, String accept) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("ops:" + OPS_PASSWORD).getBytes()))
                .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
    }
}
