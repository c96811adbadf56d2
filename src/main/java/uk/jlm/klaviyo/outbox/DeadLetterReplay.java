package uk.jlm.klaviyo.outbox;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replays dead letters: a failed delivery goes back into its outbox lane unchanged; a rejected JLM record is
 * handed to its flow's {@link InputReplay}, which reads it again (a new dead letter records it if it fails again).
 */
@Service
public class DeadLetterReplay {

    /** A flow that can re-read the JLM records it once rejected. */
    public interface InputReplay {
        String flow();

        void replay(DeadLetter deadLetter);
    }

    public enum Result { REPLAYED, NOT_FOUND }

    private final DeadLetters deadLetters;
    private final Outbox outbox;
    private final Map<String, InputReplay> inputReplays;
    private final TransactionTemplate tx;

    DeadLetterReplay(DeadLetters deadLetters, Outbox outbox, List<InputReplay> inputReplays, TransactionTemplate tx) {
        this.deadLetters = deadLetters;
        this.outbox = outbox;
        this.tx = tx;
        this.inputReplays = inputReplays.stream().collect(Collectors.toMap(InputReplay::flow, Function.identity()));
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
                InputReplay input = inputReplays.get(deadLetter.flow());
                if (input != null) {
                    input.replay(deadLetter);
                }
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
