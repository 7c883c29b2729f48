package gmpj.core;

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
 * The blocking poll of an idle carrier against its wake-up, driven by hand on a scheduler whose
 * threads never start: {@link Netpoll#blockIn}, the decision of {@code Netpoll.awaitAsPoller}
 * (publish the carrier in {@code blockedIn}, then read its {@code notified}) without the select it
 * leads to, against {@link M#wake} (write {@code notified}, then read {@code blockedIn} and break
 * the poll if the carrier is in it).
 *
 * <p>No select runs here: one that nobody breaks would block for good. The poller's decision and
 * whether {@code wake} broke the poll are the whole story: a poller that goes on to block while
 * {@code wake} did not see it blocks until its timeout (for ever, without timers) with a carrier
 * wanted. The poller is the scheduler's own ({@code s.netpoll}, on a selector nobody waits in:
 * {@link Fixtures#netpoll}), since {@code wake} looks there; breaking the poll wakes that selector
 * up, which costs nothing.
 *
 * <p>Checked against broken code: with the poller reading {@code notified} before it publishes
 * itself, and with {@code wake} reading {@code blockedIn} before it writes {@code notified}, it
 * reports the forbidden {@code 1, 0} (see {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("procs(1); the scheduler has a network poller. Its carrier is idle and about to block in the selector: "
        + "it publishes itself as the poller (volatile blockedIn = m), then reads its wake-up note (volatile "
        + "m.notified) and blocks only if nobody woke it. Meanwhile a waker calls m.wake(): it sets notified, then "
        + "reads blockedIn and, if the carrier is there, breaks the poll (Selector.wakeup). Dekker: either the poller "
        + "sees the note, or the waker sees the poller. "
        + "Result: 1 if the poller would block in the selector, 1 if wake() broke the poll.")
@Outcome(id = "1, 1", expect = ACCEPTABLE,
        desc = "The poller blocks; wake() saw it and broke the poll: its select returns at once.")
@Outcome(id = "0, 0", expect = ACCEPTABLE,
        desc = "wake() came before the poller was visible; the poller saw the note and does not block.")
@Outcome(id = "0, 1", expect = ACCEPTABLE,
        desc = "Each saw the other: the poller does not block, and the wake-up it skips is left on the selector "
                + "(its next select returns at once).")
@Outcome(id = "1, 0", expect = FORBIDDEN,
        desc = "Lost wake-up: the poller blocks in the selector after the wake-up, and nobody breaks its poll.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
@State
public class PollerWakeRacingBlockedPollIsNeverLost {
    private final Scheduler s = Fixtures.unstarted(1);
    private final M m = s.ps[0].m;
    private final Netpoll np = Fixtures.netpoll(s);
    private boolean blocks;
    private boolean broke;

    public PollerWakeRacingBlockedPollIsNeverLost() {
        s.netpoll = np; // as Scheduler.netpoll() does on the first PollDesc.open
    }

    @Actor
    public void poller() {
        blocks = np.blockIn(m);
    }

    @Actor
    public void waker() {
        broke = m.wake();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = blocks ? 1 : 0;
        r.r2 = broke ? 1 : 0;
    }
}
