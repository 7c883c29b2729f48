package gmpj.stress;

import gmpj.sync.Cond;
import gmpj.sync.Mutex;
import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** Cond: a signal sent under the lock after the condition changed always reaches a waiter that checked it. */
@JCStressTest
@Description("Driven from two plain threads. The waiter locks a gmpj Mutex and, while a plain boolean flag is "
        + "false, calls await() on a Cond of that mutex (timed, 5 s in all), then unlocks. The signaller locks, "
        + "sets the flag, calls signal() and unlocks. A waiter queues itself before await() releases the lock, "
        + "so a signaller that gets the lock afterwards finds it queued: either the waiter sees the flag "
        + "without waiting, or it is woken. A lost signal leaves the waiter waiting out its 5 s. "
        + "Result: 1 if the waiter saw the flag (0 if the 5 s ran out), 1 if it had to wait at least once.")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The signaller went first; the waiter found the flag set.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The waiter waited and the signal woke it.")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "Lost signal: the flag was never seen within 5 s.")
@Outcome(expect = FORBIDDEN, desc = "Impossible.")
@State
public class CondSignalNotLost {
    private final Mutex mu = new Mutex();
    private final Cond cond = new Cond(mu);
    /** Guarded by {@link #mu}. */
    private boolean flag;

    @Actor
    public void waiter(II_Result r) {
        long deadline = System.nanoTime() + BoundedWait.limit().toNanos();
        boolean waited = false;
        mu.lock();
        try {
            for (long left; !flag && (left = deadline - System.nanoTime()) > 0; ) {
                waited = true;
                cond.await(Duration.ofNanos(left));
            }
            r.r1 = BoundedWait.record(flag) ? 1 : 0;
        } finally {
            mu.unlock();
        }
        r.r2 = waited ? 1 : 0;
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
