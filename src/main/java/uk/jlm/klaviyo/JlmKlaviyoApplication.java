package uk.jlm.klaviyo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import uk.jlm.klaviyo.backfill.BackfillCommand;

@SpringBootApplication
@ConfigurationPropertiesScan
public class JlmKlaviyoApplication {

    /** Runs the service; {@code backfill --since <date-time>} runs a historical backfill to completion instead. */
    public static void main(String[] args) throws InterruptedException {
        if (BackfillCommand.matches(args)) {
            System.exit(BackfillCommand.run(JlmKlaviyoApplication.class, args));
        }
        SpringApplication.run(JlmKlaviyoApplication.class, args);
    }
}
