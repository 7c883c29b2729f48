package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link Scheduler#setProcs} shrinking the scheduler ({@link Idle#resize}) while the carrier of the
 * processor it removes goes idle ({@link Idle#park}, then the re-check), driven by hand on a
 * scheduler whose threads never start. A removed processor must never end up on the idle set with
 * its carrier asleep: nobody would ever let it go, and "every processor idle" would count it.
 *
 * <p>Checked against broken code: with {@link Idle#park} not refusing a removed processor, and with
 * {@link Idle#resize} not taking removed idle processors off the idle set, it reports the
 * forbidden {@code 2, 0, 1, 1} (see {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("procs(2). Carrier 1 found nothing and goes idle: Idle.park puts processor 1 on the idle set unless it is "
        + "beyond procs (then it keeps it and retires it at the top of its loop), then it re-checks the queues and "
        + "would park. Meanwhile setProcs(1) runs Idle.resize: under the idle lock it sets procs to 1 and takes a removed "
        + "processor off the idle set, waking its carrier (which then finds its processor gone with no role handed and "
        + "retires it). Result: the carrier (0 kept its processor: park refused; 2 must park), 1 if its wake-up note is "
        + "set, 1 if processor 1 is on the idle set, the idle count.")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE,
        desc = "setProcs came first: Idle.park refused the removed processor; its carrier retires it.")
@Outcome(id = "2, 1, 0, 0", expect = ACCEPTABLE,
        desc = "The carrier went idle first: resize took processor 1 off the idle set and woke its carrier.")
@Outcome(id = "2, 0, 1, 1", expect = FORBIDDEN,
        desc = "A removed processor idle with its carrier asleep: it is never let go, and counts among the idle.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome: an idle set out of step with its count, or a carrier woken for nothing.")
@State
public class ShrinkRacingGoIdleLeavesNoRemovedProcessorIdle {
    private final Scheduler s = Fixtures.unstarted(2, 2);
    private final P p1 = s.ps[1];
    private final M m1 = p1.m;
    private int carrier;

    @Actor
    public void carrier1() {
        if (!s.idle.park(p1)) {
            carrier = 0;
        } else {
            carrier = s.idle.stopSpinningAndRecheck(m1) ? 1 : 2;
        }
    }

    @Actor
    public void setProcs() {
        s.idle.resize(1);
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = carrier;
        r.r2 = m1.notified ? 1 : 0;
        r.r3 = s.idle.isIdle(p1) ? 1 : 0;
        r.r4 = s.idle.idleCount();
    }
}
