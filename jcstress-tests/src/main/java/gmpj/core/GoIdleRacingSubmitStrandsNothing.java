package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The idle/wake hand-shake of a carrier that is not spinning, driven by hand on a scheduler whose
 * threads never start: the carrier's {@code goIdle} (without its final park) against a goroutine
 * submitted from outside ({@link Scheduler#go}: global queue, full fence, {@code wakeIfIdle}).
 *
 * <p>Checked against broken code: with the re-check skipped ({@link Idle#stopSpinningAndRecheck}
 * returning false at once) it reports the forbidden {@code 2, 0, 1, 0, 0} (see
 * {@code docs/jcstress-mutants.md} for the counts). Removing the full fence of
 * {@link Idle#wakeIfIdle} goes unseen here, and rightly: the global queue's offer is an
 * atomic add, itself a full fence; {@link SpinnerGoingIdleRacingSpawnStrandsNothing}, whose work
 * is published by a release store, catches that one.
 */
@JCStressTest
@Description("procs(1). The only carrier finds nothing and goes idle: it puts its processor on the idle list "
        + "(Idle.park, which refuses if the global queue has work), stops spinning and looks at the queues once more, "
        + "taking the processor back if work turned up; otherwise it would park. Meanwhile a thread outside submits a "
        + "goroutine: global queue, full fence, then it wakes a carrier if a processor is idle and nobody spins "
        + "(wakep: takes the processor off the idle list, hands its carrier the spinning role, sets its wake-up note "
        + "and unparks it, so that its park returns at once). The goroutine must never be stranded: either the carrier "
        + "sees it, or the submitter wakes the carrier. "
        + "Result: the carrier (0 stayed busy: Idle.park saw the goroutine, 1 took its processor back in the re-check, "
        + "2 must park), 1 if its wake-up note is set (a park would return at once), 1 if the processor is still on "
        + "the idle list, 1 if the carrier holds the spinning role, the spinning count.")
@Outcome(id = "0, 0, 0, 0, 0", expect = ACCEPTABLE,
        desc = "The goroutine was queued first: Idle.park saw it and the carrier stayed busy.")
@Outcome(id = "1, 0, 0, 0, 0", expect = ACCEPTABLE,
        desc = "The carrier went idle, saw the goroutine in its re-check and took its processor back.")
@Outcome(id = "2, 1, 0, 1, 1", expect = ACCEPTABLE,
        desc = "The carrier went idle and must park; the submitter saw it idle and woke it as the spinning carrier.")
@Outcome(id = "2, 1, 0, 0, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "As above, but wakep handed over the spinning role while the carrier was still in its re-check, which "
                + "took the role as its own and counted it down: it is woken all the same, and runs without spinning.")
@Outcome(id = "2, 0, 1, 0, 0", expect = FORBIDDEN,
        desc = "Stranded: the carrier parks, the processor stays idle, nobody woke it, the goroutine waits for good.")
@Outcome(expect = FORBIDDEN,
        desc = "Any other outcome: two owners of the processor, a processor lost, or a count out of step with the role.")
@State
public class GoIdleRacingSubmitStrandsNothing {
    private final Scheduler s = Fixtures.unstarted(1);
    private final P p = s.ps[0];
    private final M m = p.m;
    private int carrier;

    @Actor
    public void carrier() {
        if (!s.idle.park(p)) {
            carrier = 0;
        } else {
            carrier = s.idle.stopSpinningAndRecheck(m) ? 1 : 2;
        }
    }

    @Actor
    public void submitter() {
        s.go(Fixtures.NEVER_RUN);
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        r.r1 = carrier;
        r.r2 = m.notified ? 1 : 0;
        r.r3 = s.idle.isIdle(p) ? 1 : 0;
        r.r4 = m.spinning || m.handedSpinning ? 1 : 0; // its own role, or one wakep handed it
        r.r5 = s.idle.spinningCount();
    }
}
