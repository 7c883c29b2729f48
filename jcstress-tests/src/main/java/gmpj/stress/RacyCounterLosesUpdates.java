package gmpj.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A teaching example: the lost update, the bug that atomics and locks exist to prevent. Wrong on
 * purpose.
 *
 * <p>It runs no gmpj code, so it has no mutant: the race it shows is the expected (interesting)
 * outcome. It fails only on a result no interleaving of two increments can give (0, or more than
 * 2), which would mean the harness lost or invented an actor's write.
 * {@link MutexMutualExclusion} is the same counter made correct with a gmpj Mutex, and is the test
 * that fails when the Mutex does not exclude.
 */
@JCStressTest
@Description("Deliberately racy. Two threads each run counter++ once on a plain int. counter++ is three steps "
        + "(read, add, write), so both threads may read 0 and both write 1: one increment is lost. "
        + "An AtomicInteger's incrementAndGet, or a lock around the increment, makes 2 the only outcome. "
        + "Result: the counter after both increments.")
@Outcome(id = "2", expect = ACCEPTABLE, desc = "Both increments counted.")
@Outcome(id = "1", expect = ACCEPTABLE_INTERESTING, desc = "Lost update: both read 0 before either wrote.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: each thread adds exactly 1.")
@State
public class RacyCounterLosesUpdates {
    private int counter;

    @Actor
    public void first() {
        counter++;
    }

    @Actor
    public void second() {
        counter++;
    }

    @Arbiter
    public void arbiter(I_Result r) {
        r.r1 = counter;
    }
}
