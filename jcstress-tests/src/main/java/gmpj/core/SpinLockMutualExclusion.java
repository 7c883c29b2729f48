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
 * The runtime's lock ({@link SpinLock}: timer heaps, the scheduler's lists, wait queues, channels)
 * gives mutual exclusion and orders its critical sections.
 *
 * <p>Two sections that overlap do not always lose an update (the second may read after the first
 * wrote), but they leave a trace: the lock was taken twice and so is freed twice, and the second
 * {@code unlock()} finds it free and throws. The test records that too.
 *
 * <p>Checked against broken code: with {@code lock()} taking a free-looking lock by a volatile read
 * and then a volatile store instead of one CAS, it reports the forbidden {@code 1, .} and
 * {@code ., 1} (see {@code jcstress-tests/mutants/SpinLockMutualExclusion.lock-check-then-store.patch}).
 */
@JCStressTest
@Description("Driven from two plain threads. Each thread takes a SpinLock, increments a plain int in two separate "
        + "steps (read, then write the value plus one) and frees the lock. Without the lock both may read 0 and both "
        + "write 1; with it the second section starts only after the first ended and sees its write, whether the "
        + "second thread found the lock free, spun, yielded or parked. Result: the counter after both sections, and "
        + "1 if an unlock() threw IllegalStateException (it found the lock free: both threads had held it at once).")
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Both increments counted.")
@Outcome(id = "1, .", expect = FORBIDDEN,
        desc = "Lost update: both sections ran at once, or the second missed the first's write.")
@Outcome(id = "., 1", expect = FORBIDDEN, desc = "An unlock found the lock free: both threads held it at once.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: each section adds exactly 1.")
@State
public class SpinLockMutualExclusion {
    private final SpinLock lock = new SpinLock();
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
        lock.lock();
        try {
            int read = counter;
            counter = read + 1;
        } finally {
            unlock();
        }
    }

    private void unlock() {
        try {
            lock.unlock();
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
