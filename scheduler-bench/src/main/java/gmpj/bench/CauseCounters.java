package gmpj.bench;

import gmpj.core.Scheduler;
import gmpj.core.SchedulerStats;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a second processor costs a gmpj benchmark, by cause, as JMH secondary results: the
 * scheduler's counters read from {@link Scheduler#stats()} before and after each invocation,
 * outside the timed part. JMH adds EVENTS counters up over the measured iterations, so these are
 * totals; the report divides them by {@code invocations}.
 *
 * <p>A benchmark that takes this state names its scheduler in its trial setup
 * ({@link #watch(Scheduler)}): one benchmark runs at a time in a JMH fork. The causes:
 * <ul>
 *   <li>{@code wakeups}: carriers woken from an idle wait, and {@code futileWakeups}: those handed
 *       the spinning role that went idle again without finding work;</li>
 *   <li>{@code steals} and {@code runnextSteals}: successful steals, and those that took a busy
 *       processor's runnext goroutine (the partner it had just readied);</li>
 *   <li>{@code runnextSpared}: runnext goroutines a thief left because their processor was
 *       switching; {@code lingers}: naps a spinning carrier took waiting for such a processor;</li>
 *   <li>{@code crossReadies}: goroutines readied from goroutine code that last ran on another
 *       carrier (an unpark that moves a goroutine between processors);</li>
 *   <li>{@code globalTakes}: batches taken from the global queue.</li>
 * </ul>
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CauseCounters {
    private static volatile Scheduler watched;

    /** Invocations measured in this iteration. */
    public long invocations;
    public long wakeups;
    public long futileWakeups;
    public long steals;
    public long runnextSteals;
    public long runnextSpared;
    public long lingers;
    public long crossReadies;
    public long globalTakes;
    private SchedulerStats before;

    /** The scheduler whose counters the next invocations read. */
    public static void watch(Scheduler s) {
        watched = s;
    }

    @Setup(Level.Iteration)
    public void reset() {
        invocations = 0;
        wakeups = 0;
        futileWakeups = 0;
        steals = 0;
        runnextSteals = 0;
        runnextSpared = 0;
        lingers = 0;
        crossReadies = 0;
        globalTakes = 0;
    }

    @Setup(Level.Invocation)
    public void before() {
        Scheduler s = watched;
        if (s == null) {
            throw new IllegalStateException("CauseCounters: the benchmark's trial setup named no scheduler (watch)");
        }
        before = s.stats();
    }

    @TearDown(Level.Invocation)
    public void after() {
        SchedulerStats a = watched.stats();
        SchedulerStats b = before;
        wakeups += a.wakeups() - b.wakeups();
        futileWakeups += a.futileWakeups() - b.futileWakeups();
        steals += a.steals() - b.steals();
        runnextSteals += a.runnextSteals() - b.runnextSteals();
        runnextSpared += a.runnextSpared() - b.runnextSpared();
        lingers += a.lingers() - b.lingers();
        crossReadies += a.crossReadies() - b.crossReadies();
        globalTakes += a.globalTakes() - b.globalTakes();
        invocations++;
    }
}
