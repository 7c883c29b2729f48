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
 * Handing a processor to a carrier that is already running ({@link M#handOver}): a carrier just
 * started for a hand-off, or a spare whose wait timed out, looks for its processor without being
 * woken. If it sees the processor before the state word names it, it may enter goroutine code
 * ({@code IN_G}) and then have its word overwritten by the hand-over's late {@code SCHED}; its next
 * CAS fails and it drops a processor nobody else holds.
 *
 * <p>Checked against broken code: with the field published before the word (the order of the
 * first version) it reports {@code 1, 1} (see {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("Sysmon hands a processor to carrier m (the state word, then m's processor field) while m, already "
        + "running, looks for its processor and, if it has one, enters goroutine code (IN_G). Result: 1 if m saw "
        + "the processor, the final status of the word (1 SCHED, 2 IN_G, 9 another carrier's or none).")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "m looked before the hand-over: it will see it on its next look.")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "m saw its processor and runs goroutine code on it.")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "m entered goroutine code, then the hand-over overwrote its word: lost processor.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome breaks the hand-over.")
@State
public class HandOverRacingNewCarrierKeepsItsWord {
    /** Two carriers with different ids, for the state words; their threads never start. */
    private static final Scheduler MACHINE = Fixtures.unstarted(2);
    private static final M OLD_HOLDER = MACHINE.ps[0].m;

    private final P p = new P(0, 2);
    private final M m = new M(MACHINE, 100, null, "handed-to", 0);
    private int saw;

    public HandOverRacingNewCarrierKeepsItsWord() {
        p.hold(OLD_HOLDER);
        p.enterG(OLD_HOLDER);
        p.handOff(p.state()); // sysmon took it from the old holder; now it gives it to m
    }

    @Actor
    public void sysmon() {
        m.handOver(p);
    }

    @Actor
    public void carrier() {
        P mine = m.heldAcquire();
        if (mine != null) {
            mine.enterG(m);
            saw = 1;
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = saw;
        long word = p.state();
        r.r2 = word >>> 3 != m.mid ? 9 : (int) P.statusOf(word);
    }
}
