package uk.jlm.klaviyo.klaviyo;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.stereotype.Component;

import uk.jlm.klaviyo.config.JlmProperties;
import uk.jlm.klaviyo.config.KlaviyoProperties;
import uk.jlm.klaviyo.jlm.MiraklOrder;
import uk.jlm.klaviyo.jlm.MiraklOrder.OrderLine;

/**
 * Builds the Klaviyo event for any JLM order transition with the properties every event carries
 * (DESIGN.md "Klaviyo mapping"): {@code OrderId}, {@code Items}, {@code ItemNames}, {@code SKUs}, {@code Categories},
 * the profile identity, JLM time and currency.
 */
@Component
public class OrderEventFactory {

    private final KlaviyoProperties.Metrics metrics;
    private final String jlmBaseUrl;

    OrderEventFactory(KlaviyoProperties klaviyo, JlmProperties jlm) {
        this.metrics = klaviyo.metrics();
        this.jlmBaseUrl = jlm.baseUrl() == null ? "" : jlm.baseUrl().replaceAll("/+$", "");
    }

    public KlaviyoProperties.Metrics metrics() {
        return metrics;
    }

    /** An event about {@code lines} of {@code order}; {@code extra} adds the flow-specific properties. */
    public KlaviyoEvent event(String metric, MiraklOrder order, List<OrderLine> lines, OffsetDateTime time,
                              BigDecimal value, String uniqueId, Map<String, Object> extra, boolean backfill) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("OrderId", order.orderId());
        if (order.commercialId() != null) {
            properties.put("CommercialId", order.commercialId());
        }
        List<Map<String, Object>> items = new ArrayList<>();
        LinkedHashSet<String> names = new LinkedHashSet<>();
        LinkedHashSet<String> skus = new LinkedHashSet<>();
        LinkedHashSet<String> categories = new LinkedHashSet<>();
        for (OrderLine line : lines) {
            items.add(item(line));
            addIfPresent(names, line.productTitle());
            addIfPresent(skus, line.offerSku());
            addIfPresent(categories, line.categoryLabel() != null ? line.categoryLabel() : line.categoryCode());
        }
        properties.put("Items", items);
        properties.put("ItemNames", List.copyOf(names));
        properties.put("SKUs", List.copyOf(skus));
        properties.put("Categories", List.copyOf(categories));
        extra.forEach((k, v) -> {
            if (v != null) {
                properties.put(k, v);
            }
        });
        return new KlaviyoEvent(metric, profile(order), properties, time, value, order.currencyIsoCode(), uniqueId,
                backfill);
    }

    public KlaviyoProfile profile(MiraklOrder order) {
        MiraklOrder.Customer customer = order.customer();
        return new KlaviyoProfile(order.customerNotificationEmail(), order.customerId(),
                customer == null ? null : customer.firstname(), customer == null ? null : customer.lastname(),
                customer == null || customer.locale() == null ? null : customer.locale().replace('_', '-'));
    }

    /** One {@code Items[]} entry, also the body of {@code Ordered Product}. */
    public Map<String, Object> item(OrderLine line) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("OrderLineId", line.orderLineId());
        item.put("ProductID", line.productSku());
        item.put("SKU", line.offerSku());
        item.put("ProductName", line.productTitle());
        item.put("Quantity", line.quantity());
        item.put("ItemPrice", line.priceUnit());
        item.put("RowTotal", line.price());
        String category = line.categoryLabel() != null ? line.categoryLabel() : line.categoryCode();
        item.put("Categories", category == null ? List.of() : List.of(category));
        line.productMedias().stream().map(MiraklOrder.Media::mediaUrl).filter(Objects::nonNull).findFirst()
                .ifPresent(url -> item.put("ImageURL", absolute(url)));
        item.values().removeIf(Objects::isNull);
        return item;
    }

    /** Mirakl media URLs can be relative to the instance (reference/mirakl.md §4.4). */
    private String absolute(String url) {
        return url.startsWith("/") ? jlmBaseUrl + url : url;
    }

    private static void addIfPresent(LinkedHashSet<String> set, String value) {
        if (value != null && !value.isBlank()) {
            set.add(value);
        }
    }
}
