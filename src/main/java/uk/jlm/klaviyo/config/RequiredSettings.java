package uk.jlm.klaviyo.config;

import java.time.Duration;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Checks at start-up that every required setting is present (fail fast, one line naming the variable),
 * and warns once about feed intervals below Mirakl's published call-frequency ceilings (reference/mirakl.md §1.4).
 */
@Component
class RequiredSettings {

    private static final Logger log = LoggerFactory.getLogger(RequiredSettings.class);

    /** Mirakl's maximum call frequency per feed: polling faster is allowed (tests, demo) but logged. */
    private static final Map<String, Duration> MIRAKL_FLOORS = Map.of(
            "orders", Duration.ofMinutes(1),
            "returns", Duration.ofMinutes(5),
            "catalogue", Duration.ofMinutes(1));

    RequiredSettings(Environment env, FlowsProperties flows) {
        require(env, "JLM_BASE_URL", "jlm.base-url", "the JLM (Mirakl) instance root, e.g. https://<tenant>.mirakl.net");
        require(env, "JLM_API_KEY", "jlm.api-key", "the JLM shop API key");
        require(env, "KLAVIYO_API_KEY", "klaviyo.api-key", "the Klaviyo private API key");
        if (!"none".equalsIgnoreCase(env.getProperty("spring.main.web-application-type", ""))) {
            // The backfill command runs without the web server: no /ops/** to protect.
            require(env, "OPS_USERNAME", "ops.username", "the user name for /ops/**");
            require(env, "OPS_PASSWORD", "ops.password", "the password for /ops/**");
        }
        MIRAKL_FLOORS.forEach((feed, floor) -> {
            FlowsProperties.Flow flow = flows.feed(feed);
            if (flow.enabled() && flow.interval().compareTo(floor) < 0) {
                log.warn("flows.{}.interval={} is below Mirakl's published maximum call frequency ({}); use this only against a sandbox",
                        feed, flow.interval(), floor);
            }
        });
    }

    private static void require(Environment env, String variable, String property, String meaning) {
        if (!StringUtils.hasText(env.getProperty(property))) {
            throw new MissingSettingException(variable, property, meaning);
        }
    }
}
