package gmpj.stress;

import gmpj.core.Parking;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
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

/** A timed park whose timer races an unpark, end to end, with real goroutines on a small scheduler. */
@JCStressTest
@Description("Drives a small scheduler (2 processors, shared by all samples). One actor starts a goroutine "
        + "that publishes itself as a waiter, parks for at most " + TimedParkRacingUnparkIsNeverLost.TIMEOUT_NANOS
        + " ns, then parks without a timeout until a flag is set; the other actor sets the flag and unparks "
        + "the waiter if it has been published. The timer and the unpark race to end the timed park; each park "
        + "must end exactly once (a double wake-up makes a carrier fail on the goroutine's state and drop it), "
        + "and neither may swallow the other's wake-up. "
        + "Result: 1 if the unparker saw the waiter, 1 if the timed park returned before its deadline, "
        + "1 if the goroutine finished within 5 s (2: later, 0: not within 65 s).")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The unpark ended the timed park early.")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "The unparker saw the waiter, but the timed park ran to its deadline (the timer won, or the unpark came later).")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "The goroutine had not published itself; it timed out, then saw the flag.")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "A spurious early return (the API allows it, but nothing here should cause one).")
@Outcome(id = "., ., 2", expect = ACCEPTABLE_INTERESTING, desc = "The goroutine finished only after 5 s (within 65 s): not lost, since a lost wake-up never ends, but the test JVM was starved of CPU (a loaded machine)")
@Outcome(id = "., ., 0", expect = FORBIDDEN, desc = "Lost goroutine: still parked after 65 s, or dropped by its carrier.")
@State
public class TimedParkRacingUnparkIsNeverLost {
    /** Short enough that the timer often fires while the unpark is in flight. */
    static final long TIMEOUT_NANOS = 20_000;

    private volatile boolean ready;
    private volatile Waiter waiter;
    private volatile boolean endedEarly;
    private final CountDownLatch done = new CountDownLatch(1);

    @Actor
    public void starter() {
        Goroutines.SCHEDULER.go(this::parkBrieflyThenUntilReady);
    }

    private void parkBrieflyThenUntilReady() {
        waiter = Parking.currentWaiter();
        endedEarly = Parking.parkNanos(WaitReason.PARK, TIMEOUT_NANOS);
        while (!ready) {
            Parking.park(WaitReason.PARK);
        }
        done.countDown();
    }

    @Actor
    public void unparker(III_Result r) {
        ready = true;
        Waiter w = waiter;
        if (w != null) {
            w.unpark();
        }
        r.r1 = w != null ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        int finished = Goroutines.finished(done);
        r.r2 = endedEarly ? 1 : 0;
        r.r3 = finished;
        if (finished != Goroutines.LOST) {
            // Drop the finished goroutine: jcstress sizes its batches of test states by their size
            // before the actors run, and a state still holding its goroutine (and the goroutine's
            // continuation) after the sample is several times larger. Holding them ran a
            // "default"-mode fork (256 MB heap, 10,240 states per batch) out of memory.
            waiter = null;
        }
    }
}
