package gmpj.stress;

import gmpj.sync.Cond;
import gmpj.sync.Mutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Cond: a signal sent under the lock after the condition changed always reaches a waiter that
 * checked it, and wakes it.
 *
 * <p>The waiter awaits once, not in a loop: with one waiter and one signal, {@code await} returns
 * only because it was signalled or because its time ran out, and its result says which. Both ways
 * of losing the signal fail: a signal that never reached the waiter's queue node ({@code await}
 * reports the timeout: {@code 3}), and a signal that granted the node but whose unpark was lost
 * ({@code await} times out, finds the grant and reports it as a signal, as it must; but only at its
 * deadline: {@code 2}, see {@link BoundedWait}).
 */
@JCStressTest
@Description("Driven from two plain threads. The waiter locks a gmpj Mutex and, if a plain boolean flag is "
        + "false, calls await() once on a Cond of that mutex (timed, 5 s), then unlocks. The signaller locks, "
        + "sets the flag, calls signal() and unlocks. A waiter queues itself before await() releases the lock, "
        + "so a signaller that gets the lock afterwards finds it queued: either the waiter sees the flag "
        + "without waiting, or the signal wakes it. Result: 1 if the waiter saw the flag at the end; how its wait "
        + "ended: 0 it did not wait, 1 signalled and back within the 5 s, 2 await() reported the signal but only "
        + "once its 5 s had run out (the signal's wake-up was lost), 3 await() timed out without a signal.")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The signaller went first; the waiter found the flag set.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The waiter waited and the signal woke it.")
@Outcome(id = ".*, 2", expect = FORBIDDEN, desc = "Lost wake-up: signalled, but await() returned only at its deadline.")
@Outcome(id = ".*, 3", expect = FORBIDDEN, desc = "Lost signal: await() timed out without being signalled.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: a signalled waiter holds the lock again and sees the flag.")
@State
public class CondSignalNotLost {
    private final Mutex mu = new Mutex();
    private final Cond cond = new Cond(mu);
    /** Guarded by {@link #mu}. */
    private boolean flag;

    @Actor
    public void waiter(II_Result r) {
        BoundedWait wait = BoundedWait.start();
        int ended = 0;
        mu.lock();
        try {
            if (!flag) {
                int verdict = wait.verdict(cond.await(wait.timeout()));
                ended = verdict == 0 ? 3 : verdict; // 0 would read as "did not wait"
            }
            r.r1 = flag ? 1 : 0;
        } finally {
            mu.unlock();
        }
        r.r2 = ended;
    }

    @Actor
    public void signaller() {
        mu.lock();
        try {
            flag = true;
            cond.signal();
        } finally {
            mu.unlock();
        }
    }
}
