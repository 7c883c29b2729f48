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
 * The global queue's lanes: a put into one lane racing a take that, finding its own lane empty,
 * looks at the others. The queue of two processors holds goroutine 1 in processor 0's lane; a
 * submitter from outside queues goroutines 2, 3 into the outside lane while processor 1 takes up to
 * two. The take must find whichever lane is non-empty when it holds the lock (the outside lane
 * before processor 0's), and the size, which the idle protocol reads without the lock, must count
 * exactly what is left in every lane. Checked against a take that writes the size of the lane it
 * took from instead of the total
 * ({@code jcstress-tests/mutants/GlobalQueueLanesPutRacingTakeLosesNothing.size-of-one-lane.patch}).
 */
@JCStressTest
@Description("A global queue with lanes for processors 0 and 1 holds goroutine 1 in lane 0. A submitter puts "
        + "goroutines 2, 3 into the outside lane while processor 1 takes up to two (pollBatch with its own lane). "
        + "Result: the ids processor 1 got, the ids left (drained outside lane first), and size() before the drain.")
@Outcome(id = "23, 1, 1", expect = ACCEPTABLE,
        desc = "The put came first: the take found its own lane empty and took the outside lane before lane 0.")
@Outcome(id = "1, 23, 2", expect = ACCEPTABLE,
        desc = "The take came first: only lane 0 had work; the batch was queued behind nothing.")
@Outcome(expect = FORBIDDEN, desc = "A goroutine was lost or taken twice, came out of order, or the size does not "
        + "count what is queued.")
@State
public class GlobalQueueLanesPutRacingTakeLosesNothing {
    private final GlobalRunQueue global = new GlobalRunQueue(2);
    private final G g2 = Fixtures.g(2);
    private final G g3 = Fixtures.g(3);
    private int consumed;

    public GlobalQueueLanesPutRacingTakeLosesNothing() {
        G g1 = Fixtures.g(1);
        global.putBatch(g1, g1, 1, 0);
    }

    @Actor
    public void submitter() {
        g2.next = g3;
        global.putBatch(g2, g3, 2);
    }

    @Actor
    public void processor1() {
        for (G g = global.pollBatch(2, 1); g != null; g = GlobalRunQueue.detachNext(g)) {
            consumed = consumed * 10 + (int) g.id;
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = consumed;
        r.r3 = global.size();
        r.r2 = Fixtures.drainInOrder(global);
    }
}
