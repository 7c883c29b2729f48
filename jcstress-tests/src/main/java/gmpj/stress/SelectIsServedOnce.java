package gmpj.stress;

import gmpj.sync.Chan;
import gmpj.sync.Select;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A blocked select sits in several channels' queues, yet exactly one channel serves it. Checked
 * against a broken channel whose senders ignore a failed claim: it then reports "1, 1" within a
 * sanity run.
 */
@JCStressTest
@Description("Driven from two plain threads over two unbuffered gmpj Chans a and b. The selector runs a select "
        + "that receives from a or from b (giving up after 5 s). The sender sends 1 on a (waiting at most 5 s), "
        + "then tries once, without waiting, to send 2 on b. Once the select took the value from a it must be "
        + "done: its node still queued on b (or about to be unlinked) must not accept the 2, which would be "
        + "a value handed to nobody. Result: the value the select received (0: none within 5 s), then 1 if the "
        + "try-send on b succeeded.")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The select took 1 from a; the later try-send on b found no receiver.")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "The try-send on b succeeded: a select already served by a was served again (the 2 is lost).")
@Outcome(id = "0, .", expect = FORBIDDEN, desc = "The select got nothing within 5 s: the send on a was lost or never woke it.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: only a's 1 can reach the select before the sender tries b.")
@State
public class SelectIsServedOnce {
    private final Chan<Integer> a = new Chan<>();
    private final Chan<Integer> b = new Chan<>();

    @Actor
    public void selector(II_Result r) {
        AtomicInteger got = new AtomicInteger();
        new Select()
                .onReceive(a, v -> got.set(v.value()))
                .onReceive(b, v -> got.set(v.value()))
                .timeout(BoundedWait.limit(), () -> BoundedWait.record(false))
                .run();
        r.r1 = got.get();
    }

    @Actor
    public void sender(II_Result r) {
        boolean sent = a.send(1, BoundedWait.limit());
        BoundedWait.record(sent);
        r.r2 = sent && b.trySend(2) ? 1 : 0;
    }
}
