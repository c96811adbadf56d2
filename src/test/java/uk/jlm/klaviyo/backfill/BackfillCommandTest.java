package uk.jlm.klaviyo.backfill;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.JlmKlaviyoApplication;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;

/** {@code java -jar jlm-klaviyo.jar backfill --since …}: runs to the end, prints progress and the report, exits 0. */
class BackfillCommandTest {

    private final WireMockServer jlm = new WireMockServer(options().dynamicPort());
    private final WireMockServer klaviyo = new WireMockServer(options().dynamicPort());
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream stdout;

    @BeforeEach
    void fakes() {
        jlm.start();
        klaviyo.start();
        jlm.stubFor(get(urlPathEqualTo("/api/orders")).withQueryParam("offset", equalTo("0"))
                .willReturn(okJson(OrderFixtures.page(OrderFixtures.placed("CLI-1-A")))));
        jlm.stubFor(get(urlPathEqualTo("/api/reasons")).willReturn(okJson(OrderFixtures.resource("/jlm/reasons.json"))));
        klaviyo.stubFor(post("/api/event-bulk-create-jobs").willReturn(aResponse().withStatus(202)));
        klaviyo.stubFor(get(urlPathEqualTo("/api/accounts")).willReturn(okJson("{\"data\":[]}")));
        stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(stdout);
        jlm.stop();
        klaviyo.stop();
    }

    @Test
    void runsTheBackfillToTheEndWithoutTheWebServerOrTheLiveFlows() throws Exception {
        int exit = BackfillCommand.run(JlmKlaviyoApplication.class, new String[] {"backfill", "--since", "2026-11-01",
                "--spring.datasource.url=jdbc:h2:mem:backfill-cli;DB_CLOSE_DELAY=-1",
                "--jlm.base-url=" + jlm.baseUrl(), "--jlm.api-key=cli-jlm-key", "--klaviyo.base-url=" + klaviyo.baseUrl(),
                "--klaviyo.api-key=cli-klaviyo-key", "--flows.tick-ms=100", "--delivery.poll-interval-ms=100",
                "--backfill.window=30d"});

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(printed).contains("backfill: run 1, orders created from 2026-11-01T00:00:00Z", "backfill: done",
                "\"eventsSentTotal\" : 3");
        assertThat(klaviyo.findAll(postRequestedFor(urlPathEqualTo("/api/event-bulk-create-jobs")))).isNotEmpty();
        KlaviyoContract.assertValid(klaviyo.findAll(postRequestedFor(urlPathEqualTo("/api/event-bulk-create-jobs"))));
        // No live flow ran in the command: OR11 was only read by creation date.
        assertThat(jlm.getAllServeEvents()).allSatisfy(e -> assertThat(e.getRequest().getUrl())
                .doesNotContain("start_update_date"));
        assertThat(printed).doesNotContain("cli-jlm-key", "cli-klaviyo-key");
    }

    @Test
    void withoutSinceItPrintsUsage() throws Exception {
        assertThat(BackfillCommand.run(JlmKlaviyoApplication.class, new String[] {"backfill"})).isEqualTo(2);
    }
}
