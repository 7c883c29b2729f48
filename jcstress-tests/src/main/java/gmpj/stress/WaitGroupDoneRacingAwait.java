package gmpj.stress;

import gmpj.sync.WaitGroup;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * WaitGroup's last done() racing an await(): the release is never lost, wakes the waiter, and
 * publishes the task's writes.
 *
 * <p>A timed {@code await} whose release came but whose wake-up was lost still returns
 * {@code true}: it times out and finds the counter at zero. So the waiter also says whether its
 * {@code await} returned before its deadline ({@link BoundedWait}).
 */
@JCStressTest
@Description("Driven from two plain threads. The group starts with add(1). The task thread writes a plain int "
        + "(42), then calls done(), which brings the counter to zero. The waiting thread calls await() (bounded "
        + "at 5 s) and then reads the int. Whether await() finds the counter already zero (fast path) or queues "
        + "and is released by done(), it must return, and everything written before done() must be visible "
        + "after it. Correct use must never be reported as misuse (IllegalStateException). "
        + "Result: waiters the task thread saw just before its done() (1: the release path ran); "
        + "await: 1 returned before the 5 s ran out, 2 returned true only once they had run out (released, but "
        + "its wake-up was lost), 0 ran out of time, -1 threw; the int the waiter read.")
@Outcome(id = "0, 1, 42", expect = ACCEPTABLE, desc = "done() ran with nobody queued: await() then found the counter zero, before or under the queue lock.")
@Outcome(id = "1, 1, 42", expect = ACCEPTABLE, desc = "await() was queued when done() ran: done() released it.")
@Outcome(id = ".*, 2, .*", expect = FORBIDDEN, desc = "Lost wake-up: await() was released, but returned only at its deadline.")
@Outcome(id = ".*, 0, .*", expect = FORBIDDEN, desc = "Lost release: await() still waiting after 5 s.")
@Outcome(id = ".*, -1, .*", expect = FORBIDDEN, desc = "Correct use reported as misuse: await() threw IllegalStateException.")
@Outcome(expect = FORBIDDEN, desc = "await() returned but missed the write made before done(), or an impossible count.")
@State
public class WaitGroupDoneRacingAwait {
    private final WaitGroup wg = new WaitGroup();
    private int data;

    public WaitGroupDoneRacingAwait() {
        wg.add(1);
    }

    @Actor
    public void task(III_Result r) {
        data = 42;
        r.r1 = wg.waiters();
        wg.done();
    }

    @Actor
    public void waiter(III_Result r) {
        try {
            BoundedWait wait = BoundedWait.start();
            r.r2 = wait.verdict(wg.await(wait.timeout()));
        } catch (IllegalStateException e) {
            r.r2 = -1;
        }
        r.r3 = data;
    }
}
