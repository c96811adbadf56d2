package uk.jlm.klaviyo.ops;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

import uk.jlm.klaviyo.config.KlaviyoProperties;

/**
 * Readiness: checks the Klaviyo key once at start with {@code GET /api/accounts} (1/s, 15/min — reference/klaviyo.md
 * §1.5), off the start-up thread. A rejected key (401/403) makes the instance not ready; an unreachable Klaviyo does
 * not (the outbox waits for it).
 */
@Component("klaviyoCredentials")
class KlaviyoCredentialsHealth implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(KlaviyoCredentialsHealth.class);

    private final RestClient klaviyo;
    private volatile Health health = Health.unknown().withDetail("check", "pending").build();

    KlaviyoCredentialsHealth(KlaviyoProperties properties) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(Duration.ofSeconds(10));
        requests.setReadTimeout(Duration.ofSeconds(10));
        this.klaviyo = RestClient.builder().requestFactory(requests).baseUrl(properties.baseUrl())
                .defaultHeader("Authorization", "Klaviyo-API-Key " + properties.apiKey())
                .defaultHeader("revision", properties.revision())
                .defaultHeader("Accept", "application/vnd.api+json").build();
    }

    @EventListener(ApplicationReadyEvent.class)
    void checkOnceStarted() {
        CompletableFuture.runAsync(this::check);
    }

    void check() {
        try {
            klaviyo.get().uri("/api/accounts").retrieve().toBodilessEntity();
            health = Health.up().withDetail("check", "API key accepted").build();
        } catch (RestClientResponseException e) {
            int status = e.getStatusCode().value();
            if (status == 401 || status == 403) {
                health = Health.down().withDetail("check", "Klaviyo rejected the API key (HTTP " + status + ")").build();
                log.error("Klaviyo rejected the API key (HTTP {}): check KLAVIYO_API_KEY and its scopes", status);
            } else {
                health = Health.up().withDetail("check", "unverified: Klaviyo answered HTTP " + status).build();
            }
        } catch (RuntimeException e) {
            health = Health.up().withDetail("check", "unverified: Klaviyo unreachable").build();
        }
    }

    @Override
    public Health health() {
        return health;
    }
}
