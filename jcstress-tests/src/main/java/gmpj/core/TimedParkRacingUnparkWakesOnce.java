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
 * A timed park, driven by hand: the carrier commits it, arms its timer and then fires due timers
 * (a carrier's {@code execute} followed by {@code findRunnable}'s {@code Timers.fireAll}), while
 * another thread unparks the goroutine.
 */
@JCStressTest
@Description("A goroutine has yielded for a timed park whose deadline has already passed. Its carrier commits "
        + "the park (arming the timer; it takes the goroutine back if the permit is already there) and then "
        + "fires due timers, which finds this one; meanwhile another thread unparks the goroutine. The timer "
        + "wakes only the park generation it was armed for, and the state CAS lets one party wake the goroutine. "
        + "Afterwards it resumes as Parking.parkG does: takes the permit and cancels its timer. No carrier runs "
        + "it: it belongs to a scheduler shut down at once. "
        + "Result: 1 if commitPark left it parked (0: the carrier kept it), 1 if unpark readied it, the timer "
        + "(1 fired and woke it, 2 fired but woke nobody), its state after the race (0 runnable, 2 waiting), "
        + "timers still armed after it resumed.")
@Outcome(id = "0, 0, 2, 0, 0", expect = ACCEPTABLE,
        desc = "The unpark came first: the carrier kept the goroutine; its timer, for a park already over, woke nobody.")
@Outcome(id = "1, 1, 2, 0, 0", expect = ACCEPTABLE, desc = "The unparker woke it; the timer fired after and woke nobody.")
@Outcome(id = "1, 0, 1, 0, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "The timer woke it first; the unpark only left its permit (for the goroutine to take).")
@Outcome(id = "1, 1, 1, 0, .*", expect = FORBIDDEN, desc = "Double wake-up: both the unparker and the timer readied it.")
@Outcome(id = "1, 0, 2, 2, .*", expect = FORBIDDEN, desc = "Lost wake-up: the goroutine stays parked for good.")
@Outcome(id = ".*, [1-9]", expect = FORBIDDEN, desc = "A timer is still armed after its park ended.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome breaks the protocol.")
@State
public class TimedParkRacingUnparkWakesOnce {
    private final TimerQueue timers = new TimerQueue();
    private final G g = timedParker();
    private boolean stayedParked;
    private int timer;

    private static G timedParker() {
        G g = ReadySink.runningG(1);
        g.timer = new TimerQueue.Timer(1, g); // as Parking.parkG before it yields; the carrier treats every timer as due
        return g;
    }

    @Actor
    public void carrier() {
        stayedParked = g.commitPark(timers);
        TimerQueue.Timer t = timers.pollExpired(Long.MAX_VALUE); // as if the deadline had long passed
        timer = t == null ? 0 : t.g.wakeFromTimer(t.gen) ? 1 : 2;
    }

    @Actor
    public void unparker() {
        g.unpark();
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
