package uk.jlm.klaviyo.klaviyo;

import org.apache.camel.Exchange;

/**
 * Handles a failed delivery that is not a single outbox row (a bulk job of several): set as exchange property
 * {@link #PROPERTY}, {@code klaviyoDelivery.failed} hands the failure to it.
 */
public interface DeliveryFailureHandler {

    String PROPERTY = "deliveryFailureHandler";

    void failed(Exchange exchange, Throwable cause);
}
