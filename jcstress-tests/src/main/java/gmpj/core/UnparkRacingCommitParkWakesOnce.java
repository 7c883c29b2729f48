package gmpj.core;

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
 * G's Dekker-style park protocol, driven by hand: the carrier's {@link G#commitPark} against
 * {@link G#unpark()}.
 */
@JCStressTest
@Description("A goroutine has yielded to park; its carrier now commits the park (state := WAITING, then read "
        + "the permit) while another thread unparks it (permit := 1, then read the state). Under sequential "
        + "consistency at least one side sees the other's write, and a CAS on the state lets exactly one of them "
        + "make the goroutine runnable. No carrier runs the goroutine: it belongs to a scheduler that was shut "
        + "down at once, whose global queue shows whether unpark readied it. "
        + "Result: 1 if commitPark left the goroutine parked (0: the carrier took it back to run it again), "
        + "1 if unpark readied it, its final state (0 runnable, 1 running, 2 waiting), 1 if the permit is "
        + "there for the goroutine's park to consume when it resumes.")
@Outcome(id = "0, 0, 0, 1", expect = ACCEPTABLE,
        desc = "The carrier saw the permit and kept the goroutine (unpark came first, or lost the CAS).")
@Outcome(id = "1, 1, 0, 1", expect = ACCEPTABLE,
        desc = "The park was committed; unpark found the goroutine WAITING and readied it.")
@Outcome(id = "1, 0, 2, 1", expect = FORBIDDEN,
        desc = "Lost wake-up: the permit is set but the goroutine stays parked and nobody will wake it.")
@Outcome(id = "0, 1, 0, 1", expect = FORBIDDEN,
        desc = "Double wake-up: the carrier runs the goroutine again and it is also queued to run.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome breaks the protocol.")
@State
public class UnparkRacingCommitParkWakesOnce {
    private final G g = ReadySink.runningG(1);
    private boolean stayedParked;

    @Actor
    public void carrier() {
        stayedParked = g.commitPark(null); // untimed park (no timer): no timer queue is touched
    }

    @Actor
    public void unparker() {
        g.unpark();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = stayedParked ? 1 : 0;
        r.r2 = ReadySink.wasReadied(g) ? 1 : 0;
        r.r3 = g.state();
        r.r4 = g.consumePermit() ? 1 : 0;
    }
}
