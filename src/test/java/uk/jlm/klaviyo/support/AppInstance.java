package uk.jlm.klaviyo.support;

import java.util.LinkedHashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import uk.jlm.klaviyo.JlmKlaviyoApplication;

/**
 * A whole jlm-klaviyo process started in the test JVM against given fakes and database — for tests that restart
 * the service, run two instances on one database, or need settings of their own.
 */
public final class AppInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private AppInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static AppInstance start(WireMockServer jlm, WireMockServer klaviyo, String datasourceUrl,
                                    Map<String, String> overrides) {
        return start(jlm.baseUrl(), klaviyo.baseUrl(), datasourceUrl, overrides);
    }

    public static AppInstance start(String jlmBaseUrl, String klaviyoBaseUrl, String datasourceUrl,
                                    Map<String, String> overrides) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("server.port", "0");
        settings.put("spring.datasource.url", datasourceUrl);
        settings.put("jlm.base-url", jlmBaseUrl);
        settings.put("klaviyo.base-url", klaviyoBaseUrl);
        settings.put("jlm.api-key", FlowTestSupport.JLM_KEY);
        settings.put("klaviyo.api-key", FlowTestSupport.KLAVIYO_KEY);
        settings.put("ops.username", "ops");
        settings.put("ops.password", FlowTestSupport.OPS_PASSWORD);
        settings.put("flows.orders.interval", "1s");
        settings.put("flows.returns.enabled", "false");
        settings.put("flows.tick-ms", "100");
        settings.put("delivery.poll-interval-ms", "100");
        settings.put("klaviyo.retry.initial-delay-ms", "50");
        settings.put("camel.main.shutdown-timeout", "10");
        settings.putAll(overrides);
        String[] args = settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new AppInstance(new SpringApplicationBuilder(JlmKlaviyoApplication.class).run(args));
    }

    public JdbcTemplate jdbc() {
        return context.getBean(JdbcTemplate.class);
    }

    /** The HTTP port the instance listens on. */
    public int port() {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
