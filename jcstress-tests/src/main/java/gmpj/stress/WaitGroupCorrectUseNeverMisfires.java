package gmpj.stress;

import gmpj.sync.WaitGroup;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * WaitGroup's misuse checks (negative counter, add racing await, reuse) never fire on correct use,
 * and a release is never lost.
 *
 * <p>A timed {@code await} whose release came but whose wake-up was lost still returns
 * {@code true}: it times out and finds the counter at zero. So each thread also says whether its
 * {@code await} returned before its deadline ({@link BoundedWait}).
 */
@JCStressTest
@Description("Driven from two plain threads. The group starts with add(2). Each thread calls done() and then "
        + "await() (bounded at 5 s): the first to finish may queue as a waiter, and the other's done() releases "
        + "it while that other thread goes on to its own await(). Every step is correct use, so none of the "
        + "misuse checks (negative counter, add racing await, group reused before await returned) may fire, and "
        + "the group must end empty. Result per thread: 1 if done() and await() returned before the 5 s ran "
        + "out, 2 if await() returned true only once they had run out (released, but its wake-up was lost), 0 if "
        + "await() ran out of time, -1 if either threw IllegalStateException; then the counter and the waiters "
        + "left afterwards.")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "Both returned in time; the group is empty.")
@Outcome(id = {"-1, .*", ".*, -1, .*, .*"}, expect = FORBIDDEN, desc = "Correct use reported as misuse.")
@Outcome(id = {"2, .*", ".*, 2, .*, .*"}, expect = FORBIDDEN, desc = "Lost wake-up: an await() was released, but returned only at its deadline.")
@Outcome(id = {"0, .*", ".*, 0, .*, .*"}, expect = FORBIDDEN, desc = "Lost release: an await() still waiting after 5 s.")
@Outcome(expect = FORBIDDEN, desc = "The group was left with a counter or waiters.")
@State
public class WaitGroupCorrectUseNeverMisfires {
    private final WaitGroup wg = new WaitGroup();

    public WaitGroupCorrectUseNeverMisfires() {
        wg.add(2);
    }

    @Actor
    public void first(IIII_Result r) {
        r.r1 = doneThenAwait();
    }

    @Actor
    public void second(IIII_Result r) {
        r.r2 = doneThenAwait();
    }

    private int doneThenAwait() {
        try {
            wg.done();
            BoundedWait wait = BoundedWait.start();
            return wait.verdict(wg.await(wait.timeout()));
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r3 = wg.counter();
        r.r4 = wg.waiters();
    }
}
