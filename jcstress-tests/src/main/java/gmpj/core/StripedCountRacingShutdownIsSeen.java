package gmpj.core;

import java.util.concurrent.RejectedExecutionException;
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
 * The count-then-check-shutdown hand-shake of {@link Lifecycle}, driven by hand on a scheduler
 * whose threads never start: a goroutine spawned from outside ({@link Scheduler#go}: it adds one to
 * the {@link StripedCounter} of outside spawns, then reads the shutdown flag) against
 * {@link Scheduler#shutdown()} (it writes the flag, then takes the termination decision, which sums
 * that counter). The only processor is idle, so the decision rests on the count alone.
 *
 * <p>Checked against broken code: with the spawner reading the flag before it counts (check, then
 * count) it reports the forbidden {@code 1, 1, 1} a few hundred times in a quick run. With
 * {@link StripedCounter#add} a release store of the slot's value plus one (no store-load fence
 * before the read of the flag) it reports {@code 1, 1, 1} too, but rarely (1 and 15 samples in two
 * quick runs of about 1.2 million): on x86 the spawner's count must still sit in its store buffer
 * while the terminator writes the flag, takes the idle lock and sums. {@link StripedCountRacingFlagIsSeen},
 * the same pair with nothing in between, catches that one tens of thousands of times (see
 * {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("procs(1), the only processor idle (its carrier found nothing), nobody spinning. A thread outside "
        + "spawns a goroutine: it counts it in the striped counter of outside spawns (a full-fence add), then reads the "
        + "shutdown flag: if set, it takes the count back, checks the termination decision itself and throws "
        + "RejectedExecutionException; otherwise it queues the goroutine on the global queue and wakes a carrier "
        + "(wakep, under the idle lock, takes the processor off the idle list unless the scheduler is stopping). "
        + "Meanwhile another thread shuts the scheduler down: it sets the flag (volatile), then takes the decision "
        + "under the idle lock: terminated if shut down, every processor idle and no goroutine live (the counter's "
        + "sum, each slot read volatile). Either the spawner sees the flag, or the terminator counts the goroutine. "
        + "Result: 1 if the spawn was accepted (0: rejected), 1 if termination was decided, goroutines left in "
        + "the global queue.")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE,
        desc = "The spawn was counted before the decision: not terminated; the goroutine is queued and will run.")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE,
        desc = "The spawner saw the flag: rejected; the scheduler terminated (decided by either side).")
@Outcome(id = "1, 1, 1", expect = FORBIDDEN,
        desc = "Terminated with a goroutine accepted and queued: the spawner missed the flag and the terminator "
                + "missed the count; the goroutine never runs and its spawner was told it would.")
@Outcome(id = "0, 0, 0", expect = FORBIDDEN,
        desc = "Rejected, yet nobody decided termination: shut down, all idle, nothing live, and never terminates.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome: a goroutine lost, or queued after a rejection.")
@State
public class StripedCountRacingShutdownIsSeen {
    private final Scheduler s = Fixtures.unstarted(1);
    private int accepted;

    public StripedCountRacingShutdownIsSeen() {
        s.idle.park(s.ps[0]); // the carrier found nothing and put its processor on the idle list
    }

    @Actor
    public void spawner() {
        try {
            s.go(Fixtures.NEVER_RUN);
            accepted = 1;
        } catch (RejectedExecutionException e) {
            accepted = 0;
        }
    }

    @Actor
    public void terminator() {
        s.shutdown();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = accepted;
        r.r2 = s.isTerminated() ? 1 : 0;
        r.r3 = s.global.size();
    }
}
