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
 * The two-step hand-off of {@link P} ({@code HANDING_OFF}), driven by hand: sysmon reserves the
 * processor of a holder in goroutine code, then either commits (the new carrier started) or rolls
 * back (it could not start), while the holder comes back from its goroutine ({@link P#leaveG}) and
 * must wait for that decision. Half the states commit, half roll back.
 *
 * <p>It caught a real mistake: a holder that, after its CAS failed, gave up whenever it then read
 * a word other than {@code HANDING_OFF} (instead of retrying when the roll-back had already put
 * its own word back) left a rolled-back processor with nobody ({@code 0, 2, 9}: 61,024 of about
 * 62 million samples in quick mode; see {@code docs/jcstress-mutants.md}).
 */
@JCStressTest
@Description("A carrier runs goroutine code (IN_G) and then leaves it (leaveG: IN_G -> SCHED). Sysmon reads the "
        + "word and, seeing IN_G, reserves the processor (HANDING_OFF), then commits it to a new carrier or rolls "
        + "it back to the word it saw, as when the new carrier's thread cannot start. The holder must keep the "
        + "processor exactly when sysmon did not commit. Result: the holder's leaveG (1 kept, 0 lost), sysmon "
        + "(0 saw SCHED, 1 committed, 2 rolled back, 3 lost the reservation CAS), who holds it at the end "
        + "(1 the old holder, 2 the new one, 9 a mixed word).")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "The holder left goroutine code before sysmon looked.")
@Outcome(id = "1, 3, 1", expect = ACCEPTABLE, desc = "The holder left between sysmon's read and its reservation.")
@Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "Reserved, rolled back: the waiting holder kept its processor.")
@Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "Reserved and committed: the holder learnt it lost the processor.")
@Outcome(id = "0, 2, .*", expect = FORBIDDEN, desc = "Rolled back, yet the holder gave the processor up: nobody runs it.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "Committed, yet the holder kept it: two holders.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome breaks the hand-off protocol.")
@State
public class HandingOffRacingHolderIsCommittedOrRolledBack {
    /** Two carriers with different ids, for the state words; their threads never start. */
    private static final Scheduler MACHINE = Fixtures.unstarted(2);
    private static final M HOLDER = MACHINE.ps[0].m;
    private static final M NEW_HOLDER = MACHINE.ps[1].m;
    private static int created;

    private final P p = new P(0, 2);
    private final boolean commit;
    private int holder;
    private int sysmon;

    public HandingOffRacingHolderIsCommittedOrRolledBack() {
        p.hold(HOLDER);
        p.enterG(HOLDER); // a goroutine is running
        commit = (created++ & 1) == 0; // states are made by one thread: alternate commit and roll-back
    }

    @Actor
    public void holder() {
        holder = p.leaveG(HOLDER) ? 1 : 0;
    }

    @Actor
    public void sysmon() {
        long seen = p.state();
        if (P.statusOf(seen) != P.IN_G) {
            sysmon = 0;
        } else if (!p.beginHandOff(seen)) {
            sysmon = 3;
        } else if (commit) {
            p.hold(NEW_HOLDER);
            sysmon = 1;
        } else {
            p.rollBackHandOff(seen);
            sysmon = 2;
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = holder;
        r.r2 = sysmon;
        long word = p.state();
        r.r3 = word == P.word(HOLDER, P.SCHED) ? 1 : word == P.word(NEW_HOLDER, P.SCHED) ? 2 : 9;
    }
}
