package uk.jlm.klaviyo.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Which flows run and how often their feeds poll JLM. */
@ConfigurationProperties("flows")
public record FlowsProperties(
        Duration initialLookback,
        Flow orders,
        Flow returns,
        Flow consent,
        Flow catalogue,
        Flow dispatch,
        Flow cancellations,
        boolean cancelBeforePlaced) {

    public record Flow(boolean enabled, Duration interval) {
    }

    public Flow feed(String feed) {
        return switch (feed) {
            case "orders" -> orders;
            case "returns" -> returns;
            case "consent" -> consent;
            case "catalogue" -> catalogue;
            default -> throw new IllegalArgumentException("unknown feed " + feed);
        };
    }
}
