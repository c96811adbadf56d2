package uk.jlm.klaviyo.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Catalogue and stock sync (DESIGN.md "Catalogue and stock", README "Catalogue"). */
@ConfigurationProperties("catalogue")
public record CatalogueProperties(
        Mode mode,
        SkuRule skuRule,
        String mappingFile,
        Duration overlap,
        Duration fullExportInterval,
        Duration statusPollInterval,
        Duration exportTimeout,
        Duration jobCheckInterval,
        Duration klaviyoRefreshInterval,
        String itemUrl) {

    /** {@code update-existing}: only update variants the seller's Klaviyo catalogue already has; {@code own}: create them. */
    public enum Mode { UPDATE_EXISTING, OWN }

    /**
     * How a JLM SKU and a Klaviyo SKU are compared (after the mapping file): {@code exact} byte for byte;
     * {@code trim} ignores leading and trailing whitespace; {@code case-insensitive} also ignores case.
     */
    public enum SkuRule { EXACT, TRIM, CASE_INSENSITIVE }
}
