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

/**
 * Go's memory model: closing a channel happens before a receive that returns because the channel
 * is closed; and the close wakes a receiver that was waiting.
 *
 * <p>A timed receive that close served but whose wake-up was lost still reports "closed": it
 * times out and finds the close. So the receiver also says whether it returned before its
 * deadline ({@link BoundedWait}).
 */
@JCStressTest
@Description("Driven from two plain threads over an unbuffered gmpj Chan. The closer writes two plain ints "
        + "x = 1, y = 1, then closes the channel. The receiver receives (waiting at most 5 s), then reads y and x. "
        + "If the receiver arrives first it waits in the queue and close wakes it; otherwise it finds the channel "
        + "closed at once. Result: 1 if the receive reported closed before its 5 s ran out, 2 if it reported "
        + "closed only once they had run out (close served it, but its wake-up was lost), 0 if it did not see "
        + "the close; then y and x as a two-digit number.")
@Outcome(id = "1, 11", expect = ACCEPTABLE, desc = "Saw the close, and the writes made before it.")
@Outcome(id = {"1, 0", "1, 1", "1, 10"}, expect = FORBIDDEN, desc = "Saw the close but not a write made before it: no happens-before edge.")
@Outcome(id = "2, .*", expect = FORBIDDEN, desc = "Lost wake-up: close served the receive, which returned only at its deadline.")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "The receive did not see the close within 5 s: a lost close.")
@Outcome(expect = FORBIDDEN, desc = "Impossible.")
@State
public class ChanCloseHappensBeforeReceiveSeesClosed {
    private final Chan<Integer> ch = new Chan<>();
    private int x;
    private int y;

    @Actor
    public void closer() {
        x = 1;
        y = 1;
        ch.close();
    }

    @Actor
    public void receiver(II_Result r) {
        BoundedWait wait = BoundedWait.start();
        Received<Integer> got = ch.receive(wait.timeout());
        r.r1 = wait.verdict(got.closed());
        r.r2 = y * 10 + x;
    }
}
