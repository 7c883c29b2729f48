package gmpj.stress;

import gmpj.sync.Mutex;
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
 * Mutex gives mutual exclusion: RacyCounterLosesUpdates, fixed with a gmpj Mutex.
 *
 * <p>Two sections that overlap do not always lose an update (the second may read after the first
 * wrote), but they always leave a trace: the mutex was locked twice and so is unlocked twice, and
 * the second unlock finds it unlocked and throws. The test records that too.
 */
@JCStressTest
@Description("Driven from two plain threads. Each thread locks a gmpj Mutex, increments a plain int in two "
        + "separate steps (read, then write the value plus one) and unlocks. Without the lock both may read 0 "
        + "and both write 1 (see RacyCounterLosesUpdates); with it the second section starts only after the "
        + "first ended and sees its write, whether the second thread spun, parked or found the lock free. "
        + "Result: the counter after both sections, and 1 if an unlock() threw IllegalStateException (it found "
        + "the mutex unlocked: both threads had held it at once).")
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Both increments counted.")
@Outcome(id = "1, .", expect = FORBIDDEN, desc = "Lost update: both sections ran at once, or the second missed the first's write.")
@Outcome(id = "., 1", expect = FORBIDDEN, desc = "An unlock found the mutex unlocked: both threads held it at once.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: each section adds exactly 1.")
@State
public class MutexMutualExclusion {
    private final Mutex mu = new Mutex();
    private int counter;
    private volatile boolean unlockThrew;

    @Actor
    public void first() {
        increment();
    }

    @Actor
    public void second() {
        increment();
    }

    private void increment() {
        mu.lock();
        try {
            int read = counter;
            counter = read + 1;
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
    public void arbiter(II_Result r) {
        r.r1 = counter;
        r.r2 = unlockThrew ? 1 : 0;
    }
}
