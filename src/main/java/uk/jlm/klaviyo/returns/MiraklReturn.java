package uk.jlm.klaviyo.returns;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** The part of an RT11 {@code data[]} item this integration reads (reference/mirakl.md §6). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record MiraklReturn(String id, String orderId, String orderCommercialId, String state, String reasonCode,
                    String rma, OffsetDateTime dateCreated, OffsetDateTime lastUpdated, List<Line> returnLines) {

    static final Set<String> STATES = Set.of("WAITING_ACCEPTANCE", "IN_PROGRESS", "REFUSED", "RECEIVED",
            "NO_RECEPTION", "CLOSED", "CANCELED");

    MiraklReturn {
        returnLines = returnLines == null ? List.of() : returnLines;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Line(String orderLineId, Integer quantity, String reasonCode) {
    }
}
