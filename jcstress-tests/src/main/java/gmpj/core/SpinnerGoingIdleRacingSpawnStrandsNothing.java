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
 * The spinning count when the only spinning carrier gives up, driven by hand on a scheduler whose
 * threads never start: that carrier's {@code goIdle} (without its final park) against a goroutine
 * spawned onto the ring of a busy processor, as {@code Scheduler.spawn} does from a goroutine
 * (runnext, the goroutine it displaces to the ring, then {@code wakeIfIdle}).
 *
 * <p>Checked against broken code: with the spinning count dropped after the re-check instead of
 * before it, and with the full fence of {@link Idle#wakeIfIdle} removed, it reports the
 * forbidden {@code 2, 0, 1, 0, 0} (see {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("procs(2). Carrier 0 is the only spinning carrier (spinning count 1) and found nothing: it puts its "
        + "processor on the idle list, stops spinning (count 1 -> 0, a full fence) and looks once more at every queue, "
        + "the other processors' rings included (submitters relied on it to find their work); it takes its processor "
        + "back, spinning again, if work turned up, otherwise it would park. Meanwhile carrier 1, running a goroutine "
        + "on processor 1, spawns one: into runnext, the goroutine it displaces onto the ring (release store), full "
        + "fence, then it wakes a carrier if a processor is idle and nobody spins (wakep hands the spinning role over). "
        + "Go's rule: while work is queued and a processor is idle, some carrier spins. "
        + "Result: carrier 0 (1 took its processor back in the re-check, 2 must park), 1 if its wake-up note is set "
        + "(a park would return at once), 1 if processor 0 is still idle, 1 if carrier 0 holds the spinning role "
        + "(kept, or handed over by wakep), the spinning count.")
@Outcome(id = "1, 0, 0, 1, 1", expect = ACCEPTABLE,
        desc = "Carrier 0 saw the displaced goroutine in its re-check and took its processor back, spinning.")
@Outcome(id = "2, 1, 0, 1, 1", expect = ACCEPTABLE,
        desc = "Carrier 0 must park; carrier 1 saw it idle with nobody spinning and woke it as the spinning carrier.")
@Outcome(id = "2, 0, 1, 0, 0", expect = FORBIDDEN,
        desc = "Stranded: a goroutine waits on a busy processor's ring while processor 0 is idle and nobody spins.")
@Outcome(id = ".*, -[0-9]+", expect = FORBIDDEN, desc = "The spinning count went negative.")
@Outcome(expect = FORBIDDEN,
        desc = "Any other outcome: a processor lost or owned twice, or the spinning count out of step with the role.")
@State
public class SpinnerGoingIdleRacingSpawnStrandsNothing {
    private final Scheduler s = Fixtures.unstarted(2);
    private final P p0 = s.ps[0];
    private final P p1 = s.ps[1];
    private final M m0 = p0.m;
    private int carrier;

    public SpinnerGoingIdleRacingSpawnStrandsNothing() {
        m0.spinning = true; // as findRunnable does before it steals
        s.idle.getAndAddWord(Idle.ONE_SPINNING);
        p1.put(Fixtures.g(1), true, s.global); // the goroutine the next spawn displaces from runnext
    }

    @Actor
    public void carrier0() {
        if (!s.idle.park(p0)) {
            carrier = 0;
        } else {
            carrier = s.idle.stopSpinningAndRecheck(m0) ? 1 : 2;
        }
    }

    @Actor
    public void carrier1() {
        p1.put(Fixtures.g(2), true, s.global);
        s.idle.wakeIfIdle();
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        r.r1 = carrier;
        r.r2 = m0.notified ? 1 : 0;
        r.r3 = s.idle.isIdle(p0) ? 1 : 0;
        r.r4 = m0.spinning || m0.handedSpinning ? 1 : 0; // its own role, or one wakep handed it
        r.r5 = s.idle.spinningCount();
    }
}
