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

/**
 * A timed park whose timer races an unpark, end to end, with real goroutines on a small scheduler.
 *
 * <p>Why a timed park cannot end early without an unpark ({@code 0, 1, .} is forbidden): the
 * goroutine is new in every sample, so its permit starts at 0, and only this sample's unparker
 * can reach its {@code Waiter}, and does so only if it read it ({@code 1, ., .}). {@code
 * Parking.parkNanos} reports whether the deadline is still ahead when the park ends. A goroutine's
 * park ends by taking a permit, which only an unpark leaves; or by its timer, which a carrier fires
 * only once the deadline has passed ({@code TimerQueue.pollExpired} takes a timer whose deadline is
 * at or before the carrier's clock reading), so the park then reports {@code false}; a pinned park
 * blocks its carrier in a loop that ends on a permit or on the deadline, so a spurious return of
 * the carrier's own park is absorbed there. Nothing else makes the goroutine runnable.
 *
 * <p>What it catches: an unpark lost while a park is committed
 * ({@code mutants/UnparkRacingParkIsNeverLost.commit-without-permit-recheck.patch}), here in the
 * untimed park that follows the timed one. What it does not catch in quick mode: a double wake-up
 * from a timer that readies the goroutine with a check and a plain store instead of a
 * compare-and-set ({@code mutants/TimedParkRacingUnparkIsNeverLost.timer-wake-not-atomic.patch}:
 * none in 12.5 million samples). For that the unpark's compare-and-set must land between the
 * timer's read and its store, a window of a few instructions, and the unpark ends the timed park
 * first in only about 1 sample in 100,000 ({@code 1, 1, 1}): most unparks come after the 20 µs
 * timer has fired. The timer protocol itself is driven by hand, without waiting on real timing, in
 * {@code gmpj.core.TimedParkRacingUnparkWakesOnce}.
 */
@JCStressTest
@Description("Drives a small scheduler (2 processors, shared by all samples). One actor starts a goroutine "
        + "that publishes itself as a waiter, parks for at most " + TimedParkRacingUnparkIsNeverLost.TIMEOUT_NANOS
        + " ns, then parks without a timeout until a flag is set; the other actor sets the flag and unparks "
        + "the waiter if it has been published. The timer and the unpark race to end the timed park; each park "
        + "must end exactly once (a double wake-up makes a carrier fail on the goroutine's state and drop it), "
        + "and neither may swallow the other's wake-up. "
        + "Result: 1 if the unparker saw the waiter, 1 if the timed park returned before its deadline, "
        + "1 if the goroutine finished within 5 s (0: not; a late finish counts as lost, see Goroutines).")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The unpark ended the timed park early.")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "The unparker saw the waiter, but the timed park ran to its deadline (the timer won, or the unpark came later).")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "The goroutine had not published itself; it timed out, then saw the flag.")
@Outcome(id = "0, 1, .", expect = FORBIDDEN,
        desc = "The timed park ended before its deadline, but no unpark was issued (see the class comment: impossible).")
@Outcome(id = "., ., 0", expect = FORBIDDEN, desc = "Lost goroutine: still parked after 5 s, or dropped by its carrier, or finished only later.")
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
        boolean finished = Goroutines.finished(done);
        r.r2 = endedEarly ? 1 : 0;
        r.r3 = finished ? 1 : 0;
        if (finished) {
            // Drop the finished goroutine: jcstress sizes its batches of test states by their size
            // before the actors run, and a state still holding its goroutine (and the goroutine's
            // continuation) after the sample is several times larger. Holding them ran a
            // "default"-mode fork (256 MB heap, 10,240 states per batch) out of memory.
            waiter = null;
        }
    }
}
