package gmpj.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A teaching example: a "run once" built from a check and a separate act. Wrong on purpose.
 *
 * <p>It runs no gmpj code, so it has no mutant: running twice is the expected (interesting)
 * outcome. It fails only if neither thread ran the action ({@code 0, 0}), which no interleaving
 * allows: the first thread to read the volatile flag finds it false. {@link
 * OnceExactlyOnceAndVisible} is the correct version with a gmpj Once, and is the test that fails
 * when Once runs its action twice.
 */
@JCStressTest
@Description("Deliberately racy. Two threads each try to run an action once: if (!done) { done = true; act(); }. "
        + "volatile makes each read and write visible at once, but the check and the write are still two "
        + "steps, so both threads may see done == false and both act. An AtomicBoolean's "
        + "compareAndSet(false, true) makes check and write one indivisible step. "
        + "Result: 1 for each thread that ran the action.")
@Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "Exactly one thread ran the action.")
@Outcome(id = "1, 1", expect = ACCEPTABLE_INTERESTING, desc = "Both threads passed the check before either set the flag: the action ran twice.")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "Impossible: the first thread to check always finds done == false.")
@State
public class CheckThenActRunsTwice {
    private volatile boolean done;

    @Actor
    public void first(II_Result r) {
        if (!done) {
            done = true;
            r.r1 = 1;
        }
    }

    @Actor
    public void second(II_Result r) {
        if (!done) {
            done = true;
            r.r2 = 1;
        }
    }
}
