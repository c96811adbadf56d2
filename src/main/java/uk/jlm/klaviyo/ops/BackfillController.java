package uk.jlm.klaviyo.ops;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import uk.jlm.klaviyo.backfill.Backfill;
import uk.jlm.klaviyo.backfill.BackfillRuns;
import uk.jlm.klaviyo.backfill.Since;

/**
 * {@code POST /ops/backfill?since=} starts the historical backfill (202), or resumes the run still in progress;
 * {@code GET /ops/backfill/report} is its reconciliation report. Behind the ops login.
 */
@RestController
@RequestMapping("/ops/backfill")
class BackfillController {

    private final Backfill backfill;

    BackfillController(Backfill backfill) {
        this.backfill = backfill;
    }

    @PostMapping
    ResponseEntity<Map<String, Object>> start(@RequestParam(required = false) String since) {
        BackfillRuns.Run run;
        try {
            run = backfill.start(Since.parse(since));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", run.id());
        body.put("status", run.status());
        body.put("since", run.since().toString());
        body.put("until", run.until().toString());
        body.put("report", "/ops/backfill/report");
        return ResponseEntity.accepted().body(body);
    }

    @GetMapping("/report")
    Map<String, Object> report() {
        return backfill.report();
    }
}
