package gmpj.stress;

import gmpj.sync.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
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
 * A one-unit Semaphore: tryAcquire admits one holder at a time, and the unit comes back every
 * time.
 *
 * <p>Two holders at once seldom see each other inside (the holding is two atomic steps), but the
 * semaphore's own books catch them: both release, and the second release finds more released than
 * held and throws. The test records that too.
 */
@JCStressTest
@Description("Driven from two plain threads. A gmpj Semaphore of one unit. Each thread calls tryAcquire(1), "
        + "which never waits; if it got the unit, it counts itself in an AtomicInteger of holders, counts itself "
        + "out, and releases the unit. The first tryAcquire always finds the unit free; the second succeeds if "
        + "the first holder has released it, and fails if it is still held. Two holders at once, or a unit "
        + "that does not come back, is a bug. Result: 1 per thread that got the unit; 1 if a holder saw another "
        + "holder inside, 2 if a release threw IllegalStateException (released more than held: the unit had "
        + "been granted twice); and the units available at the end.")
@Outcome(id = "1, 1, 0, 1", expect = ACCEPTABLE, desc = "One after the other: both got the unit in turn.")
@Outcome(id = {"1, 0, 0, 1", "0, 1, 0, 1"}, expect = ACCEPTABLE, desc = "One tried while the other held the unit, and failed.")
@Outcome(id = ".*, .*, 1, .*", expect = FORBIDDEN, desc = "Two holders at once.")
@Outcome(id = ".*, .*, 2, .*", expect = FORBIDDEN, desc = "A release was refused as more than held: the unit was granted twice.")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "Both failed: the free unit was not granted to the first caller.")
@Outcome(expect = FORBIDDEN, desc = "The unit did not come back (available is not 1).")
@State
public class SemaphoreNoUnitLost {
    private final Semaphore sem = new Semaphore(1);
    private final AtomicInteger holders = new AtomicInteger();
    private volatile boolean overlap;
    private volatile boolean releaseThrew;

    @Actor
    public void first(IIII_Result r) {
        r.r1 = useIfFree() ? 1 : 0;
    }

    @Actor
    public void second(IIII_Result r) {
        r.r2 = useIfFree() ? 1 : 0;
    }

    private boolean useIfFree() {
        if (!sem.tryAcquire(1)) {
            return false;
        }
        if (holders.incrementAndGet() != 1) {
            overlap = true;
        }
        holders.decrementAndGet();
        try {
            sem.release(1);
        } catch (IllegalStateException e) {
            releaseThrew = true;
        }
        return true;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r3 = overlap ? 1 : releaseThrew ? 2 : 0;
        r.r4 = (int) sem.available();
    }
}
