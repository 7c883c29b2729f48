package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A spill ({@code GlobalRunQueue.putBatch}) appending behind the global queue's tail while a
 * carrier's take ({@code GlobalRunQueue.pollBatch}) unlinks from its head. With one goroutine
 * queued, the take either empties the queue (it came first: head and tail both go) or splits the
 * new batch (it came second), so both of the take's paths meet the put at the tail. Checked against
 * a take that empties the queue but keeps its tail
 * ({@code jcstress-tests/mutants/GlobalQueueBatchPutRacingBatchTakeLosesNothing.take-keeps-stale-tail.patch}).
 */
@JCStressTest
@Description("The global queue holds goroutine 1. A producer spills goroutines 2, 3 as one linked batch "
        + "(putBatch) while a consumer takes up to two in one claim (pollBatch). Result: the ids the consumer got "
        + "and the ids left in the queue afterwards, each in the order the queue gave them, and the queue's size() "
        + "once it has been drained. Each goroutine must be taken exactly once, in FIFO order, and the drained "
        + "queue must say it is empty.")
@Outcome(id = "1, 23, 0", expect = ACCEPTABLE,
        desc = "The consumer came first and took all there was (goroutine 1); the batch was queued behind nothing.")
@Outcome(id = "12, 3, 0", expect = ACCEPTABLE,
        desc = "The producer came first; the consumer's take of two split the batch.")
@Outcome(expect = FORBIDDEN, desc = "A goroutine was lost or taken twice, came out of order, or the size counts "
        + "goroutines that are not in the queue.")
@State
public class GlobalQueueBatchPutRacingBatchTakeLosesNothing {
    private final GlobalRunQueue global = new GlobalRunQueue();
    private final G g2 = Fixtures.g(2);
    private final G g3 = Fixtures.g(3);
    private int consumed;

    public GlobalQueueBatchPutRacingBatchTakeLosesNothing() {
        global.put(Fixtures.g(1));
    }

    @Actor
    public void producer() {
        g2.next = g3;
        global.putBatch(g2, g3, 2);
    }

    @Actor
    public void consumer() {
        for (G g = global.pollBatch(2); g != null; g = GlobalRunQueue.detachNext(g)) {
            consumed = consumed * 10 + (int) g.id;
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = consumed;
        r.r2 = Fixtures.drainInOrder(global);
        r.r3 = global.size();
    }
}
