package uk.jlm.klaviyo.config;

import java.time.Clock;
import java.util.concurrent.ExecutorService;

import org.apache.camel.CamelContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CoreBeans {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Threads each delivery route may use at once; the shared throttles, not this pool, bound the request rate. */
    @Bean(destroyMethod = "")
    ExecutorService klaviyoDeliveryPool(CamelContext camel, @Value("${delivery.threads}") int threads) {
        return camel.getExecutorServiceManager().newFixedThreadPool(this, "klaviyo-delivery", threads);
    }
}
