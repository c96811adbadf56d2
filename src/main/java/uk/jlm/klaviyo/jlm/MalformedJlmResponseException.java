package uk.jlm.klaviyo.jlm;

/** A JLM response that is not JSON or does not follow the Mirakl contract as a whole: the poll fails. */
public class MalformedJlmResponseException extends RuntimeException {

    public MalformedJlmResponseException(String message) {
        super(message);
    }
}
