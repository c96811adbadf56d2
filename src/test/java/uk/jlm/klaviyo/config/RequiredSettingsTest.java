package uk.jlm.klaviyo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.NestedExceptionUtils;

import uk.jlm.klaviyo.JlmKlaviyoApplication;

/** Outside the demo profile a missing required setting stops start-up, naming the environment variable. */
class RequiredSettingsTest {

    @ParameterizedTest
    @CsvSource({
            "jlm.base-url, JLM_BASE_URL",
            "jlm.api-key, JLM_API_KEY",
            "klaviyo.api-key, KLAVIYO_API_KEY",
            "ops.username, OPS_USERNAME",
            "ops.password, OPS_PASSWORD"})
    void missingSettingStopsStartUpNamingTheVariable(String property, String variable) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                "jlm.base-url", "http://127.0.0.1:9",
                "jlm.api-key", "k1",
                "klaviyo.api-key", "k2",
                "ops.username", "ops",
                "ops.password", "pw",
                "spring.datasource.url", "jdbc:h2:mem:settings-" + variable + ";DB_CLOSE_DELAY=-1",
                "server.port", "0"));
        settings.put(property, "");

        String[] args = settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(JlmKlaviyoApplication.class)
                .run(args).close());

        Throwable root = NestedExceptionUtils.getMostSpecificCause(failure);
        assertThat(root).isInstanceOf(MissingSettingException.class);
        assertThat(root.getMessage()).startsWith("Missing required setting " + variable + " (" + property + ")");
    }
}
