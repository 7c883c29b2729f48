package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The global run queue fed a linked batch, as a full ring spills into it
 * ({@code LocalRunQueue.putSlow} -> {@code GlobalRunQueue.putBatch}), while a carrier takes a
 * batch of up to two from it in one claim ({@code GlobalRunQueue.pollBatch}), as {@code M.takeGlobal}
 * does.
 *
 * <p>Both numbers keep the order the goroutines came out of the queue, the leftovers included
 * ({@link Fixtures#drainInOrder}), so a batch queued out of order shows in every interleaving, also
 * in the most common one, where the consumer finds the queue empty and takes nothing. Checked
 * against {@code putBatch} queueing the batch back to front
 * ({@code jcstress-tests/mutants/GlobalQueueBatchRacingTakeKeepsOrder.batch-queued-in-reverse.patch}).
 * A batch is linked in as a whole under the queue's lock, so the consumer sees all of it or none:
 * taking only the first goroutine ({@code 1, 23}), which one offer per goroutine allowed, is
 * forbidden now.
 */
@JCStressTest
@Description("A producer spills goroutines 1, 2, 3 into the global queue as one linked batch (putBatch) while "
        + "a consumer takes up to two of them in one claim (pollBatch), the way a carrier takes a batch. Result: "
        + "the ids the consumer got, and the ids left in the queue afterwards, each in the order the queue gave "
        + "them. Each goroutine must be taken exactly once, and in the batch's order: the queue is FIFO and a batch "
        + "is published in order, so the digits of both numbers read 1, 2, 3 from left to right; any other order "
        + "(\"0, 132\", \"21, 3\") is forbidden. A batch is published as a whole, so a take of part of it "
        + "(\"1, 23\") is forbidden too.")
@Outcome(id = "0, 123", expect = ACCEPTABLE, desc = "The consumer came first and found the queue empty.")
@Outcome(id = "12, 3", expect = ACCEPTABLE, desc = "The consumer took the first two.")
@Outcome(expect = FORBIDDEN, desc = "A goroutine was lost or taken twice, came out of the queue out of the batch's "
        + "order, or the consumer saw only part of the batch.")
@State
public class GlobalQueueBatchRacingTakeKeepsOrder {
    private final GlobalRunQueue global = new GlobalRunQueue();
    private final G g1 = Fixtures.g(1);
    private final G g2 = Fixtures.g(2);
    private final G g3 = Fixtures.g(3);
    private int consumed;

    @Actor
    public void producer() {
        g1.next = g2;
        g2.next = g3;
        global.putBatch(g1, g3, 3);
    }

    @Actor
    public void consumer() {
        for (G g = global.pollBatch(2); g != null; g = GlobalRunQueue.detachNext(g)) {
            consumed = consumed * 10 + (int) g.id;
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = consumed;
        r.r2 = Fixtures.drainInOrder(global);
    }
}
