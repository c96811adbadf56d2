package uk.jlm.klaviyo.outbox;

import uk.jlm.klaviyo.jlm.MiraklOrder;

/**
 * One kind of business transition detected on an OR11 order (placed, dispatched, cancelled, refunded …).
 * Each flow contributes its rule as a Spring bean; the detector runs them in {@code @Order} order over one
 * shared OR11 poll, so a new order-derived flow plugs in without another JLM call.
 */
public interface OrderTransitionRule {

    boolean enabled();

    void detect(MiraklOrder order, OrderChanges changes);
}
