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
 * Sysmon's deep sleep against a processor going busy, driven by hand on a scheduler whose threads
 * never start: sysmon's decision to sleep ({@link Sysmon#beginDeepSleep}, everything but the park)
 * against {@code wakep} taking the idle processor and calling {@link Sysmon#wake()}.
 *
 * <p>No thread parks here: sysmon's park would return at once if {@code wake()} unparked it, and
 * {@code wake()} unparks exactly when it clears {@code sleeping}, so a {@code sleeping} flag still
 * set after the race means nobody unparked a sysmon that decided to sleep.
 *
 * <p>Checked against broken code: with {@code sleeping} published after the read of the idle count
 * instead of before it, and with {@code sleeping} not volatile, it reports the forbidden
 * {@code 1, 1, 0} (see {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("procs(1), its processor idle, no timer, no trace, no goroutine. Sysmon decides to sleep until woken: "
        + "it sets its volatile 'sleeping' flag, then reads the idle count; if every processor is idle it parks "
        + "(until woken: nothing else is due). Meanwhile a submitter's wakep takes the processor off the idle list "
        + "(idle count 1 -> 0) and then calls sysmon's wake(), which, if it sees 'sleeping', clears it and unparks "
        + "sysmon. Dekker: either sysmon sees the busy processor, or wake() sees the flag. "
        + "Result: 1 if sysmon decided to sleep until woken (0: it saw the busy processor), 1 if 'sleeping' is still "
        + "set (wake() did not see it, so did not unpark), the idle count.")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "Sysmon went to sleep; wake() saw it and unparked it.")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE,
        desc = "Sysmon saw the busy processor and stays awake; wake() came before the flag and had nothing to do.")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE,
        desc = "Sysmon saw the busy processor, and wake() also saw the flag: a spare unpark (its next park returns at once).")
@Outcome(id = "1, 1, 0", expect = FORBIDDEN,
        desc = "Lost wake-up: sysmon sleeps until woken while a processor is busy, and nobody will wake it.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome (the processor must end up busy).")
@State
public class SysmonSleepRacingWakeIsNeverLost {
    private final Scheduler s = Fixtures.unstarted(1);
    private final Sysmon sysmon = s.sysmon;
    private boolean sleepsUntilWoken;

    public SysmonSleepRacingWakeIsNeverLost() {
        s.idle.park(s.ps[0]);
    }

    @Actor
    public void sysmon() {
        long now = 0; // any: with nothing due, the decision is "until woken" (Long.MAX_VALUE) or "not at all" (now)
        sleepsUntilWoken = sysmon.beginDeepSleep(now) == Long.MAX_VALUE;
    }

    @Actor
    public void waker() {
        s.idle.wakeIfIdle(); // as a submitter does after publishing work: wakep takes the processor and wakes sysmon
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = sleepsUntilWoken ? 1 : 0;
        r.r2 = sysmon.sleeping ? 1 : 0;
        r.r3 = s.idle.idleCount();
    }
}
