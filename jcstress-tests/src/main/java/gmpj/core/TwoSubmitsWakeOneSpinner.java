package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * wakep's hand-over of the spinning role, driven by hand on a scheduler whose threads never start:
 * two goroutines submitted from outside at once while every processor is idle.
 *
 * <p>Checked against broken code: with wakep's CAS 0 -> 1 of the spinning count replaced by a
 * check and then an unconditional set of the count to 1 it reports the forbidden {@code 1, 2, 0},
 * and by a check and then an increment the forbidden {@code 2, 2, 0} (see
 * {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("procs(2), both processors idle, nobody spinning. Two threads outside submit a goroutine each "
        + "(global queue, full fence, then wakeIfIdle: a processor is idle and nobody spins, so wakep). wakep takes "
        + "the spinning count from 0 to 1 by CAS, and only the winner takes a processor off the idle list and hands "
        + "its carrier the spinning role; that carrier, once it finds work, wakes the next one. "
        + "Result: the spinning count, the carriers holding the spinning role, the idle processors.")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE,
        desc = "Exactly one carrier was woken, as the one spinning carrier; the other processor stays idle for now.")
@Outcome(id = "0, 0, 2", expect = FORBIDDEN, desc = "Nobody was woken: both goroutines are stranded.")
@Outcome(id = "2, 2, 0", expect = FORBIDDEN,
        desc = "Both submitters handed out the spinning role: wakep's CAS must let one at a time.")
@Outcome(expect = FORBIDDEN,
        desc = "The spinning count disagrees with the carriers holding the role, or the idle list with either.")
@State
public class TwoSubmitsWakeOneSpinner {
    private final Scheduler s = Fixtures.unstarted(2);

    public TwoSubmitsWakeOneSpinner() {
        s.idle.park(s.ps[0]);
        s.idle.park(s.ps[1]);
    }

    @Actor
    public void submitter1() {
        s.go(Fixtures.NEVER_RUN);
    }

    @Actor
    public void submitter2() {
        s.go(Fixtures.NEVER_RUN);
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = s.idle.spinningCount();
        r.r2 = (s.ps[0].m.handedSpinning ? 1 : 0) + (s.ps[1].m.handedSpinning ? 1 : 0); // roles wakep handed
        r.r3 = s.idle.idleCount();
    }
}
