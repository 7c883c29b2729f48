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
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** The parking protocol of {@link Parking}, end to end, with real goroutines on a small scheduler. */
@JCStressTest
@Description("Drives a small scheduler (2 processors, shared by all samples). One actor starts a goroutine "
        + "that publishes itself as a waiter and then parks until a flag is set; the other actor sets the flag "
        + "and unparks the waiter if it has been published. Either the goroutine sees the flag, or the unparker "
        + "sees the waiter and its unpark reaches the goroutine, however it interleaves with the park. "
        + "Result: 1 if the unparker saw the waiter (and unparked it), 1 if the goroutine finished within 5 s (0: not; a late finish counts as lost, see Goroutines).")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The goroutine had not published itself yet; it then saw the flag.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The unparker unparked the goroutine, before or during its park.")
@Outcome(id = "., 0", expect = FORBIDDEN, desc = "Lost wake-up: the goroutine is still parked after 5 s (or finished only later).")
@State
public class UnparkRacingParkIsNeverLost {
    private volatile boolean ready;
    private volatile Waiter waiter;
    private final CountDownLatch done = new CountDownLatch(1);

    @Actor
    public void starter() {
        Goroutines.SCHEDULER.go(this::parkUntilReady);
    }

    private void parkUntilReady() {
        waiter = Parking.currentWaiter();
        while (!ready) {
            Parking.park(WaitReason.PARK);
        }
        done.countDown();
    }

    @Actor
    public void unparker(II_Result r) {
        ready = true;
        Waiter w = waiter;
        if (w != null) {
            w.unpark();
        }
        r.r1 = w != null ? 1 : 0;
    }

    @Arbiter
    public void arbiter(II_Result r) {
        boolean finished = Goroutines.finished(done);
        r.r2 = finished ? 1 : 0;
        if (finished) {
            waiter = null; // see TimedParkRacingUnparkIsNeverLost.arbiter
        }
    }
}
