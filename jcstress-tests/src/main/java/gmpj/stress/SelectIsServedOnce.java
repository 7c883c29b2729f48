package gmpj.stress;

import gmpj.sync.Chan;
import gmpj.sync.Select;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A blocked select sits in several channels' queues, yet exactly one channel serves it; and the
 * send that serves it wakes it. Checked against a broken channel whose senders ignore a failed
 * claim: it then reports "1, 1".
 *
 * <p>A timed select (or send) that was served but whose wake-up was lost still reports the case
 * it was served on: it times out, finds its wait claimed, and performs that case. So each side
 * also says whether it returned before its deadline ({@link BoundedWait}).
 */
@JCStressTest
@Description("Driven from two plain threads over two unbuffered gmpj Chans a and b. The selector runs a select "
        + "that receives from a or from b (giving up after 5 s). The sender sends 1 on a (waiting at most 5 s), "
        + "then, if that succeeded, tries once, without waiting, to send 2 on b. Once the select took the value "
        + "from a it must be done: its node still queued on b (or about to be unlinked) must not accept the 2, "
        + "which would be a value handed to nobody. Result: the value the select received (0: none), 1 if the "
        + "try-send on b succeeded, then per side (selector, sender) 1 if its operation succeeded before its 5 s "
        + "ran out, 2 if only once they had run out (served, but its wake-up was lost), 0 if it failed.")
@Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE, desc = "The select took 1 from a; the later try-send on b found no receiver.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "The try-send on b succeeded: a select already served by a was served again (the 2 is lost).")
@Outcome(id = {".*, .*, 2, .*", ".*, .*, .*, 2"}, expect = FORBIDDEN, desc = "Lost wake-up: a side was served, but returned only at its deadline.")
@Outcome(id = {"0, .*", ".*, .*, 0, .*", ".*, .*, .*, 0"}, expect = FORBIDDEN, desc = "The select got nothing, or the send on a failed, within 5 s: a lost value or wake-up.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: only a's 1 can reach the select before the sender tries b.")
@State
public class SelectIsServedOnce {
    private final Chan<Integer> a = new Chan<>();
    private final Chan<Integer> b = new Chan<>();

    @Actor
    public void selector(IIII_Result r) {
        AtomicInteger got = new AtomicInteger();
        BoundedWait wait = BoundedWait.start();
        int chosen = new Select()
                .onReceive(a, v -> got.set(v.value()))
                .onReceive(b, v -> got.set(v.value()))
                .timeout(wait.timeout(), () -> { })
                .run();
        r.r3 = wait.verdict(chosen != Select.TIMEOUT);
        r.r1 = got.get();
    }

    @Actor
    public void sender(IIII_Result r) {
        BoundedWait wait = BoundedWait.start();
        boolean sent = a.send(1, wait.timeout());
        r.r4 = wait.verdict(sent);
        r.r2 = sent && b.trySend(2) ? 1 : 0;
    }
}
