package uk.jlm.klaviyo.jlm;

import java.util.Set;

/** Mirakl order and order-line states (reference/mirakl.md §3.1). */
public final class OrderStates {

    public static final Set<String> ORDER = Set.of("STAGING", "WAITING_ACCEPTANCE", "WAITING_DEBIT",
            "WAITING_DEBIT_PAYMENT", "SHIPPING", "SHIPPED", "TO_COLLECT", "RECEIVED", "CLOSED", "REFUSED", "CANCELED",
            "WAITING_REFUND", "WAITING_REFUND_PAYMENT");

    public static final Set<String> LINE = union(ORDER, Set.of("INCIDENT_OPEN", "REFUNDED"));

    /** An order in one of these states has been accepted and paid: it counts as placed. */
    public static final Set<String> PLACED_OR_LATER = Set.of("SHIPPING", "SHIPPED", "TO_COLLECT", "RECEIVED", "CLOSED",
            "INCIDENT_OPEN", "REFUNDED", "WAITING_REFUND", "WAITING_REFUND_PAYMENT");

    public static final Set<String> DISPATCHED = Set.of("SHIPPED", "TO_COLLECT", "RECEIVED");

    public static final Set<String> ENDED_UNFULFILLED = Set.of("CANCELED", "REFUSED");

    private OrderStates() {
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        var all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
