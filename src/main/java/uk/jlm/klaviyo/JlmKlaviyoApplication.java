package uk.jlm.klaviyo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class JlmKlaviyoApplication {

    public static void main(String[] args) {
        SpringApplication.run(JlmKlaviyoApplication.class, args);
    }
}
