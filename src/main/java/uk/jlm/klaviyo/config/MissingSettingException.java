package uk.jlm.klaviyo.config;

/** A required setting is absent; start-up stops with one line naming the environment variable. */
public class MissingSettingException extends RuntimeException {

    private final String variable;

    public MissingSettingException(String variable, String property, String meaning) {
        super("Missing required setting " + variable + " (" + property + "): " + meaning);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}
