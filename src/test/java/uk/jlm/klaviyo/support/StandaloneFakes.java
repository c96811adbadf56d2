package uk.jlm.klaviyo.support;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Fresh JLM and Klaviyo fakes per test, for tests that start their own {@link AppInstance}s (restarts, several
 * instances, settings of their own). JLM already serves its RE01 reason list.
 */
public abstract class StandaloneFakes {

    protected final WireMockServer jlm = new WireMockServer(options().dynamicPort());
    protected final WireMockServer klaviyo = new WireMockServer(options().dynamicPort().containerThreads(40));

    @BeforeEach
    void startFakes() {
        jlm.start();
        klaviyo.start();
        jlm.stubFor(get(urlPathEqualTo("/api/reasons")).willReturn(okJson(OrderFixtures.resource("/jlm/reasons.json"))));
        klaviyo.stubFor(get(urlPathEqualTo("/api/accounts")).willReturn(okJson("{\"data\":[]}")));
    }

    @AfterEach
    void stopFakes() {
        jlm.stop();
        klaviyo.stop();
    }
}
