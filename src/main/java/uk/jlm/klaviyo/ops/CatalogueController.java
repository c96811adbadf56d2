package uk.jlm.klaviyo.ops;

import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import uk.jlm.klaviyo.catalogue.CatalogueReport;
import uk.jlm.klaviyo.catalogue.CatalogueReport.Kind;

/**
 * {@code GET /ops/catalogue/mismatches}: the SKU mismatch report as JSON (default) or CSV ({@code ?format=csv} or
 * {@code Accept: text/csv}), behind the ops login.
 */
@RestController
@RequestMapping("/ops/catalogue")
class CatalogueController {

    private final CatalogueReport report;
    private final ObjectMapper json;

    CatalogueController(CatalogueReport report, ObjectMapper json) {
        this.report = report;
        this.json = json;
    }

    @GetMapping("/mismatches")
    void mismatches(@RequestParam(required = false) String format,
                    @RequestHeader(value = "Accept", required = false) String accept,
                    @RequestParam(defaultValue = "1000") int limit, HttpServletResponse response) throws IOException {
        boolean csv = "csv".equalsIgnoreCase(format) || (format == null && accept != null
                && accept.contains("text/csv") && !accept.contains("application/json"));
        if (csv) {
            csv(response);
        } else {
            json(response, Math.max(0, Math.min(limit, 100_000)));
        }
    }

    private void json(HttpServletResponse response, int limit) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mode", report.config().mode().name().toLowerCase().replace('_', '-'));
        body.put("skuRule", report.config().skuRule().name().toLowerCase().replace('_', '-'));
        body.put("counts", report.counts());
        body.put("jlmWithoutKlaviyo", report.list(Kind.JLM_WITHOUT_KLAVIYO, limit));
        body.put("klaviyoWithoutJlm", report.list(Kind.KLAVIYO_WITHOUT_JLM, limit));
        body.put("nearMisses", report.list(Kind.NEAR_MISS, limit));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        json.writeValue(response.getWriter(), body);
    }

    /** Every line, streamed: type,jlm_sku,offer_id,klaviyo_sku,klaviyo_variant_id,suggested_mapping. */
    private void csv(HttpServletResponse response) throws IOException {
        response.setContentType("text/csv");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"catalogue-mismatches.csv\"");
        Writer out = response.getWriter();
        out.write("type,jlm_sku,offer_id,klaviyo_sku,klaviyo_variant_id,suggested_mapping\n");
        for (Kind kind : Kind.values()) {
            report.forEach(kind, Integer.MAX_VALUE, m -> {
                try {
                    out.write(String.join(",", kind.name().toLowerCase().replace('_', '-'), cell(m.jlmSku()),
                            m.offerId() == null ? "" : m.offerId().toString(), cell(m.klaviyoSku()),
                            cell(m.klaviyoVariantId()), cell(m.suggestedMapping())) + "\n");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        out.flush();
    }

    /** RFC 4180 quoting; a leading formula character is neutralised for spreadsheets. */
    static String cell(String value) {
        if (value == null) {
            return "";
        }
        String v = value;
        if (!v.isEmpty() && "=+@".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        return v.contains(",") || v.contains("\"") || v.contains("\n") || !v.equals(value) || v.contains(" ")
                ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
