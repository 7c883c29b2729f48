package gmpj.stress;

import gmpj.sync.Mutex;
import java.util.function.BooleanSupplier;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Mutex starvation mode, end to end: a waiter that waited past 1 ms and lost again gets the lock
 * handed to it, and is woken to take it.
 *
 * <p>The waiter locks with a timed {@code tryLock}, so that a lost wake-up ends the sample instead
 * of hanging the fork. A hand-off whose wake-up was lost still makes that {@code tryLock} return
 * {@code true} (it times out and finds the lock handed to it, as it must); so the waiter also says
 * whether it returned before its deadline ({@link BoundedWait}).
 */
@JCStressTest
@Description("Driven from two plain threads; each sample costs a little over 1 ms. The mutex starts locked. "
        + "The waiter calls tryLock() with a 5 s timeout and queues. The holder waits until the waiter is queued, "
        + "then 1.2 ms more (past Mutex.STARVATION_THRESHOLD_NANOS), unlocks (which wakes the waiter to compete) "
        + "and at once locks again, beating the waiter, which is still waking up. The holder keeps the lock until "
        + "the waiter, having waited over 1 ms and lost, has queued again and switched the mutex to starvation "
        + "mode; then it increments a plain counter and unlocks, which must hand the lock straight to the "
        + "waiter and, the waiter being the last one queued, leave starvation mode. The waiter increments the "
        + "counter too. On an idle core the woken waiter is sometimes running before the holder's unpark call "
        + "has returned and wins the lock; that sample shows no starvation, which is correct too. Result: 1 if "
        + "the holder's waits for the waiter ended within 5 s; the waiter's tryLock: 1 got the lock before its "
        + "5 s ran out, 2 got it only once they had run out (it was woken or handed the lock, but the wake-up "
        + "was lost), 0 did not get it; hand-offs; the counter; times the mutex entered starvation mode; 1 if it "
        + "ends unlocked, in normal mode, as often left as entered.")
@Outcome(id = "1, 1, 1, 2, 1, 1", expect = ACCEPTABLE, desc = "The starving waiter was handed the lock; starvation mode was entered and left.")
@Outcome(id = "1, 1, 0, 2, 0, 1", expect = ACCEPTABLE,
        desc = "The woken waiter was running before the holder's unpark call returned, and took the lock first: no starvation.")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "The waiter never queued, or never turned the mutex starving, within 5 s (a lost wake-up leaves it parked).")
@Outcome(id = ".*, 2, .*", expect = FORBIDDEN, desc = "Lost wake-up: the waiter got the lock, but only at its deadline.")
@Outcome(id = ".*, 0, .*", expect = FORBIDDEN, desc = "The waiter did not get the lock within 5 s.")
@Outcome(id = ".*, .*, .*, 1, .*, .*", expect = FORBIDDEN, desc = "Lost update: both sections ran at once.")
@Outcome(expect = FORBIDDEN, desc = "A hand-off without starvation (or the reverse), or the mutex left locked or starving.")
@State
public class MutexStarvationHandsOff {
    /** Past the threshold by a margin, so that the waiter's own clock also finds it has starved. */
    private static final long STARVE_NANOS = Mutex.STARVATION_THRESHOLD_NANOS + 200_000;

    private final Mutex mu = new Mutex();
    private int counter;
    /** Written by the waiter inside its section; read by the holder, which stops waiting for it then. */
    private volatile boolean waiterDone;

    public MutexStarvationHandsOff() {
        mu.lock();
    }

    @Actor
    public void waiter(IIIIII_Result r) {
        BoundedWait wait = BoundedWait.start();
        boolean locked = mu.tryLock(wait.timeout());
        r.r2 = wait.verdict(locked);
        if (locked) {
            try {
                int read = counter;
                counter = read + 1;
                waiterDone = true;
            } finally {
                mu.unlock();
            }
        }
    }

    @Actor
    public void holder(IIIIII_Result r) {
        BoundedWait wait = BoundedWait.start();
        long deadline = wait.deadline();
        boolean inTime = spinUntil(deadline, () -> mu.queuedWaiters() > 0);
        long queuedAt = System.nanoTime();
        spinUntil(queuedAt + STARVE_NANOS, () -> false);
        mu.unlock();
        mu.lock();
        try {
            inTime &= spinUntil(deadline, () -> mu.isStarving() || waiterDone);
            int read = counter;
            counter = read + 1;
        } finally {
            mu.unlock();
        }
        r.r1 = wait.endedInTime(inTime) ? 1 : 0;
    }

    /** Spins until {@code condition} holds (true) or {@code deadline} passes (false). */
    private static boolean spinUntil(long deadline, BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Arbiter
    public void arbiter(IIIIII_Result r) {
        r.r3 = (int) mu.handoffs();
        r.r4 = counter;
        r.r5 = (int) mu.starvationEntries();
        r.r6 = !mu.isLocked() && !mu.isStarving() && mu.starvationExits() == mu.starvationEntries() ? 1 : 0;
    }
}
