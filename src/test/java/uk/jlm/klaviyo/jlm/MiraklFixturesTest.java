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

    @BeforeAll
    static void loadSpec() throws java.io.IOException {
        if (Files.exists(SPEC)) {
            // Mirakl's custom-field schemas declare a discriminator the JSON-schema validator cannot load (its
            // 'type' is not a plain string property); without it the schemas still check every field.
            com.fasterxml.jackson.databind.JsonNode spec = OrderFixtures.JSON.readTree(SPEC.toFile());
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
