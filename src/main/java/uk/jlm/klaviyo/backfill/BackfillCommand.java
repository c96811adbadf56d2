package uk.jlm.klaviyo.backfill;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar jlm-klaviyo.jar backfill --since <date-time>}: runs (or resumes) a backfill in this process
 * without the live feeds or the web server, prints progress every few seconds and the reconciliation report at the
 * end, and exits 0 once every event is delivered or dead-lettered. Same configuration as the service (environment
 * variables); with the default H2 file the service must be stopped first, with PostgreSQL it may keep running.
 */
public final class BackfillCommand {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** Klaviyo's endpoint routes, RE01 reasons (for Initiator), the backfill itself, and consent found in orders. */
    private static final List<String> ROUTES = List.of("klaviyo-events-endpoint", "klaviyo-bulk-endpoint",
            "klaviyo-profiles-endpoint", "cancellations-reasons", "backfill-feed", "backfill-delivery", "consent-delivery");

    private BackfillCommand() {
    }

    public static boolean matches(String[] args) {
        return args.length > 0 && "backfill".equals(args[0]);
    }

    public static int run(Class<?> application, String[] args) throws InterruptedException {
        String since = null;
        java.util.List<String> settings = new java.util.ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--since") && i + 1 < args.length) {
                since = args[++i];
            } else if (args[i].startsWith("--since=")) {
                since = args[i].substring("--since=".length());
            } else {
                settings.add(args[i]); // e.g. --spring.datasource.url=…, like the service's own arguments
            }
        }
        Instant from;
        try {
            from = Since.parse(since);
        } catch (IllegalArgumentException e) {
            System.err.println("backfill: " + e.getMessage());
            System.err.println("usage: java -jar jlm-klaviyo.jar backfill --since <ISO-8601 date or date-time>");
            return 2;
        }
        // As command-line arguments, so that they win over application.yml and the environment: no web server, and
        // no route starts by itself — only those the backfill needs (below), never the live feeds.
        settings.addAll(0, List.of("--spring.main.web-application-type=none", "--camel.main.auto-startup=false"));
        SpringApplication app = new SpringApplication(application);
        try (ConfigurableApplicationContext context = app.run(settings.toArray(String[]::new))) {
            CamelContext camel = context.getBean(CamelContext.class);
            for (String route : ROUTES) {
                if (camel.getRoute(route) != null) {
                    camel.getRouteController().startRoute(route);
                }
            }
            Backfill backfill = context.getBean(Backfill.class);
            ObjectMapper json = context.getBean(ObjectMapper.class);
            BackfillRuns.Run run = backfill.start(from);
            System.out.printf("backfill: run %d, orders created from %s to %s%n", run.id(), run.since(), run.until());
            Map<String, Object> report = backfill.report();
            while (!"DONE".equals(report.get("status"))) {
                Thread.sleep(PROGRESS_EVERY.toMillis());
                report = backfill.report();
                System.out.println("backfill: " + Backfill.progressLine(report));
            }
            System.out.println("backfill: done. Report:");
            System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            return 0;
        } catch (Exception e) {
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IllegalStateException("backfill failed: " + e.getMessage(), e);
        }
    }
}
