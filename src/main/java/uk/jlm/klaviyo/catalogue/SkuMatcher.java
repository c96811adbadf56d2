package uk.jlm.klaviyo.catalogue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.FileSystemResourceLoader;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import uk.jlm.klaviyo.config.CatalogueProperties;
import uk.jlm.klaviyo.config.CatalogueProperties.SkuRule;

/**
 * SKU matching between JLM offers and Klaviyo catalogue variants (README "Catalogue"):
 * <ol>
 *   <li>the mapping file, if any, turns a JLM shop SKU into the Klaviyo SKU it stands for;</li>
 *   <li>both sides are compared by one rule, {@code catalogue.sku-rule} ({@link #key}): exact, trim (default) or
 *       case-insensitive;</li>
 *   <li>SKUs that differ only in case, whitespace, separators ({@code - _ . / space}) or leading zeros have the same
 *       {@link #looseKey}: they are reported as near misses with the mapping line that would match them, never
 *       matched silently.</li>
 * </ol>
 */
@Component
public class SkuMatcher {

    private static final Pattern SEPARATORS = Pattern.compile("[\\s\\-_./]+");
    private static final Pattern LEADING_ZEROS = Pattern.compile("(?<![0-9])0+(?=[0-9])");
    private static final Logger log = LoggerFactory.getLogger(SkuMatcher.class);

    private final SkuRule rule;
    private final Map<String, String> mapping;

    @Autowired
    SkuMatcher(CatalogueProperties catalogue) {
        this(catalogue.skuRule(), load(catalogue.mappingFile()));
    }

    SkuMatcher(SkuRule rule, Map<String, String> mapping) {
        this.rule = rule == null ? SkuRule.TRIM : rule;
        this.mapping = Map.copyOf(mapping);
    }

    public SkuRule rule() {
        return rule;
    }

    /** The Klaviyo SKU a JLM shop SKU stands for: the mapping file's, else the SKU itself. */
    public String klaviyoSku(String jlmSku) {
        String mapped = mapping.get(jlmSku.strip());
        return mapped != null ? mapped : jlmSku;
    }

    /** What two SKUs must share to match, under the configured rule. */
    public String key(String sku) {
        return switch (rule) {
            case EXACT -> sku;
            case TRIM -> sku.strip();
            case CASE_INSENSITIVE -> sku.strip().toUpperCase(Locale.ROOT);
        };
    }

    /** What two SKUs share when they differ only in case, whitespace, separators or leading zeros. */
    public static String looseKey(String sku) {
        String s = SEPARATORS.matcher(sku.toUpperCase(Locale.ROOT)).replaceAll("");
        return LEADING_ZEROS.matcher(s).replaceAll("");
    }

    public int mappings() {
        return mapping.size();
    }

    /**
     * Reads the mapping file: a file path or {@code classpath:} location, one
     * {@code jlm_sku,klaviyo_sku} pair per line; blank lines, lines starting with
     * {@code #} and a {@code jlm_sku,klaviyo_sku} header are skipped. A malformed line fails start-up with its number.
     */
    static Map<String, String> load(String file) {
        if (!StringUtils.hasText(file)) {
            return Map.of();
        }
        String path = file.strip();
        List<String> lines;
        try (var in = new FileSystemResourceLoader().getResource(path).getInputStream()) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("catalogue.mapping-file " + path + " cannot be read", e);
        }
        Map<String, String> mapping = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.equalsIgnoreCase("jlm_sku,klaviyo_sku")) {
                continue;
            }
            String[] parts = line.split(",", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("catalogue.mapping-file " + path + " line " + (i + 1)
                        + ": expected \"jlm_sku,klaviyo_sku\"");
            }
            mapping.put(parts[0].strip(), parts[1].strip());
        }
        log.info("catalogue SKU mapping: {} entries from {}", mapping.size(), path);
        return mapping;
    }
}
