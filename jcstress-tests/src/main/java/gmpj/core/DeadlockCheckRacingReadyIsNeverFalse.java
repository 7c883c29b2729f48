package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The deadlock detector's decision ({@link Deadlocks#stalled}, which {@code Sysmon.checkDeadlock}
 * requires to hold for the whole grace period before it reports) against a thread outside waking
 * the only goroutine, driven by hand on a scheduler whose threads never start.
 *
 * <p>Each side writes a volatile flag when it is done and reads the other's before it starts, so
 * the outcome tells apart "sysmon looked before the wake-up began", "after it had queued the
 * goroutine" and "during it". The first two have one right answer each; during, both answers can
 * come out, and a "yes" may be a snapshot that was true at no instant (see the outcome's description).
 *
 * <p>Checked against broken code: with {@link Deadlocks#idleOnTheSurface} not looking at the idle
 * count and {@link Deadlocks#census} counting every goroutine without a timer as parked, it
 * reports the forbidden {@code 0, 1, 1} and {@code 0, 2, 1} (see {@code docs/jcstress-mutants.md}
 * for the counts). Either mistake alone is masked by the other check: with wakep not taking the
 * processor off the idle half of the word, or with the idle count ignored, the census still sees
 * the readied goroutine. These are mistakes of logic: the flags that order the two sides are
 * volatile, so a mistake in the order of the production reads and writes could only change how
 * often the allowed {@code 0, 0, 1} shows.
 */
@JCStressTest
@Description("procs(1), its processor idle, no timer, no blocking call, one goroutine parked (WAITING): everything is "
        + "asleep. A thread outside unparks the goroutine (WAITING -> RUNNABLE, global queue, wakep takes the processor "
        + "off the idle list), then, playing the carrier wakep woke, takes it from the global queue and runs it. "
        + "Meanwhile sysmon decides whether everything is asleep: idle count == procs, no blocking call, no timer, "
        + "global queue empty, goroutines alive, read one after another without a lock. "
        + "Result: 1 if the waker saw sysmon's decision already made when it began; how far the wake-up had gone when "
        + "sysmon began (0 not done, 1 queued with its processor taken, 2 running); 1 if sysmon decided that "
        + "everything is asleep.")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE,
        desc = "Sysmon decided before the wake-up began, when everything was asleep: right.")
@Outcome(id = "1, 0, 0", expect = FORBIDDEN,
        desc = "Sysmon decided before the wake-up began, yet missed that everything was asleep.")
@Outcome(id = "0, [12], 0", expect = ACCEPTABLE,
        desc = "Sysmon began after the goroutine was queued (or running) and its processor taken: not asleep.")
@Outcome(id = "0, [12], 1", expect = FORBIDDEN,
        desc = "False deadlock: the goroutine was queued or running on a busy processor before sysmon began to look, "
                + "yet it saw everything asleep.")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "During the wake-up; sysmon saw it (a busy processor or a queued goroutine).")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "During the wake-up; sysmon saw everything asleep. Either all its reads came before the wake-up (true "
                + "then), or it read the idle count before wakep took the processor and the global queue after the "
                + "carrier took the goroutine: true at no instant. Allowed because sysmon reports only after seeing it "
                + "in every round for the grace period: a round after this one sees the busy processor, unless this "
                + "is the last round, where it means a goroutine asleep for the whole grace was woken from outside "
                + "during the reads, as if just after a true report.")
@Outcome(expect = FORBIDDEN, desc = "Each side saw the other done before it began: impossible.")
@State
public class DeadlockCheckRacingReadyIsNeverFalse {
    private final Scheduler s = Fixtures.unstarted(1);
    private final G g;
    private volatile boolean decided;
    /** How far the wake-up has gone: 0 not done, 1 queued with its processor taken, 2 running. */
    private volatile int stage;
    private boolean wakerSawDecided;
    private int sysmonSawStage;
    private boolean asleep;

    public DeadlockCheckRacingReadyIsNeverFalse() {
        s.go(Fixtures.NEVER_RUN); // counted as alive
        g = s.global.poll();
        g.toRunning(); // a carrier ran it...
        g.commitPark(null); // ...and it parked, with nobody to unpark it but the waker below
        s.idle.park(s.ps[0]);
    }

    @Actor
    public void waker() {
        wakerSawDecided = decided;
        g.unpark();
        stage = 1;
        G taken = s.global.poll(); // the carrier wakep woke takes it...
        taken.toRunning(); // ...and runs it
        stage = 2;
    }

    @Actor
    public void sysmon() {
        sysmonSawStage = stage;
        asleep = s.deadlocks.stalled() != null;
        decided = true;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = wakerSawDecided ? 1 : 0;
        r.r2 = sysmonSawStage;
        r.r3 = asleep ? 1 : 0;
    }
}
