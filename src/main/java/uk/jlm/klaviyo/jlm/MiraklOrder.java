package uk.jlm.klaviyo.jlm;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The part of an OR11 {@code orders[]} item this integration reads. Enums are kept as strings and unknown fields
 * ignored, as Mirakl asks (reference/mirakl.md §3.2).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MiraklOrder(
        String orderId,
        String commercialId,
        OffsetDateTime createdDate,
        OffsetDateTime lastUpdatedDate,
        String orderState,
        String orderStateReasonCode,
        String orderStateReasonLabel,
        String currencyIsoCode,
        String customerNotificationEmail,
        Customer customer,
        BigDecimal price,
        BigDecimal shippingPrice,
        BigDecimal totalPrice,
        String shippingTracking,
        String shippingTrackingUrl,
        String shippingCompany,
        String shippingCarrierCode,
        Boolean fullyRefunded,
        List<CustomField> orderAdditionalFields,
        List<OrderLine> orderLines) {

    public MiraklOrder {
        orderAdditionalFields = orderAdditionalFields == null ? List.of() : orderAdditionalFields;
        orderLines = orderLines == null ? List.of() : orderLines;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Customer(String customerId, String firstname, String lastname, String locale) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CustomField(String code, String type, Object value) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record OrderLine(
            String orderLineId,
            String orderLineState,
            String orderLineStateReasonCode,
            String offerSku,
            String productSku,
            String productTitle,
            String categoryCode,
            String categoryLabel,
            Integer quantity,
            BigDecimal priceUnit,
            BigDecimal price,
            OffsetDateTime shippedDate,
            OffsetDateTime receivedDate,
            List<Media> productMedias,
            List<Cancelation> cancelations,
            List<Refund> refunds) {

        public OrderLine {
            productMedias = productMedias == null ? List.of() : productMedias;
            cancelations = cancelations == null ? List.of() : cancelations;
            refunds = refunds == null ? List.of() : refunds;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Media(String mediaUrl, String mimeType, String type) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Cancelation(String id, OffsetDateTime createdDate, BigDecimal amount, BigDecimal shippingAmount,
                              Integer quantity, String reasonCode) {

        public BigDecimal total() {
            return nz(amount).add(nz(shippingAmount));
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Refund(String id, OffsetDateTime createdDate, BigDecimal amount, BigDecimal shippingAmount,
                         Integer quantity, String reasonCode, String refundState, String state,
                         OffsetDateTime transactionDate) {

        /** {@code refund_state} is current; the deprecated {@code state} is the fallback (reference/mirakl.md §3.2). */
        public String effectiveState() {
            return refundState != null ? refundState : state;
        }

        public BigDecimal total() {
            return nz(amount).add(nz(shippingAmount));
        }
    }

    public Optional<String> customField(String code) {
        return orderAdditionalFields.stream()
                .filter(f -> code.equals(f.code()) && f.value() != null)
                .map(f -> f.value().toString())
                .findFirst();
    }

    public Stream<Cancelation> cancelations() {
        return orderLines.stream().flatMap(l -> l.cancelations().stream());
    }

    public String customerId() {
        return customer == null ? null : customer.customerId();
    }

    public static BigDecimal nz(BigDecimal value) {
        return Objects.requireNonNullElse(value, BigDecimal.ZERO);
    }
}
