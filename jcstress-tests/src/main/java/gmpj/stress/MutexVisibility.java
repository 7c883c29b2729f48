package gmpj.stress;

import gmpj.sync.Mutex;
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
 * What one Mutex section writes, the next section sees whole: unlock releases, lock acquires.
 *
 * <p>On x86 the processor keeps stores in order and loads in order, so a torn read needs the
 * compiler to reorder the plain accesses, or the two sections to overlap. An overlap also shows
 * as a second unlock of an unlocked mutex, which throws; the test records that too.
 */
@JCStressTest
@Description("Driven from two plain threads. The writer locks a gmpj Mutex, writes two plain ints x = 1 and "
        + "y = 1, and unlocks. The reader locks the same mutex, reads x and y, and unlocks. The sections run "
        + "one after the other in either order, so the reader sees both writes or neither. Without the lock "
        + "(or with an unlock that did not release, or a lock that did not acquire) the compiler and the CPU "
        + "may reorder the plain accesses and the reader could see one write without the other. "
        + "Result: x and y as the reader saw them, and 1 if an unlock() threw IllegalStateException (it found "
        + "the mutex unlocked: both threads had held it at once).")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "The reader's section ran first.")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "The writer's section ran first.")
@Outcome(id = {"1, 0, .", "0, 1, ."}, expect = FORBIDDEN, desc = "Torn: the reader saw half of the writer's section.")
@Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "An unlock found the mutex unlocked: both threads held it at once.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: only 0 and 1 are ever written.")
@State
public class MutexVisibility {
    private final Mutex mu = new Mutex();
    private int x;
    private int y;
    private volatile boolean unlockThrew;

    @Actor
    public void writer() {
        mu.lock();
        try {
            x = 1;
            y = 1;
        } finally {
            unlock();
        }
    }

    @Actor
    public void reader(III_Result r) {
        mu.lock();
        try {
            r.r1 = x;
            r.r2 = y;
        } finally {
            unlock();
        }
    }

    private void unlock() {
        try {
            mu.unlock();
        } catch (IllegalStateException e) {
            unlockThrew = true;
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = unlockThrew ? 1 : 0;
    }
}
