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
 * The decrement of a spinning carrier that found work ({@link Idle#foundWork}), driven by hand on a
 * scheduler whose threads never start, against a goroutine submitted from outside.
 *
 * <p>Checked against broken code: with the decrement moved after foundWork's own
 * {@code wakeIfIdle} it reports the forbidden {@code 0, 0, 0, 1}, and so it does with that
 * {@code wakeIfIdle} removed (see {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("procs(2). Carrier 0 was the only spinning carrier (count 1) and has just found a goroutine to run: "
        + "it stops spinning (count 1 -> 0) and, since more work may be queued, wakes another carrier if a processor "
        + "is idle and nobody spins. Processor 1 is idle. Meanwhile a thread outside submits a goroutine (global "
        + "queue, full fence, wakeIfIdle), which relies on a spinning carrier to find it when it sees one. "
        + "Whoever comes last must see nobody spinning and wake carrier 1, exactly once. "
        + "Result: the spinning count, 1 if carrier 0 still spins, 1 if carrier 1 was woken as the spinning "
        + "carrier, the idle processors.")
@Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE,
        desc = "Carrier 1 was woken as the one spinning carrier (by the submitter or by carrier 0).")
@Outcome(id = "0, 0, 0, 1", expect = FORBIDDEN,
        desc = "Stranded: the goroutine waits in the global queue, processor 1 is idle and nobody spins.")
@Outcome(expect = FORBIDDEN,
        desc = "The spinning count disagrees with the carriers holding the role, or carrier 1 was woken twice.")
@State
public class SpinnerFindingWorkRacingSubmitWakesOne {
    private final Scheduler s = Fixtures.unstarted(2);
    private final M m0 = s.ps[0].m;
    private final M m1 = s.ps[1].m;

    public SpinnerFindingWorkRacingSubmitWakesOne() {
        s.idle.park(s.ps[1]);
        m0.spinning = true; // as findRunnable does before it steals
        s.idle.getAndAddWord(Idle.ONE_SPINNING);
    }

    @Actor
    public void carrier0() {
        s.idle.foundWork(m0);
    }

    @Actor
    public void submitter() {
        s.go(Fixtures.NEVER_RUN);
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = s.idle.spinningCount();
        r.r2 = m0.spinning || m0.handedSpinning ? 1 : 0; // its own role, or one wakep handed it
        r.r3 = m1.spinning || m1.handedSpinning ? 1 : 0;
        r.r4 = s.idle.idleCount();
    }
}
