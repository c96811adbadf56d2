package uk.jlm.klaviyo.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * Validates what we send to Klaviyo against Klaviyo's OpenAPI (revision 2026-07-15, copied under
 * {@code src/test/resources/contracts/}). The spec takes seconds to load, so one validator serves the whole test JVM.
 */
public final class KlaviyoContract {

    private static final class Holder {
        static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
                .createForSpecificationUrl(KlaviyoContract.class.getResource("/contracts/klaviyo-openapi-2026-07-15.json")
                        .toString())
                .build();
    }

    private KlaviyoContract() {
    }

    public static ValidationReport validate(LoggedRequest request) {
        SimpleRequest.Builder builder = new SimpleRequest.Builder(Request.Method.valueOf(request.getMethod().getName()),
                request.getUrl().replaceAll("\\?.*", ""));
        request.getHeaders().all().forEach(h -> builder.withHeader(h.key(), h.values()));
        builder.withBody(request.getBodyAsString());
        return Holder.VALIDATOR.validateRequest(builder.build());
    }

    /** Fails with every contract violation of every request. */
    public static void assertValid(List<LoggedRequest> requests) {
        assertThat(requests).isNotEmpty();
        for (LoggedRequest request : requests) {
            ValidationReport report = validate(request);
            assertThat(report.hasErrors())
                    .as("%s %s violates the Klaviyo contract:%n%s%nbody: %s", request.getMethod(), request.getUrl(),
                            report.getMessages().stream().map(Object::toString).collect(Collectors.joining("\n")),
                            request.getBodyAsString())
                    .isFalse();
        }
    }
}
