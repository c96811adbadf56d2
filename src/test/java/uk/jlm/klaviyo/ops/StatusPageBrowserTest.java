package uk.jlm.klaviyo.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.OrderFixtures;

/**
 * The status page in a real headless Chromium (Debian's chromium and chromium-driver, which .ci/run installs):
 * it renders every flow with live numbers, and a dead letter is replayed through the page's button.
 */
class StatusPageBrowserTest extends FlowTestSupport {

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void pageShowsLiveNumbersAndReplaysThroughTheButton() throws Exception {
        assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "Debian chromium and chromium-driver are not installed (.ci/run installs them)");
        KLAVIYO.stubFor(post(EVENTS).withRequestBody(containing("\"name\":\"Placed Order\"")).atPriority(1)
                .willReturn(aResponse().withStatus(400)));
        stubOrders(OrderFixtures.placed("BR-1-A"));
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters().size() == 1 && outboxCount("DONE") == 2);

        Path profile = Files.createTempDirectory("chromium-profile");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1200,800", "--user-data-dir=" + profile);
        WebDriver browser = new ChromeDriver(service, options);
        try {
            String page = "http://localhost:" + port + "/";
            browser.get(page);
            for (String flow : Flows.ALL) {
                assertThat(browser.findElements(By.id("flow-" + flow))).as(flow).hasSize(1);
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> cell(browser, "orders", "delivered").equals("2")
                    && deadLetterCount(browser).equals("1"));
            assertThat(cell(browser, "orders", "state")).isEqualTo("OK");

            // Without the login the button explains what to do and changes nothing.
            browser.findElement(By.cssSelector("button[data-replay=orders]")).click();
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("msg")).getText()
                    .contains("needs the ops login"));
            assertThat(deadLetters()).hasSize(1);

            // Logged in (the browser keeps the Basic credentials for this origin), the replay goes through.
            KLAVIYO.resetMappings();
            KLAVIYO.stubFor(post(EVENTS).willReturn(aResponse().withStatus(202)));
            browser.get("http://ops:" + OPS_PASSWORD + "@localhost:" + port + "/ops/dead-letters");
            browser.get(page);
            browser.findElement(By.cssSelector("button[data-replay=orders]")).click();
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("msg")).getText()
                    .contains("replay of orders started"));
            await().atMost(Duration.ofSeconds(20)).until(() -> outboxCount("DONE") == 3 && deadLetters().isEmpty());
            await().atMost(Duration.ofSeconds(15)).until(() -> cell(browser, "orders", "delivered").equals("3")
                    && deadLetterCount(browser).equals("0"));
        } finally {
            browser.quit();
            deleteQuietly(profile.toFile());
        }
    }

    private static String cell(WebDriver browser, String flow, String key) {
        return browser.findElement(By.cssSelector("#flow-" + flow + " td[data-k=" + key + "]")).getText().trim();
    }

    private static String deadLetterCount(WebDriver browser) {
        return browser.findElement(By.cssSelector("#flow-orders td[data-k=deadLetters] a")).getText().trim();
    }

    private static void deleteQuietly(File dir) {
        File[] children = dir.listFiles();
        if (children != null) {
            for (File child : children) {
                deleteQuietly(child);
            }
        }
        dir.delete();
    }
}
