package gmpj.stress;

import gmpj.sync.Chan;
import gmpj.sync.ChanClosedException;
import gmpj.sync.Received;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** A send racing close either lands in the buffer (and is received after the close) or throws; never half. */
@JCStressTest
@Description("Driven from two plain threads over a gmpj Chan with a 1-slot buffer. One thread sends 1, the other "
        + "closes the channel. Afterwards the arbiter receives once. Go's rules: a send that completed before the "
        + "close left its value to be received after it; a send after the close throws (Go panics). "
        + "Result: 1 if the send returned normally, 0 if it threw ChanClosedException; then what the arbiter "
        + "received: the value, or 0 for closed-and-empty.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The send came first: its value outlives the close.")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The close came first: the send threw and nothing was buffered.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "The send reported success but its value is gone.")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "The send threw, yet its value was buffered.")
@Outcome(expect = FORBIDDEN, desc = "Impossible.")
@State
public class ChanCloseRacingSendLosesNothing {
    private final Chan<Integer> ch = new Chan<>(1);
    private int sent;

    @Actor
    public void sender() {
        try {
            ch.send(1);
            sent = 1;
        } catch (ChanClosedException e) {
            sent = 0;
        }
    }

    @Actor
    public void closer() {
        ch.close();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        Received<Integer> got = ch.tryReceive();
        r.r1 = sent;
        r.r2 = got.orElse(0);
    }
}
