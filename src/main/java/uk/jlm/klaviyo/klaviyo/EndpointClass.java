package uk.jlm.klaviyo.klaviyo;

/**
 * Klaviyo rate-limit classes (reference/klaviyo.md §1.5). Each has one shared Camel endpoint route,
 * {@code direct:klaviyo-<name>}, whose throttles every delivery route goes through.
 */
public enum EndpointClass {
    /** POST /api/events: 350/s, 3500/min. */
    EVENTS,
    /** Bulk jobs such as /api/event-bulk-create-jobs: 10/s, 150/min. */
    BULK,
    /** Profiles, subscriptions and catalogue: 75/s, 750/min. */
    PROFILES;

    public String routeName() {
        return name().toLowerCase();
    }
}
