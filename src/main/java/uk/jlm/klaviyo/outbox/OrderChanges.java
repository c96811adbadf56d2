package uk.jlm.klaviyo.outbox;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import uk.jlm.klaviyo.klaviyo.KlaviyoEvent;

/**
 * What one order has already produced (from its snapshot) and what this detection pass adds. Keys are stable
 * per business transition ({@code placed:<order>}, {@code cancel:<order>:c:<id>} …), independent of the
 * configurable metric names, so renaming a metric never re-sends history.
 */
public final class OrderChanges {

    public record Emission(String flow, String key, KlaviyoEvent event) {
    }

    public record Rejection(String flow, String sourceRef, String reason) {
    }

    private final Map<String, BigDecimal> reported;
    private boolean placed;
    private final List<Emission> emissions = new ArrayList<>();
    private final List<Rejection> rejections = new ArrayList<>();

    OrderChanges(Map<String, BigDecimal> reported, boolean placed) {
        this.reported = new LinkedHashMap<>(reported);
        this.placed = placed;
    }

    public boolean seen(String key) {
        return reported.containsKey(key);
    }

    public boolean placed() {
        return placed;
    }

    public void markPlaced() {
        placed = true;
    }

    public void emit(String flow, String key, KlaviyoEvent event) {
        reported.put(key, event.value() == null ? BigDecimal.ZERO : event.value());
        emissions.add(new Emission(flow, key, event));
    }

    /** Records a transition as accounted for without sending anything (e.g. covered by a full cancellation). */
    public void cover(String key) {
        reported.putIfAbsent(key, BigDecimal.ZERO);
    }

    /** Sum of the values already reported under keys starting with {@code prefix}. */
    public BigDecimal reportedSum(String prefix) {
        return reported.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(Map.Entry::getValue).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public boolean anyReported(String prefix) {
        return reported.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    public void reject(String flow, String sourceRef, String reason) {
        rejections.add(new Rejection(flow, sourceRef, reason));
    }

    Map<String, BigDecimal> reported() {
        return reported;
    }

    List<Emission> emissions() {
        return emissions;
    }

    List<Rejection> rejections() {
        return rejections;
    }
}
