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
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Send happens before receive through a channel's buffer, raced by a receiver that does not wait.
 *
 * <p>Its forbidden outcomes are reorderings, and on x86 it does not catch the natural mutant, a
 * channel lock without acquire and release ({@code
 * mutants/BufferedChanSendHappensBeforeReceive.lock-without-ordering.patch}: none in 37 million
 * quick-mode samples). x86 keeps stores in order with stores and loads with loads, and the lock's
 * compare-and-set is a locked instruction, a full fence, whatever its Java memory-order mode; so
 * only the JIT could move the plain writes before the send past the buffer store, or the plain
 * reads after the receive before the buffer load, and it did not. No mistake of logic can produce
 * these outcomes either: the receiver cannot take a value that was not yet sent. The test earns
 * its keep on a weakly ordered CPU (AArch64), where the mutant's missing release and acquire are
 * visible to the hardware.
 */
@JCStressTest
@Description("Driven from two plain threads over a gmpj Chan with a 1-slot buffer. The sender writes two plain "
        + "ints x = 1, y = 1, then sends 1 (it fits the buffer, so it never waits). The receiver calls tryReceive "
        + "once, which takes the value only if it is already buffered, then reads y and x. "
        + "Result: the value received (0 if the buffer was still empty), then y and x as a two-digit number.")
@Outcome(id = "1, 11", expect = ACCEPTABLE, desc = "The value was buffered first; the writes before the send are visible.")
@Outcome(id = "0, (0|1|10|11)", expect = ACCEPTABLE_INTERESTING, desc = "Too early: nothing buffered yet. Without a receive there is no edge, so any of x and y may show.")
@Outcome(id = {"1, 0", "1, 1", "1, 10"}, expect = FORBIDDEN, desc = "Received from the buffer, but a write made before the send is not visible.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: only 1 is ever sent.")
@State
public class BufferedChanSendHappensBeforeReceive {
    private final Chan<Integer> ch = new Chan<>(1);
    private int x;
    private int y;

    @Actor
    public void sender() {
        x = 1;
        y = 1;
        ch.send(1);
    }

    @Actor
    public void receiver(II_Result r) {
        Received<Integer> got = ch.tryReceive();
        r.r1 = got.orElse(0);
        r.r2 = y * 10 + x;
    }
}
