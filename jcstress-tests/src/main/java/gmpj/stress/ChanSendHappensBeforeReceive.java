package gmpj.stress;

import gmpj.sync.Chan;
import gmpj.sync.Received;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** Go's memory model: a send on a channel happens before the corresponding receive completes. */
@JCStressTest
@Description("Driven from two plain threads over an unbuffered gmpj Chan. The sender writes two plain ints "
        + "x = 1, y = 1, then sends 1 (waiting at most 5 s). The receiver receives (waiting at most 5 s), then reads y and x. Whichever "
        + "side arrives first waits in the channel's queue and the other serves it, so both hand-off paths "
        + "run: a sender handing its value to a queued receiver, and a receiver taking a queued sender's value. "
        + "Result: the value received (0 if none came within 5 s), then y and x as a two-digit number.")
@Outcome(id = "1, 11", expect = ACCEPTABLE, desc = "Received, and the sender's earlier writes are visible.")
@Outcome(id = {"1, 0", "1, 1", "1, 10"}, expect = FORBIDDEN, desc = "Received, but a write made before the send is not visible: no happens-before edge.")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "Nothing received within 5 s: a lost wake-up or a lost value.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: only 1 is ever sent.")
@State
public class ChanSendHappensBeforeReceive {
    private final Chan<Integer> ch = new Chan<>();
    private int x;
    private int y;

    @Actor
    public void sender() {
        x = 1;
        y = 1;
        BoundedWait.record(ch.send(1, BoundedWait.limit()));
    }

    @Actor
    public void receiver(II_Result r) {
        Received<Integer> got = ch.receive(BoundedWait.limit());
        BoundedWait.record(got.ok());
        r.r1 = got.orElse(0);
        r.r2 = y * 10 + x;
    }
}
