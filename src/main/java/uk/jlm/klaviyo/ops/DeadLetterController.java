package uk.jlm.klaviyo.ops;

import java.util.List;
import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import uk.jlm.klaviyo.outbox.DeadLetter;
import uk.jlm.klaviyo.outbox.DeadLetterReplay;
import uk.jlm.klaviyo.outbox.DeadLetters;

/** The dead-letter API (DESIGN.md "Operating surface"), behind the ops login. */
@RestController
@RequestMapping("/ops/dead-letters")
class DeadLetterController {

    record Item(long id, String flow, String kind, String reason, Integer httpStatus, int attempts, String createdAt,
                String sourceRef, String payload) {
        static Item of(DeadLetter d) {
            return new Item(d.id(), d.flow(), d.kind(), d.reason(), d.httpStatus(), d.attempts(),
                    d.createdAt().toString(), d.sourceRef(), d.payload());
        }
    }

    record Page(List<Item> items, int total) {
    }

    private final DeadLetters deadLetters;
    private final DeadLetterReplay replay;

    DeadLetterController(DeadLetters deadLetters, DeadLetterReplay replay) {
        this.deadLetters = deadLetters;
        this.replay = replay;
    }

    @GetMapping
    Page list(@RequestParam(required = false) String flow, @RequestParam(defaultValue = "100") int limit) {
        int bounded = Math.max(1, Math.min(limit, 1000));
        return new Page(deadLetters.list(flow, bounded).stream().map(Item::of).toList(), deadLetters.count(flow));
    }

    @PostMapping("/{id}/replay")
    ResponseEntity<Map<String, Object>> replayOne(@PathVariable long id) {
        return switch (replay.replay(id)) {
            case REPLAYED -> ResponseEntity.accepted().body(Map.of("id", id, "replayed", true));
            case NOT_FOUND -> ResponseEntity.status(404).body(Map.of("id", id, "error", "no open dead letter with this id"));
        };
    }

    @PostMapping("/replay")
    ResponseEntity<Map<String, Object>> replayFlow(@RequestParam String flow) {
        if (!Flows.ALL.contains(flow) && !uk.jlm.klaviyo.backfill.Backfill.LANE.equals(flow)) {
            return ResponseEntity.badRequest().body(Map.of("error", "unknown flow '" + flow + "'", "flows", Flows.ALL));
        }
        return ResponseEntity.accepted().body(Map.of("flow", flow, "replayed", replay.replayFlow(flow)));
    }
}
