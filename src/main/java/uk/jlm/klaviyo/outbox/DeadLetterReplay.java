package uk.jlm.klaviyo.outbox;

import java.util.List;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replays dead letters: a failed delivery goes back into its outbox lane unchanged; a rejected JLM record is
 * handed to its flow's {@link InputReplay}, which reads it again (a new dead letter records it if it fails again).
 */
@Service
public class DeadLetterReplay {

    /** Re-reads one kind of JLM record (an order, a return …) that was once rejected. */
    public interface InputReplay {
        /** False when the dead letter's payload is not this kind of record. */
        boolean replay(DeadLetter deadLetter);
    }

    public enum Result { REPLAYED, NOT_FOUND }

    private final DeadLetters deadLetters;
    private final Outbox outbox;
    private final List<InputReplay> inputReplays;
    private final TransactionTemplate tx;

    DeadLetterReplay(DeadLetters deadLetters, Outbox outbox, List<InputReplay> inputReplays, TransactionTemplate tx) {
        this.deadLetters = deadLetters;
        this.outbox = outbox;
        this.tx = tx;
        this.inputReplays = List.copyOf(inputReplays);
    }

    public Result replay(long id) {
        return deadLetters.find(id).map(deadLetter -> {
            if (deadLetter.outboxId() != null) {
                tx.executeWithoutResult(status -> {
                    deadLetters.markReplayed(id);
                    outbox.requeue(deadLetter.outboxId());
                });
            } else {
                deadLetters.markReplayed(id);
                inputReplays.stream().filter(replay -> replay.replay(deadLetter)).findFirst();
            }
            return Result.REPLAYED;
        }).orElse(Result.NOT_FOUND);
    }

    public int replayFlow(String flow) {
        int replayed = 0;
        for (long id : deadLetters.openIds(flow)) {
            if (replay(id) == Result.REPLAYED) {
                replayed++;
            }
        }
        return replayed;
    }
}
