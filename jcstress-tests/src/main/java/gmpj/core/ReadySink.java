package gmpj.core;

import java.util.HashSet;
import java.util.Set;

/**
 * A scheduler that never runs anything, for tests that drive {@link G}'s park protocol by hand.
 *
 * <p>{@link G#unpark()} hands the goroutine it wakes to {@code scheduler.ready(g)}. A live
 * scheduler would then run the fixture goroutine; this one never started its threads, so whatever
 * is readied just lands in its global queue, where a test can look for it. (A scheduler that was
 * shut down would not do: it abandons a goroutine readied after it stopped.) Built once per JVM.
 */
final class ReadySink {
    private static final Scheduler STOPPED = stoppedScheduler();
    /**
     * Goroutines taken out of the global queue but not yet claimed by their own sample. The
     * queue is shared by every sample in flight, so one arbiter may drain another sample's
     * goroutine; that sample's arbiter then finds it here. Guarded by the class lock: jcstress
     * runs arbiters on several threads at once, and a goroutine polled by one of them must be in
     * this set before another looks for it.
     */
    private static final Set<G> READIED = new HashSet<>();

    private ReadySink() {}

    private static Scheduler stoppedScheduler() {
        return Scheduler.builder().procs(1).name("jcstress-ready-sink").buildUnstarted();
    }

    /** A fresh goroutine of the stopped scheduler, in state RUNNING as if a carrier had mounted it. */
    static G runningG(long id) {
        G g = new G(STOPPED, id, null, Fixtures.NEVER_RUN);
        g.toRunning();
        return g;
    }

    /** Whether {@code g} was readied (queued by {@code Scheduler.ready}); forgets it. Call after the actors. */
    static synchronized boolean wasReadied(G g) {
        for (G x; (x = STOPPED.global.poll()) != null; ) {
            READIED.add(x);
        }
        return READIED.remove(g);
    }
}
