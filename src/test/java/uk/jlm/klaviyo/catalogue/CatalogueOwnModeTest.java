package uk.jlm.klaviyo.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OfferFixtures;

/** Mode own: this service creates the catalogue items and variants, then keeps their stock up to date. */
@TestPropertySource(properties = {
        "spring.datasource.url=jdbc:h2:mem:catalogue-own;DB_CLOSE_DELAY=-1",
        "catalogue.mode=own",
        "catalogue.item-url=https://shop.example/p/{sku}"
})
class CatalogueOwnModeTest extends CatalogueTestSupport {

    @Test
    void createsItemsThenVariantsThenUpdatesThem() throws Exception {
        stubKlaviyoCatalogue();
        stubExport("T1", OfferFixtures.file(OfferFixtures.offer(1, "JLM-1", 3, "10.00"),
                OfferFixtures.offer(2, "JLM-2", 0, "20.00")));
        startCatalogue();

        await().atMost(Duration.ofSeconds(30)).until(() -> sentObjects(VARIANT_CREATE_JOBS).size() >= 2);
        List<JsonNode> items = sentObjects(ITEM_CREATE_JOBS);
        assertThat(items).extracting(i -> i.at("/attributes/external_id").asText()).containsExactlyInAnyOrder("JLM-1", "JLM-2");
        assertThat(items.get(0).at("/attributes/url").asText()).startsWith("https://shop.example/p/JLM-");
        JsonNode variant = sentObjects(VARIANT_CREATE_JOBS).stream()
                .filter(v -> v.at("/attributes/sku").asText().equals("JLM-1")).findFirst().orElseThrow();
        assertThat(variant.at("/attributes/external_id").asText()).isEqualTo("JLM-1");
        assertThat(variant.at("/attributes/inventory_quantity").asInt()).isEqualTo(3);
        assertThat(variant.at("/attributes/price").decimalValue()).isEqualByComparingTo("10.00");
        assertThat(variant.at("/relationships/item/data/id").asText()).isEqualTo(variantId("JLM-1"));
        // Variants are created only after Klaviyo reported their items' job complete.
        assertThat(jobs(VARIANT_CREATE_JOBS).get(0).getLoggedDate())
                .isAfterOrEqualTo(jobs(ITEM_CREATE_JOBS).get(0).getLoggedDate());

        // Once created, a stock change is an update of the variant (a restock here).
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM klaviyo_variant", Integer.class) == 2);
        stubExport("T2", OfferFixtures.file(OfferFixtures.offer(2, "JLM-2", 8, "20.00")));
        await().atMost(Duration.ofSeconds(30)).until(() -> !sentObjects(UPDATE_JOBS).isEmpty());
        assertThat(sentObjects(UPDATE_JOBS)).singleElement().satisfies(v -> {
            assertThat(v.path("id").asText()).isEqualTo(variantId("JLM-2"));
            assertThat(v.at("/attributes/inventory_quantity").asInt()).isEqualTo(8);
        });
        assertThat(sentObjects(ITEM_CREATE_JOBS)).hasSize(2);
        KlaviyoContract.assertValid(klaviyoRequests());
    }
}
