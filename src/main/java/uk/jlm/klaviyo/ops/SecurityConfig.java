package uk.jlm.klaviyo.ops;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code /ops/**} needs the ops login (HTTP Basic, password kept only as a hash); the status page, health and the
 * Prometheus endpoint are anonymous and show aggregates only. Ops writes are stateless Basic-auth calls: instead
 * of a CSRF token they refuse any request a browser marks as cross-site.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class SecurityConfig {

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    UserDetailsService opsUsers(@Value("${ops.username}") String username, @Value("${ops.password}") String password,
                                PasswordEncoder encoder) {
        return new InMemoryUserDetailsManager(User.withUsername(username).password(encoder.encode(password))
                .roles("OPS").build());
    }

    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/ops/**").hasRole("OPS")
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus",
                                "/actuator/info").permitAll()
                        .requestMatchers("/actuator/**").hasRole("OPS")
                        .requestMatchers(HttpMethod.GET, "/", "/status.json", "/favicon.ico", "/error").permitAll()
                        .requestMatchers("/sandbox/**").permitAll()
                        .anyRequest().denyAll())
                .httpBasic(basic -> basic.realmName("jlm-klaviyo ops"))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new CrossSiteWriteFilter(), BasicAuthenticationFilter.class)
                .build();
    }

    /** Refuses state-changing requests that a browser reports as coming from another site. */
    static class CrossSiteWriteFilter extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String site = request.getHeader("Sec-Fetch-Site");
            boolean write = !"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod());
            if (write && site != null && !"same-origin".equals(site) && !"none".equals(site)) {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "cross-site request refused");
                return;
            }
            chain.doFilter(request, response);
        }
    }
}
