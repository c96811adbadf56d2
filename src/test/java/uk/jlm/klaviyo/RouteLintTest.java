package uk.jlm.klaviyo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.FileSystemResource;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints the operator-editable routes (like camel-kamelets' validator): every file parses, every route has an id and
 * names a route configuration, and every {@code {{placeholder}}} is defined in application.yml or is a parameter
 * of the template it sits in.
 */
class RouteLintTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}]+)}}");

    @Test
    @SuppressWarnings("unchecked")
    void everyRouteFileParsesHasIdsRouteConfigurationsAndDefinedPlaceholders() throws IOException {
        Properties defaults = applicationDefaults();
        List<Path> files;
        try (Stream<Path> list = Files.list(Path.of("routes"))) {
            files = list.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("orders.camel.yaml",
                "dispatch.camel.yaml", "cancellations.camel.yaml", "returns.camel.yaml", "klaviyo.camel.yaml");

        Set<String> configurations = new HashSet<>();
        Set<String> templates = new HashSet<>();
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> all = new ArrayList<>();
        for (Path file : files) {
            String text = Files.readString(file);
            List<Map<String, Object>> items = new Yaml().load(text);
            for (Map<String, Object> item : items) {
                item.put("_file", file.getFileName().toString());
                all.add(item);
                if (item.containsKey("routeConfiguration")) {
                    configurations.add((String) ((Map<String, Object>) item.get("routeConfiguration")).get("id"));
                }
                if (item.containsKey("routeTemplate")) {
                    templates.add((String) ((Map<String, Object>) item.get("routeTemplate")).get("id"));
                }
            }
        }
        for (Map<String, Object> item : all) {
            String file = (String) item.get("_file");
            Set<String> parameters = new HashSet<>();
            Object routeNode = item.get("route");
            if (item.containsKey("routeTemplate")) {
                Map<String, Object> template = (Map<String, Object>) item.get("routeTemplate");
                ((List<Map<String, Object>>) template.get("parameters")).forEach(p -> parameters.add((String) p.get("name")));
                routeNode = template.get("route");
            }
            if (routeNode instanceof Map<?, ?> route) {
                if (item.containsKey("route") && route.get("id") == null) {
                    problems.add(file + ": a route without id");
                }
                Object configuration = route.get("routeConfigurationId");
                if (configuration == null || !configurations.contains(configuration)) {
                    problems.add(file + ": route " + route.get("id") + " names no known routeConfigurationId");
                }
            }
            if (item.containsKey("templatedRoute")) {
                Map<String, Object> templated = (Map<String, Object>) item.get("templatedRoute");
                if (templated.get("routeId") == null || !templates.contains(templated.get("routeTemplateRef"))) {
                    problems.add(file + ": templated route without routeId or with an unknown template");
                }
            }
            Matcher m = PLACEHOLDER.matcher(new Yaml().dump(item));
            while (m.find()) {
                String key = m.group(1);
                if (!parameters.contains(key) && !defaults.containsKey(key)) {
                    problems.add(file + ": {{" + key + "}} is not defined in application.yml");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    private static Properties applicationDefaults() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new FileSystemResource("src/main/resources/application.yml"));
        yaml.setDocumentMatchers(properties -> properties.containsKey("spring.config.activate.on-profile")
                ? org.springframework.beans.factory.config.YamlProcessor.MatchStatus.NOT_FOUND
                : org.springframework.beans.factory.config.YamlProcessor.MatchStatus.FOUND);
        return yaml.getObject();
    }
}
