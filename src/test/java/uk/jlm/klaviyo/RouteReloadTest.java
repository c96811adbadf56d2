package uk.jlm.klaviyo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.jlm.klaviyo.support.AppInstance;
import uk.jlm.klaviyo.support.StandaloneFakes;

/** With the dev profile's settings, saving an edited route file changes the running route without a restart. */
class RouteReloadTest extends StandaloneFakes {

    @Test
    void savedRouteFileIsReloadedLive(@TempDir Path dir) throws IOException {
        Path routes = dir.resolve("routes");
        Files.createDirectories(routes);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        try (AppInstance app = AppInstance.start(jlm, klaviyo, "jdbc:h2:mem:reload;DB_CLOSE_DELAY=-1", Map.of(
                "routes.location", "file:" + routes,
                "camel.main.routes-reload-enabled", "true",
                "camel.main.routes-reload-directory", routes.toString(),
                "camel.main.routes-reload-pattern", "*.camel.yaml",
                "camel.main.routes-reload-remove-all-routes", "false"))) {
            CamelContext camel = app.bean(CamelContext.class);
            assertThat(camel.getRoute("cancellations-reasons").getEndpoint().getEndpointUri())
                    .startsWith("timer://cancellations-reasons?");

            Path file = routes.resolve("cancellations.camel.yaml");
            Files.writeString(file, Files.readString(file)
                    .replace("uri: timer:cancellations-reasons", "uri: timer:cancellations-reasons-edited"));

            await().atMost(Duration.ofSeconds(30)).until(() -> camel.getRoute("cancellations-reasons") != null
                    && camel.getRoute("cancellations-reasons").getEndpoint().getEndpointUri()
                    .startsWith("timer://cancellations-reasons-edited"));
            assertThat(camel.getRouteController().getRouteStatus("cancellations-reasons").isStarted()).isTrue();
            assertThat(camel.getRouteController().getRouteStatus("orders-feed").isStarted()).isTrue();
        }
    }
}
