package gmpj.bench;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@value #TASKS} tasks that each sleep {@value #SLEEP_MILLIS} ms, started by the benchmark thread
 * and joined with {@link Countdown}: milliseconds per invocation. gmpj goroutines sleep with
 * {@link Gmp#sleep} (a timer, the carrier freed), virtual threads with {@link Thread#sleep} (the
 * JDK's timer, the carrier freed), each on {@code procs} carriers.
 *
 * <p>An invocation can take no less than {@value #SLEEP_MILLIS} ms; what is above it is the cost
 * of starting, parking on a timer, firing it and finishing {@value #TASKS} tasks, the part that
 * differs between the runtimes. Read the results as {@code time - 10 ms}.
 *
 * <p>No fixed platform-thread pool baseline: a sleeping task holds its pool thread, so
 * {@code procs} threads would sleep their way through the tasks {@code procs} at a time,
 * {@value #TASKS} × {@value #SLEEP_MILLIS} ms / {@code procs} (minutes) per invocation; that
 * measures the pool's size, not a scheduler.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class SleepersBench {
    /** Sleeping tasks per invocation. */
    static final int TASKS = 100_000;
    /** How long each task sleeps. */
    static final long SLEEP_MILLIS = 10;
    private static final Duration SLEEP = Duration.ofMillis(SLEEP_MILLIS);

    /** Processors (gmpj) or carriers (virtual threads). */
    @Param({"1", "2"})
    public int procs;

    private final Countdown done = new Countdown();

    /** The gmpj scheduler under test. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        Scheduler scheduler;

        @Setup(Level.Trial)
        public void start(SleepersBench bench) {
            scheduler = Scheduler.builder().procs(bench.procs).name("sleepers-bench").build();
        }

        @TearDown(Level.Trial)
        public void stop() {
            scheduler.close();
        }
    }

    /** The JDK's virtual-thread scheduler with {@code procs} carriers. */
    @State(Scope.Benchmark)
    public static class VirtualThreads {
        @Setup(Level.Trial)
        public void start(SleepersBench bench) {
            VirtualThreadScheduler.parallelism(bench.procs);
        }
    }

    @Benchmark
    public void gmpjSleep(Gmpj state) {
        Scheduler s = state.scheduler;
        Runnable sleeper = () -> {
            Gmp.sleep(SLEEP);
            done.countDown();
        };
        done.reset(TASKS);
        for (int i = 0; i < TASKS; i++) {
            s.go(sleeper);
        }
        done.await();
    }

    @Benchmark
    public void virtualThreadsSleep(VirtualThreads state) {
        Runnable sleeper = () -> {
            try {
                Thread.sleep(SLEEP);
            } catch (InterruptedException e) {
                throw new IllegalStateException("a sleeping virtual thread was interrupted", e);
            }
            done.countDown();
        };
        done.reset(TASKS);
        for (int i = 0; i < TASKS; i++) {
            Thread.startVirtualThread(sleeper);
        }
        done.await();
    }
}
