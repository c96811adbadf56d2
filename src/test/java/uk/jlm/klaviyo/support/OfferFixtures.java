package uk.jlm.klaviyo.support;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * OF54 JSON export offers (Mirakl schema {@code OF54_Response_200_Ext_FileStructure}): the fields a seller's export
 * carries, with the default price in {@code prices[]} (no {@code context}).
 */
public final class OfferFixtures {

    private OfferFixtures() {
    }

    public static ObjectNode offer(long offerId, String shopSku, int quantity, String price) {
        ObjectNode offer = OrderFixtures.JSON.createObjectNode();
        offer.put("offer_id", offerId);
        if (shopSku != null) {
            offer.put("shop_sku", shopSku);
        }
        offer.put("product_sku", "PRD-" + offerId);
        offer.put("quantity", quantity);
        offer.put("active", true);
        offer.put("deleted", false);
        offer.put("description", "Product " + offerId);
        offer.put("currency_iso_code", "GBP");
        offer.put("state_code", "11");
        offer.put("last_updated", "2026-11-30T10:00:00Z");
        offer.put("date_created", "2026-01-10T09:00:00Z");
        ObjectNode prices = offer.putArray("prices").addObject();
        prices.put("origin_price", new BigDecimal(price));
        prices.putArray("volume_prices").addObject().put("quantity_threshold", 1)
                .put("unit_origin_price", new BigDecimal(price));
        return offer;
    }

    public static String file(ObjectNode... offers) {
        ArrayNode file = OrderFixtures.JSON.createArrayNode();
        file.addAll(List.of(offers));
        return file.toString();
    }
}
