package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The only spinning carrier retiring its removed processor ({@link M#retire}) against a goroutine
 * submitted from outside, driven by hand on a scheduler whose threads never start. A submitter
 * that sees a spinning carrier wakes nobody, relying on it to find the work; the retiring carrier
 * stops spinning and then plays the submitter's part itself ({@link Idle#wakeIfIdle}), so either
 * the submitter sees nobody spinning and wakes the idle processor, or the retiring carrier does.
 *
 * <p>Checked against broken code: with the wake-up left out of {@link M#retire}, and with the
 * spinning count dropped after it instead of before, it reports the forbidden
 * {@code 0, 1, 0, 1, 0} (see {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("maxProcs(2), procs 2 then setProcs(1). Processor 0 is idle (its carrier parked). Carrier 1 holds processor "
        + "1, which setProcs removed, and is the only spinning carrier (count 1). It retires the processor: drains its "
        + "(empty) queues to the global queue, stops spinning (a full fence), lets the processor go under the idle lock, "
        + "and wakes an idle processor if nobody spins. Meanwhile a thread outside submits a goroutine: global queue, "
        + "then it wakes a carrier if a processor is idle and nobody spins. Result: 1 if carrier 0's wake-up note is "
        + "set, 1 if processor 0 is still idle, the spinning count, 1 if processor 1 was let go, 1 if carrier 0 was "
        + "handed the spinning role.")
@Outcome(id = "1, 0, 1, 1, 1", expect = ACCEPTABLE,
        desc = "One of the two (whichever saw nobody spinning) woke carrier 0 as the spinning carrier.")
@Outcome(id = "0, 1, 0, 1, 0", expect = FORBIDDEN,
        desc = "Stranded: a goroutine in the global queue, processor 0 idle, nobody spinning, nobody woken.")
@Outcome(expect = FORBIDDEN,
        desc = "Any other outcome: two wake-ups, a spinning count out of step, or the removed processor kept.")
@State
public class RetiringSpinnerRacingSubmitStrandsNothing {
    private final Scheduler s = Fixtures.unstarted(2, 2);
    private final P p0 = s.ps[0];
    private final P p1 = s.ps[1];
    private final M m0 = p0.m;
    private final M m1 = p1.m;

    public RetiringSpinnerRacingSubmitStrandsNothing() {
        s.idle.park(p0);
        m1.spinning = true; // as findRunnable does before it steals
        s.idle.getAndAddWord(Idle.ONE_SPINNING);
        s.idle.resize(1); // processor 1 is busy, so it stays live until its carrier retires it
    }

    @Actor
    public void carrier1() {
        m1.retire();
    }

    @Actor
    public void submitter() {
        s.global.put(Fixtures.g(1));
        s.idle.wakeIfIdle();
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        r.r1 = m0.notified ? 1 : 0;
        r.r2 = s.idle.isIdle(p0) ? 1 : 0;
        r.r3 = s.idle.spinningCount();
        r.r4 = P.statusOf(p1.state()) == P.RETIRED ? 1 : 0;
        r.r5 = m0.handedSpinning ? 1 : 0;
    }
}
