package gmpj.core;

import java.util.concurrent.atomic.AtomicInteger;
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
 * A processor's state word ({@link P}'s class comment), driven by hand: its holder walks through
 * every transition of goroutine code while sysmon, having read the word, tries to take the
 * processor as {@code Sysmon.retake} and {@code Carriers.handOff} do.
 *
 * <p>Checked against broken code: with {@link P#handOff} a plain store instead of a CAS it reports
 * forbidden outcomes (two holders at once, and the old holder's release store overwriting the new
 * holder's word), and so it does with {@link P#exitSyscall} a plain store (see
 * {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("A carrier holds a processor and runs goroutine code (IN_G). It then takes the processor for a "
        + "runtime operation (leaveG: IN_G -> SCHED), gives it back (enterG), enters a blocking call "
        + "(enterSyscall: IN_G -> SCHED -> SYSCALL), leaves it (exitSyscall: SYSCALL -> IN_G) and goes back to "
        + "scheduler code (leaveG: IN_G -> SCHED); it stops at the first CAS that fails: it lost the processor and "
        + "must not touch it again. Meanwhile sysmon reads the word and, if the holder is in IN_G or SYSCALL, takes "
        + "the processor by CAS from exactly that word (HANDED_OFF) and gives it to a new carrier (SCHED). Exactly "
        + "one side may win, and no hand-off may happen while the holder is in SCHED. "
        + "Result: where the holder lost the processor (0 kept it, 1 leaveG, 2 enterSyscall, 3 exitSyscall, "
        + "4 leaveG failed), sysmon (0 saw SCHED and did nothing, 1/2 saw IN_G and took it / lost the CAS, 3/4 saw "
        + "SYSCALL and took it / lost the CAS), 1 if both were ever inside the processor at once, who holds it at "
        + "the end (1 the old holder, 2 the new one, 9 nobody or a mixed word).")
@Outcome(id = "0, [024], 0, 1", expect = ACCEPTABLE,
        desc = "The holder kept its processor: sysmon saw it in SCHED, or its CAS failed because the word had moved on.")
@Outcome(id = "1, 1, 0, 2", expect = ACCEPTABLE,
        desc = "Sysmon took the processor from goroutine code before the holder's leaveG, which then failed.")
@Outcome(id = "2, 1, 0, 2", expect = ACCEPTABLE,
        desc = "Sysmon took it in goroutine code after enterG (maybe from a word read before the holder's "
                + "leaveG: the same holder in IN_G, so safe); enterSyscall then failed.")
@Outcome(id = "3, 3, 0, 2", expect = ACCEPTABLE,
        desc = "Sysmon took it from the blocking call; exitSyscall then failed.")
@Outcome(id = "4, 1, 0, 2", expect = ACCEPTABLE,
        desc = "Sysmon took it in goroutine code after exitSyscall; leaveG then failed.")
@Outcome(id = "0, [13], .*", expect = FORBIDDEN, desc = "Both won: the old holder kept using a processor sysmon handed off.")
@Outcome(id = "[0-9], [0-9], 1, [0-9]", expect = FORBIDDEN, desc = "Both were inside the processor at once (a hand-off in SCHED).")
@Outcome(id = "[1-4], [024], .*", expect = FORBIDDEN, desc = "The holder's CAS failed although nobody took the processor.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome breaks the state word's protocol.")
@State
public class HandOffRacingHolderHasOneWinner {
    /** Two carriers with different ids, for the state words; their threads never start. */
    private static final Scheduler MACHINE = Fixtures.unstarted(2);
    private static final M HOLDER = MACHINE.ps[0].m;
    private static final M NEW_HOLDER = MACHINE.ps[1].m;

    private final P p = new P(0, 2);
    /** Parties inside the processor right now (the holder in SCHED, or the new holder). */
    private final AtomicInteger inside = new AtomicInteger();
    private boolean holderOverlapped;
    private boolean sysmonOverlapped;
    private int lostAt;
    private int sysmon;

    public HandOffRacingHolderHasOneWinner() {
        p.hold(HOLDER);
        p.enterG(HOLDER); // a goroutine is running
    }

    @Actor
    public void holder() {
        if (!p.leaveG(HOLDER)) {
            lostAt = 1;
            return;
        }
        holderOverlapped |= inside.getAndIncrement() != 0;
        inside.decrementAndGet();
        p.enterG(HOLDER);
        if (!p.enterSyscall(HOLDER, -1)) {
            lostAt = 2;
        } else if (!p.exitSyscall(HOLDER)) {
            lostAt = 3;
        } else if (!p.leaveG(HOLDER)) {
            lostAt = 4;
        } else {
            holderOverlapped |= inside.getAndIncrement() != 0; // scheduler code: holds it from now on
        }
    }

    @Actor
    public void sysmon() {
        long seen = p.state();
        long status = P.statusOf(seen);
        if (status != P.IN_G && status != P.SYSCALL) {
            sysmon = 0;
            return;
        }
        boolean took = p.handOff(seen);
        sysmon = (status == P.IN_G ? 1 : 3) + (took ? 0 : 1);
        if (took) {
            p.hold(NEW_HOLDER);
            sysmonOverlapped |= inside.getAndIncrement() != 0;
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = lostAt;
        r.r2 = sysmon;
        r.r3 = holderOverlapped || sysmonOverlapped ? 1 : 0;
        long word = p.state();
        r.r4 = word == P.word(HOLDER, P.SCHED) ? 1 : word == P.word(NEW_HOLDER, P.SCHED) ? 2 : 9;
    }
}
