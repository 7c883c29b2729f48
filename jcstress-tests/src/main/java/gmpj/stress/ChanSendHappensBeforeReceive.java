package gmpj.stress;

import gmpj.sync.Chan;
import gmpj.sync.Received;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Go's memory model: a send on a channel happens before the corresponding receive completes; and
 * neither side's wake-up is lost.
 *
 * <p>A timed send or receive whose partner handed over (took its value, or gave it one) but whose
 * wake-up was lost still reports success: it times out, finds it was served, and returns. So
 * each side also says whether it returned before its deadline ({@link BoundedWait}).
 */
@JCStressTest
@Description("Driven from two plain threads over an unbuffered gmpj Chan. The sender writes two plain ints "
        + "x = 1, y = 1, then sends 1 (waiting at most 5 s). The receiver receives (waiting at most 5 s), then "
        + "reads y and x. Whichever side arrives first waits in the channel's queue and the other serves it, so "
        + "both hand-off paths run: a sender handing its value to a queued receiver, and a receiver taking a "
        + "queued sender's value. Result: the value received (0 if none), y and x as a two-digit number, then "
        + "per side (sender, receiver) 1 if its operation succeeded before its 5 s ran out, 2 if it succeeded "
        + "only once they had run out (it was served, but its wake-up was lost), 0 if it failed.")
@Outcome(id = "1, 11, 1, 1", expect = ACCEPTABLE, desc = "Received, the sender's earlier writes visible, both sides back in time.")
@Outcome(id = {"1, 0, .*", "1, 1, .*", "1, 10, .*"}, expect = FORBIDDEN, desc = "Received, but a write made before the send is not visible: no happens-before edge.")
@Outcome(id = {".*, .*, 2, .*", ".*, .*, .*, 2"}, expect = FORBIDDEN, desc = "Lost wake-up: a side was served, but returned only at its deadline.")
@Outcome(id = {"0, .*", ".*, .*, 0, .*"}, expect = FORBIDDEN, desc = "Nothing received, or the send failed, within 5 s: a lost value or a lost wake-up.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: only 1 is ever sent.")
@State
public class ChanSendHappensBeforeReceive {
    private final Chan<Integer> ch = new Chan<>();
    private int x;
    private int y;

    @Actor
    public void sender(IIII_Result r) {
        x = 1;
        y = 1;
        BoundedWait wait = BoundedWait.start();
        r.r3 = wait.verdict(ch.send(1, wait.timeout()));
    }

    @Actor
    public void receiver(IIII_Result r) {
        BoundedWait wait = BoundedWait.start();
        Received<Integer> got = ch.receive(wait.timeout());
        r.r4 = wait.verdict(got.ok());
        r.r1 = got.orElse(0);
        r.r2 = y * 10 + x;
    }
}
