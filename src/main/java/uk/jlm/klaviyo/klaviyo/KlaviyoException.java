package uk.jlm.klaviyo.klaviyo;

/** Klaviyo did not accept a request; the subclass decides the error policy in route configuration {@code klaviyo-send}. */
public abstract class KlaviyoException extends RuntimeException {

    private final int status;

    protected KlaviyoException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** 429: wait exactly {@code Retry-After}, then try again. */
    public static class RateLimited extends KlaviyoException {
        public RateLimited(String message) {
            super(429, message);
        }
    }

    /** 408 and 5xx: transient, retried with exponential backoff. */
    public static class Unavailable extends KlaviyoException {
        public Unavailable(int status, String message) {
            super(status, message);
        }
    }

    /** Any other 4xx: the request itself is wrong and goes straight to the dead letters. */
    public static class Rejected extends KlaviyoException {
        public Rejected(int status, String message) {
            super(status, message);
        }
    }
}
