package uk.jlm.klaviyo.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a missing setting into Boot's short "APPLICATION FAILED TO START" report instead of a stack trace. */
class MissingSettingFailureAnalyzer extends AbstractFailureAnalyzer<MissingSettingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MissingSettingException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Set " + cause.variable() + " in the environment, or run with SPRING_PROFILES_ACTIVE=demo to use the built-in sandboxes.",
                cause);
    }
}
