package uk.jlm.klaviyo.backfill;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar jlm-klaviyo.jar backfill --since <date-time>}: runs (or resumes) a backfill in this process
 * without the live flows or the web server, prints progress every few seconds and the reconciliation report at the
 * end, and exits 0 once every event is delivered or dead-lettered. Same configuration as the service (environment
 * variables); with the default H2 file the service must be stopped first, with PostgreSQL it may keep running.
 */
public final class BackfillCommand {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private BackfillCommand() {
    }

    public static boolean matches(String[] args) {
        return args.length > 0 && "backfill".equals(args[0]);
    }

    public static int run(Class<?> application, String[] args) throws InterruptedException {
        String since = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--since") && i + 1 < args.length) {
                since = args[++i];
            } else if (args[i].startsWith("--since=")) {
                since = args[i].substring("--since=".length());
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
        SpringApplication app = new SpringApplication(application);
        app.setDefaultProperties(Map.of(
                "spring.main.web-application-type", "none",
                "flows.orders.enabled", "false",
                "flows.returns.enabled", "false",
                "flows.consent.enabled", "false",
                "flows.catalogue.enabled", "false"));
        try (ConfigurableApplicationContext context = app.run()) {
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
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
