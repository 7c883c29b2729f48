package gmpj.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link PollDesc#close} racing a waiter that arms, driven by hand: the other write-then-read pair
 * of the descriptor (see its class comment). The waiter arms ({@link PollDesc#arm}) and then makes
 * the check {@code armAndPark} makes before each park ({@link PollDesc#mustPark}: still in its slot
 * and not closed), and stops short of the park. The closer runs the real {@code close}: it writes
 * {@code closed}, then unparks whoever it finds in the slots, then closes the channel and flushes
 * the poller ({@link Fixtures#pollDesc}: a channel without a file descriptor, a poller on a
 * selector nobody waits in).
 *
 * <p>No thread parks here: the waiter is a goroutine that never runs, and an unpark of it leaves
 * its permit, which its park would take at once. So a waiter that would park with no permit after
 * the race is a waiter nobody will wake.
 *
 * <p>Checked against broken code: with {@code close} unparking the waiters before it writes
 * {@code closed}, and with the waiter's check before the park ignoring {@code closed}, it reports
 * the forbidden {@code 2, 0} (see {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("An open PollDesc, its read slot empty. A waiter arms (CAS null -> itself), then reads its slot and the "
        + "closed flag, as armAndPark does before each park: it parks if it is still in the slot and the descriptor "
        + "is open. Meanwhile close() sets closed (volatile), then reads the slots and unparks the waiter it finds "
        + "(here: leaves its permit). Either the waiter sees the close, or the close sees the waiter. "
        + "Result: the waiter (1 armed and saw the close, 2 armed and would park), 1 if the close unparked it.")
@Outcome(id = "1, 0", expect = ACCEPTABLE,
        desc = "The close read the slot before the waiter armed; the waiter saw the close and does not park.")
@Outcome(id = "1, 1", expect = ACCEPTABLE,
        desc = "The waiter saw the close, and the close also found it: a spare permit (it does not park).")
@Outcome(id = "2, 1", expect = ACCEPTABLE,
        desc = "The waiter parks before the close was visible; the close found it and unparked it: its park "
                + "returns at once and it sees the close.")
@Outcome(id = "2, 0", expect = FORBIDDEN,
        desc = "Lost wake-up: the waiter parks on a closed descriptor and the close did not see it.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome (the slot is empty, so the waiter always arms).")
@State
public class PollCloseRacingArmIsNeverLost {
    private static final Scheduler S = Fixtures.unstarted(1);
    private static final Netpoll NP = Fixtures.netpoll(S);

    private final PollDesc pd = Fixtures.pollDesc(S, NP);
    private final G waiter = Fixtures.g(1);
    private int step;

    @Actor
    public void waiter() {
        if (pd.arm(true, waiter)) {
            step = pd.mustPark(true, waiter) ? 2 : 1;
        }
    }

    @Actor
    public void closer() {
        try {
            pd.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = step;
        r.r2 = waiter.consumePermit() ? 1 : 0;
    }
}
