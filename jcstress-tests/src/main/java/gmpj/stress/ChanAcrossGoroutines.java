package gmpj.stress;

import gmpj.sync.Chan;
import java.util.concurrent.CountDownLatch;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** ChanSendHappensBeforeReceive on the goroutine path: the waiting side parks as a goroutine. */
@JCStressTest
@Description("Drives a small scheduler (2 processors, shared by all samples). Each actor starts a goroutine: one "
        + "writes a plain int x = 1 and sends 1 on an unbuffered gmpj Chan, the other receives and then reads x. "
        + "The side that arrives first parks as a goroutine (unmounted, its carrier free) in the channel's queue "
        + "and is woken by the other: the path plain threads, which block in LockSupport, do not take. The arbiter "
        + "waits up to 5 s for both goroutines. Result: the value received, x as the receiver read it, and 1 if "
        + "both goroutines finished within 5 s (0: not; a late finish counts as lost, see Goroutines).")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Received, the write before the send visible, both goroutines done.")
@Outcome(id = "1, 0, 1", expect = FORBIDDEN, desc = "Received, but the write made before the send is not visible.")
@Outcome(id = ".*, .*, 0", expect = FORBIDDEN, desc = "A goroutine is lost: still parked on the channel, or dropped, or finished only after 5 s.")
@Outcome(expect = FORBIDDEN, desc = "Impossible.")
@State
public class ChanAcrossGoroutines {
    private final Chan<Integer> ch = new Chan<>();
    private final CountDownLatch done = new CountDownLatch(2);
    private int x;
    private volatile int received;
    private volatile int seenX;

    @Actor
    public void sender() {
        Goroutines.SCHEDULER.go(() -> {
            x = 1;
            ch.send(1);
            done.countDown();
        });
    }

    @Actor
    public void receiver() {
        Goroutines.SCHEDULER.go(() -> {
            received = ch.receive().value();
            seenX = x;
            done.countDown();
        });
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = Goroutines.finished(done) ? 1 : 0;
        r.r1 = received;
        r.r2 = seenX;
    }
}
