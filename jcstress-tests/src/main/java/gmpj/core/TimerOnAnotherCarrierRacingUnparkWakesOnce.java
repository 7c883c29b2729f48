package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A timed park, driven by hand: the carrier commits it and arms its timer, another thread unparks
 * the goroutine, and a third fires due timers as another carrier's {@code Timers.fireAll} does. Three
 * actors: jcstress runs it only on machines with at least three CPUs; its two-actor companion
 * {@link TimedParkRacingUnparkWakesOnce} runs everywhere.
 */
@JCStressTest
@Description("Needs 3 CPUs. A goroutine has yielded for a timed park whose deadline has already passed. "
        + "Three parties race to end the park: its carrier committing it (it takes the goroutine back if the permit is already "
        + "there), an unparker, and a carrier firing due timers (wakeFromTimer succeeds only for the park "
        + "generation the timer was armed for). Afterwards the goroutine resumes as Parking.parkG does: takes "
        + "the permit and cancels its timer. No carrier runs it: it belongs to a scheduler shut down at once. "
        + "Result: 1 if commitPark left it parked (0: the carrier kept it), 1 if unpark readied it, the timer "
        + "(0 not due yet when looked at, 1 fired and woke it, 2 fired but woke nobody), its state after the "
        + "race (0 runnable, 2 waiting), timers still armed after it resumed. Exactly one party may wake it.")
@Outcome(id = "0, 0, 0, 0, 0", expect = ACCEPTABLE,
        desc = "The unpark came first: the carrier saw the permit and kept the goroutine; the timer was not due yet.")
@Outcome(id = "0, 0, 2, 0, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "The carrier kept the goroutine; its timer fired anyway and, being for a park already over, woke nobody.")
@Outcome(id = "1, 1, 0, 0, 0", expect = ACCEPTABLE, desc = "The unparker woke the parked goroutine; no timer fired.")
@Outcome(id = "1, 1, 2, 0, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "The unparker woke it; the timer fired after and woke nobody.")
@Outcome(id = "1, 0, 1, 0, 0", expect = ACCEPTABLE,
        desc = "The timer woke it; the unpark only left its permit (for the goroutine to take).")
@Outcome(id = "1, 1, 1, 0, .*", expect = FORBIDDEN, desc = "Double wake-up: both the unparker and the timer readied it.")
@Outcome(id = "1, 0, [02], 2, .*", expect = FORBIDDEN, desc = "Lost wake-up: the goroutine stays parked for good.")
@Outcome(id = ".*, [1-9]", expect = FORBIDDEN, desc = "A timer is still armed after its park ended.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome breaks the protocol.")
@State
public class TimerOnAnotherCarrierRacingUnparkWakesOnce {
    private final TimerQueue timers = new TimerQueue();
    private final G g = timedParker();
    private boolean stayedParked;
    private int timer;

    private static G timedParker() {
        G g = ReadySink.runningG(1);
        g.timer = new TimerQueue.Timer(1, g); // as Parking.parkG before it yields; the timer actor treats every timer as due
        return g;
    }

    @Actor
    public void carrier() {
        stayedParked = g.commitPark(timers);
    }

    @Actor
    public void unparker() {
        g.unpark();
    }

    @Actor
    public void timerFirer() {
        TimerQueue.Timer t = timers.pollExpired(Long.MAX_VALUE); // as if the deadline had long passed
        timer = t == null ? 0 : t.g.wakeFromTimer(t.gen) ? 1 : 2;
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        r.r1 = stayedParked ? 1 : 0;
        r.r2 = ReadySink.wasReadied(g) ? 1 : 0;
        r.r3 = timer;
        r.r4 = g.state();
        g.consumePermit();
        TimerQueue.Timer t = g.timer;
        if (t != null) {
            g.timer = null;
            timers.cancel(t);
        }
        r.r5 = timers.size();
    }
}
