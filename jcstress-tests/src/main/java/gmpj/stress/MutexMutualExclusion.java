package gmpj.stress;

import gmpj.sync.Mutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** Mutex gives mutual exclusion: RacyCounterLosesUpdates, fixed with a gmpj Mutex. */
@JCStressTest
@Description("Driven from two plain threads. Each thread locks a gmpj Mutex, increments a plain int in two "
        + "separate steps (read, then write the value plus one) and unlocks. Without the lock both may read 0 "
        + "and both write 1 (see RacyCounterLosesUpdates); with it the second section starts only after the "
        + "first ended and sees its write, whether the second thread spun, parked or found the lock free. "
        + "Result: the counter after both sections.")
@Outcome(id = "2", expect = ACCEPTABLE, desc = "Both increments counted.")
@Outcome(id = "1", expect = FORBIDDEN, desc = "Lost update: both sections ran at once, or the second missed the first's write.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: each section adds exactly 1.")
@State
public class MutexMutualExclusion {
    private final Mutex mu = new Mutex();
    private int counter;

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
            mu.unlock();
        }
    }

    @Arbiter
    public void arbiter(I_Result r) {
        r.r1 = counter;
    }
}
