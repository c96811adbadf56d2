package uk.jlm.klaviyo.jlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.OrderFixtures;

/**
 * The JLM fixtures follow Mirakl's seller OpenAPI: OR11 orders, RT11 returns, RE01 reasons. The specification is
 * not vendored (a user clones only the product); this runs wherever it sits beside the project, as in CI.
 */
class MiraklFixturesTest {

    private static final Path SPEC = Path.of("..", "shared", "contracts", "mirakl-mmp-seller-openapi.json");
    private static OpenApiInteractionValidator validator;
    private static com.fasterxml.jackson.databind.JsonNode spec;

    @BeforeAll
    static void loadSpec() throws java.io.IOException {
        if (Files.exists(SPEC)) {
            // Mirakl's custom-field schemas declare a discriminator the JSON-schema validator cannot load (its
            // 'type' is not a plain string property); without it the schemas still check every field.
            spec = OrderFixtures.JSON.readTree(SPEC.toFile());
            spec.findParents("discriminator").forEach(parent -> ((ObjectNode) parent).remove("discriminator"));
            validator = OpenApiInteractionValidator.createForInlineApiSpecification(spec.toString()).build();
        }
    }

    @Test
    void orderFixturesFollowTheOr11Schema() {
        assertFollows("/api/orders", OrderFixtures.page(OrderFixtures.placed("FX-1-A"),
                OrderFixtures.placed("FX-2-A").shipped("2026-11-04T16:02:40Z", "T1", "Royal Mail", "RM")
                        .received("2026-11-06T12:00:00Z")
                        .refund(0, "R1", "29.99", "REFUNDED", "2026-11-20T11:59:59Z")
                        .cancel(1, "C1", "24.99", "SL-OOS", "2026-11-03T11:59:59Z")));
    }

    @Test
    void returnFixtureFollowsTheRt11Schema() {
        ObjectNode page = OrderFixtures.JSON.createObjectNode();
        page.putArray("data").add(read("/jlm/returns/return-by-mail.json"));
        assertFollows("/api/returns", page.toString());
    }

    @Test
    void reasonListFollowsTheRe01Schema() {
        assertFollows("/api/reasons", OrderFixtures.resource("/jlm/reasons.json"));
    }

    @Test
    void exportStatusFixturesFollowTheOf53Schema() {
        assertFollows("/api/offers/export/async/status/T1", "{\"status\":\"PENDING\",\"last_updated\":\"2026-12-04T10:00:00Z\"}");
        assertFollows("/api/offers/export/async/status/T1", "{\"status\":\"COMPLETED\",\"last_updated\":"
                + "\"2026-12-04T10:00:01Z\",\"urls\":[\"https://jlm.example/api/offers/export/async/file/T1?file=0.json\"]}");
    }

    /** OF54 files are not an operation of the spec, only a schema: every field and type of the fixture must be in it. */
    @Test
    void offerFixtureFollowsTheOf54FileStructure() {
        assumeTrue(validator != null, "Mirakl seller OpenAPI not found at " + SPEC.toAbsolutePath());
        com.fasterxml.jackson.databind.JsonNode schema = spec.at("/components/schemas/OF54_Response_200_Ext_FileStructure/properties");
        ObjectNode offer = uk.jlm.klaviyo.support.OfferFixtures.offer(1, "SKU-1", 3, "10.00");
        offer.fieldNames().forEachRemaining(field -> {
            assertThat(schema.has(field)).as("OF54 field %s", field).isTrue();
            String type = schema.path(field).path("type").asText("object");
            com.fasterxml.jackson.databind.JsonNode value = offer.get(field);
            boolean fits = switch (type) {
                case "integer" -> value.isIntegralNumber();
                case "number" -> value.isNumber();
                case "boolean" -> value.isBoolean();
                case "string" -> value.isTextual();
                case "array" -> value.isArray();
                default -> value.isObject();
            };
            assertThat(fits).as("OF54 field %s is %s", field, type).isTrue();
        });
    }

    private static void assertFollows(String path, String body) {
        assumeTrue(validator != null, "Mirakl seller OpenAPI not found at " + SPEC.toAbsolutePath());
        ValidationReport report = validator.validateResponse(path, Request.Method.GET,
                SimpleResponse.Builder.ok().withContentType("application/json").withBody(body).build());
        List<String> errors = report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR).map(Object::toString).collect(Collectors.toList());
        assertThat(errors).as("fixture for %s", path).isEmpty();
    }

    private static ObjectNode read(String resource) {
        try {
            return (ObjectNode) OrderFixtures.JSON.readTree(OrderFixtures.resource(resource));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
