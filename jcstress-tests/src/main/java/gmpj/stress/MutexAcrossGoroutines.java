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
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** MutexMutualExclusion on the goroutine path: contenders park as goroutines and free their carriers. */
@JCStressTest
@Description("Drives a small scheduler (2 processors, shared by all samples). Each actor starts a goroutine "
        + "that locks a gmpj Mutex, increments a plain int in two steps (read, pause a few microseconds, write plus one) and unlocks. "
        + "The two goroutines often run at once on the two carriers, so one spins or parks as a goroutine "
        + "(unmounted, its carrier free) and is woken by the other's unlock: the path that plain threads, "
        + "which block in LockSupport, do not take. The arbiter waits up to 65 s for both goroutines. "
        + "Result: the counter; 1 if both goroutines finished within 5 s (2: later, 0: not within 65 s); 1 if a goroutine, holding the lock, "
        + "saw the other one queued (parked) for it.")
@Outcome(id = "2, 1, 0", expect = ACCEPTABLE, desc = "Both increments counted; neither saw the other queued (it spun, found the lock free, or queued later).")
@Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "Both increments counted; one goroutine parked and the other's unlock woke it.")
@Outcome(id = "2, 2, .", expect = ACCEPTABLE_INTERESTING, desc = "Both increments counted, but a goroutine finished only after 5 s (within 65 s): not lost, since a lost wake-up never ends, but the test JVM was starved of CPU (a loaded machine)")
@Outcome(id = "1, [12], .", expect = FORBIDDEN, desc = "Lost update: both sections ran at once, or the second missed the first's write.")
@Outcome(id = ".*, 0, .", expect = FORBIDDEN, desc = "A goroutine is lost: still waiting for the mutex, or dropped, after 65 s.")
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
        int finished = Goroutines.finished(done);
        r.r1 = counter;
        r.r2 = finished;
        r.r3 = sawQueued ? 1 : 0;
    }
}
