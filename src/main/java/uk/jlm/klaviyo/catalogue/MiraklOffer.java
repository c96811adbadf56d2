package uk.jlm.klaviyo.catalogue;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The fields of an OF54 JSON export offer ({@code OF54_Response_200_Ext_FileStructure}) the catalogue sync uses.
 * Price: the default entry of {@code prices[]} (the one without {@code context}), its {@code discount_price} when
 * present, else its {@code origin_price}. {@code source} is the record as JLM sent it, for a dead letter.
 */
record MiraklOffer(Long offerId, String shopSku, Integer quantity, boolean active, boolean deleted,
                   String description, BigDecimal price, String currency, String lastUpdated, JsonNode source) {

    static MiraklOffer from(JsonNode node) {
        return new MiraklOffer(
                node.hasNonNull("offer_id") ? node.get("offer_id").asLong() : null,
                text(node, "shop_sku"),
                node.hasNonNull("quantity") && node.get("quantity").canConvertToInt() ? node.get("quantity").asInt() : null,
                node.path("active").asBoolean(true),
                node.path("deleted").asBoolean(false),
                text(node, "description"),
                defaultPrice(node.path("prices")),
                text(node, "currency_iso_code"),
                text(node, "last_updated"),
                node);
    }

    /** Why this offer cannot be synced, or null. */
    String problem() {
        if (shopSku == null || shopSku.isBlank()) {
            return "offer " + offerId + " has no shop_sku";
        }
        if (quantity == null) {
            return "offer " + shopSku + " has no quantity";
        }
        if (quantity < 0) {
            return "offer " + shopSku + " has a negative quantity (" + quantity + ")";
        }
        return null;
    }

    /** What a customer can buy now: nothing when the offer is inactive or deleted. */
    int sellableQuantity() {
        return active && !deleted ? quantity : 0;
    }

    String sourceRef() {
        return "offer:" + (shopSku != null && !shopSku.isBlank() ? shopSku : offerId);
    }

    private static BigDecimal defaultPrice(JsonNode prices) {
        for (JsonNode price : prices) {
            if (price.has("context") && !price.get("context").isNull()) {
                continue;
            }
            JsonNode value = price.hasNonNull("discount_price") ? price.get("discount_price") : price.get("origin_price");
            if (value != null && value.isNumber()) {
                return value.decimalValue();
            }
        }
        return null;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
