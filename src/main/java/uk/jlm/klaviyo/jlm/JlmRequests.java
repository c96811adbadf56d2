package uk.jlm.klaviyo.jlm;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import uk.jlm.klaviyo.config.JlmProperties;

/**
 * Prepares an exchange for a call to the Mirakl seller API: the raw shop key in {@code Authorization} (no
 * {@code Bearer}, reference/mirakl.md §1.1), JSON, optional {@code shop_id}, and nothing left over from a
 * previous response.
 */
@Component
public class JlmRequests {

    private final JlmProperties jlm;

    JlmRequests(JlmProperties jlm) {
        this.jlm = jlm;
    }

    public void prepare(Exchange exchange, Map<String, String> query) {
        Map<String, String> all = new LinkedHashMap<>(query);
        if (StringUtils.hasText(jlm.shopId())) {
            all.put("shop_id", jlm.shopId());
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(null);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
        exchange.getMessage().setHeader("Accept", "application/json");
        exchange.getMessage().setHeader("Authorization", jlm.apiKey());
        exchange.getMessage().setHeader(Exchange.HTTP_QUERY, all.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
    }

    /** Drops the credential as soon as the response is in, so no later step, log or dead letter can see it. */
    public static void forget(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
    }
}
