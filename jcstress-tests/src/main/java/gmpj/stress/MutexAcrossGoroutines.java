package gmpj.stress;

import gmpj.sync.Mutex;
import java.util.concurrent.CountDownLatch;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** MutexMutualExclusion on the goroutine path: contenders park as goroutines and free their carriers. */
@JCStressTest
@Description("Drives a small scheduler (2 processors, shared by all samples). Each actor starts a goroutine "
        + "that locks a gmpj Mutex, increments a plain int in two steps (read, pause a few microseconds, write plus one) and unlocks. "
        + "The two goroutines often run at once on the two carriers, so one spins or parks as a goroutine "
        + "(unmounted, its carrier free) and is woken by the other's unlock: the path that plain threads, "
        + "which block in LockSupport, do not take. The arbiter waits up to 5 s for both goroutines. "
        + "Result: the counter; 1 if both goroutines finished within 5 s (0: not; a late finish counts as lost, see Goroutines); 1 if a goroutine, holding the lock, "
        + "saw the other one queued (parked) for it.")
@Outcome(id = "2, 1, 0", expect = ACCEPTABLE, desc = "Both increments counted; neither saw the other queued (it spun, found the lock free, or queued later).")
@Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "Both increments counted; one goroutine parked and the other's unlock woke it.")
@Outcome(id = "1, 1, .", expect = FORBIDDEN, desc = "Lost update: both sections ran at once, or the second missed the first's write.")
@Outcome(id = ".*, 0, .", expect = FORBIDDEN, desc = "A goroutine is lost: still waiting for the mutex, or dropped, or finished only after 5 s.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: each section adds exactly 1.")
@State
public class MutexAcrossGoroutines {
    /**
     * Pauses between the read and the write: more than the 4 x 30 an arriving goroutine spins
     * (Mutex.SPIN_ROUNDS x PAUSES_PER_ROUND), so that a contender that arrives early gives up spinning
     * and parks. A few microseconds per sample.
     */
    private static final int HOLD_PAUSES = 200;

    private final Mutex mu = new Mutex();
    private final CountDownLatch done = new CountDownLatch(2);
    private int counter;
    /** Set by a goroutine that saw the other one queued while it held the lock. */
    private volatile boolean sawQueued;

    @Actor
    public void first() {
        Goroutines.SCHEDULER.go(this::increment);
    }

    @Actor
    public void second() {
        Goroutines.SCHEDULER.go(this::increment);
    }

    private void increment() {
        mu.lock();
        try {
            int read = counter;
            for (int i = 0; i < HOLD_PAUSES; i++) {
                Thread.onSpinWait();
            }
            counter = read + 1;
            if (mu.queuedWaiters() > 0) {
                sawQueued = true;
            }
        } finally {
            mu.unlock();
        }
        done.countDown();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r2 = Goroutines.finished(done) ? 1 : 0;
        r.r1 = counter;
        r.r3 = sawQueued ? 1 : 0;
    }
}
