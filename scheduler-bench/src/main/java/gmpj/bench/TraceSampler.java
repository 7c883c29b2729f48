package gmpj.bench;

import gmpj.core.Scheduler;
import gmpj.core.SchedulerStats;
import java.io.PrintStream;

/**
 * Prints a scheduler's {@link SchedulerStats#traceLine()} every period while open, like Go's
 * {@code GODEBUG=schedtrace=100}: a live view of idle processors, spinning carriers, the global
 * queue and each processor's local queue.
 *
 * <p>Runs on its own platform thread (never a goroutine: sampling must not disturb the run queues
 * it reports). Closing it stops the thread and waits for it.
 */
final class TraceSampler implements AutoCloseable {
    private final Thread thread;

    private TraceSampler(Thread thread) {
        this.thread = thread;
    }

    /** Starts printing {@code scheduler}'s trace line to {@code out} now and every {@code periodMillis}. */
    static TraceSampler start(Scheduler scheduler, long periodMillis, PrintStream out) {
        long start = System.nanoTime();
        Thread t = Thread.ofPlatform().daemon().name("schedtrace").start(() -> {
            try {
                for (long tick = 0; ; tick++) {
                    SchedulerStats st = scheduler.stats();
                    out.printf("    schedtrace %4d ms: %s timers=%d%n",
                            (System.nanoTime() - start) / 1_000_000, st.traceLine(), st.timers());
                    long next = start + (tick + 1) * periodMillis * 1_000_000;
                    Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                }
            } catch (InterruptedException e) {
                // closed: stop sampling
            }
        });
        return new TraceSampler(t);
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the sampler stops anyway; keep the caller's interrupt
        }
    }
}
