package uk.jlm.klaviyo.ops;

import java.util.List;

/** The flows as operators see them: status page, metrics tags, dead letters. */
public final class Flows {

    public static final List<String> ALL = List.of("orders", "dispatch", "cancellations", "returns", "consent", "catalogue");

    /** Which feed brings each flow's changes from JLM (order-derived flows share the one OR11 poll). */
    public static String feedOf(String flow) {
        return switch (flow) {
            case "orders", "dispatch", "cancellations" -> "orders";
            default -> flow;
        };
    }

    private Flows() {
    }
}
