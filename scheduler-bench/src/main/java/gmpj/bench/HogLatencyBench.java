package gmpj.bench;

import gmpj.core.Gmp;
import gmpj.core.HogPolicy;
import gmpj.core.Scheduler;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The other side of sysmon's hog hand-off: how long a goroutine waits behind goroutines that
 * compute without yielding. Before each invocation (outside the measured time) {@code procs} hogs
 * start, one after the other, each computing for {@value #HOG_MILLIS} ms without a checkpoint, so
 * that every processor is held by one; the invocation measures one wait:
 * <ul>
 *   <li>{@code queued}: the first hog spawns a goroutine (queued on its own processor, as a
 *       goroutine that starts a child and then computes does) and computes on; measured from the
 *       moment it is told to spawn until the child has run;</li>
 *   <li>{@code dueSleeper}: a goroutine sleeps {@value #SLEEP_MILLIS} ms at a time from before the
 *       hogs start; measured from the moment they all run (its timer due within
 *       {@value #SLEEP_MILLIS} ms, on a processor a hog holds) until it has run again.</li>
 * </ul>
 * After the invocation the hogs run to their end. Under {@code HogPolicy.HAND_OFF} (the default)
 * sysmon hands a hog's processor to another carrier once the hog has computed for two time
 * slices, so either wait is a few time slices; under {@code REPORT_ONLY} it is most of the hog's
 * run, which is what the hand-off buys. The same on virtual threads, whose scheduler does nothing
 * about a hog, for comparison. gmpj's hand-offs are counted too, as the JMH secondary result
 * {@code handoffs} (a total over the measured invocations: divide by the number of invocations,
 * the measured time over the score).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class HogLatencyBench {
    /** How long each hog computes without yielding. */
    static final long HOG_MILLIS = 200;
    /** How long the sleeper sleeps at a time: its next deadline is this far at most once the hogs hold every processor. */
    static final long SLEEP_MILLIS = 1;

    /** Processors (gmpj) or carriers (virtual threads), and hogs. */
    @Param({"1", "2"})
    public int procs;

    /** The gmpj scheduler under test. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        /** {@link HogPolicy} by name: whether sysmon hands a hog's processor off. */
        @Param({"HAND_OFF", "REPORT_ONLY"})
        public String hogPolicy;

        /** The scheduler's time slice, in milliseconds. */
        @Param({"10"})
        public long timeSliceMs;

        Scheduler scheduler;

        @Setup(Level.Trial)
        public void start(HogLatencyBench bench) {
            scheduler = Scheduler.builder().procs(bench.procs).hogPolicy(HogPolicy.valueOf(hogPolicy))
                    .timeSlice(Duration.ofMillis(timeSliceMs)).diagnostics(line -> { }).name("hog-latency").build();
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
        public void start(HogLatencyBench bench) {
            VirtualThreadScheduler.parallelism(bench.procs);
        }
    }

    /**
     * gmpj's hand-offs as a JMH secondary result, read from the scheduler's stats around each
     * invocation, its fixtures included. JMH adds EVENTS counters up over the measured iterations.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class HandOffs {
        /** Processors sysmon handed from a carrier to another. */
        public long handoffs;
        private long before;

        @Setup(Level.Iteration)
        public void reset() {
            handoffs = 0;
        }

        @Setup(Level.Invocation)
        public void before(Gmpj gmpj) {
            before = gmpj.scheduler.stats().handoffs();
        }

        @TearDown(Level.Invocation)
        public void after(Gmpj gmpj) {
            handoffs += gmpj.scheduler.stats().handoffs() - before;
        }
    }

    /** One invocation of {@code queued} on gmpj: the hogs start before it and end after it. */
    @State(Scope.Thread)
    public static class GmpjQueued {
        final QueuedBehindHogs round = new QueuedBehindHogs();

        @Setup(Level.Invocation)
        public void start(Gmpj gmpj, HogLatencyBench bench) {
            round.start(gmpj.scheduler::go, bench.procs);
        }

        @TearDown(Level.Invocation)
        public void finish() {
            round.finish();
        }
    }

    /** One invocation of {@code dueSleeper} on gmpj. */
    @State(Scope.Thread)
    public static class GmpjSleeper {
        final SleeperBehindHogs round = new SleeperBehindHogs();

        @Setup(Level.Invocation)
        public void start(Gmpj gmpj, HogLatencyBench bench) {
            round.start(gmpj.scheduler::go, Gmp::sleep, bench.procs);
        }

        @TearDown(Level.Invocation)
        public void finish() {
            round.finish();
        }
    }

    /** One invocation of {@code virtualThreadsQueued}. */
    @State(Scope.Thread)
    public static class VirtualThreadsQueued {
        final QueuedBehindHogs round = new QueuedBehindHogs();

        @Setup(Level.Invocation)
        public void start(VirtualThreads vt, HogLatencyBench bench) {
            round.start(Thread::startVirtualThread, bench.procs);
        }

        @TearDown(Level.Invocation)
        public void finish() {
            round.finish();
        }
    }

    /** One invocation of {@code virtualThreadsDueSleeper}. */
    @State(Scope.Thread)
    public static class VirtualThreadsSleeper {
        final SleeperBehindHogs round = new SleeperBehindHogs();

        @Setup(Level.Invocation)
        public void start(VirtualThreads vt, HogLatencyBench bench) {
            round.start(Thread::startVirtualThread, HogLatencyBench::threadSleep, bench.procs);
        }

        @TearDown(Level.Invocation)
        public void finish() {
            round.finish();
        }
    }

    @Benchmark
    public void queued(GmpjQueued state, HandOffs handOffs) {
        state.round.await();
    }

    @Benchmark
    public void dueSleeper(GmpjSleeper state, HandOffs handOffs) {
        state.round.await();
    }

    @Benchmark
    public void virtualThreadsQueued(VirtualThreadsQueued state) {
        state.round.await();
    }

    @Benchmark
    public void virtualThreadsDueSleeper(VirtualThreadsSleeper state) {
        state.round.await();
    }

    /** How a runtime sleeps (the calling goroutine or thread). */
    interface Sleep {
        void sleep(Duration d);
    }

    private static void threadSleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            throw new IllegalStateException("a sleeping virtual thread was interrupted", e);
        }
    }

    /**
     * {@code queued}: {@link #start} starts the hogs and returns once all of them run; {@link #await}
     * tells the first to spawn its child and waits until the child has run; {@link #finish} waits
     * for the hogs. All three on the benchmark thread.
     */
    static final class QueuedBehindHogs {
        private final AtomicInteger running = new AtomicInteger();
        private final Countdown hogsDone = new Countdown();
        private final Countdown childDone = new Countdown();
        private volatile boolean spawn;

        void start(Executor start, int hogs) {
            spawn = false;
            hogsDone.reset(hogs);
            childDone.reset(1);
            Runnable child = childDone::countDown;
            startHogs(start, hogs, running, hogsDone, () -> {
                while (!spawn) {
                    compute(System.nanoTime()); // a few microseconds at a time, no checkpoint
                }
                start.execute(child);
            });
        }

        void await() {
            spawn = true;
            childDone.await();
        }

        void finish() {
            hogsDone.await();
        }
    }

    /**
     * {@code dueSleeper}: {@link #start} starts the sleeper, which sleeps {@value #SLEEP_MILLIS} ms at
     * a time until told to stop, then the hogs, and returns once all of them run and the sleeper is
     * told; {@link #await} waits until the sleeper has woken once more and seen it; {@link #finish}
     * waits for the hogs.
     */
    static final class SleeperBehindHogs {
        private final AtomicInteger running = new AtomicInteger();
        private final AtomicInteger sleeping = new AtomicInteger();
        private final Countdown hogsDone = new Countdown();
        private final Countdown sleeperDone = new Countdown();
        private volatile boolean stop;

        void start(Executor start, Sleep sleep, int hogs) {
            sleeping.set(0);
            stop = false;
            hogsDone.reset(hogs);
            sleeperDone.reset(1);
            start.execute(() -> {
                sleeping.set(1);
                while (!stop) {
                    sleep.sleep(Duration.ofMillis(SLEEP_MILLIS));
                }
                sleeperDone.countDown();
            });
            awaitValue(sleeping, 1);
            startHogs(start, hogs, running, hogsDone, () -> { });
            stop = true;
        }

        void await() {
            sleeperDone.await();
        }

        void finish() {
            hogsDone.await();
        }
    }

    /**
     * Starts {@code hogs} hogs one after the other, each once the one before runs (started together
     * from outside, two could queue on one processor while another stays idle), and returns once
     * all run. The first runs {@code first} before it computes. Each counts down {@code done} at its end.
     */
    private static void startHogs(Executor start, int hogs, AtomicInteger running, Countdown done, Runnable first) {
        running.set(0);
        for (int i = 0; i < hogs; i++) {
            Runnable before = i == 0 ? first : () -> { };
            start.execute(() -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOG_MILLIS);
                running.incrementAndGet();
                before.run();
                compute(end);
                done.countDown();
            });
            awaitValue(running, i + 1);
        }
    }

    /** Waits on the benchmark thread, polling every 10 µs, until {@code value} reaches {@code target}. */
    private static void awaitValue(AtomicInteger value, int target) {
        while (value.get() < target) {
            LockSupport.parkNanos(10_000);
        }
    }

    /** Xorshift steps until {@code end} (System.nanoTime), at least 1,000, without a checkpoint: a hog. */
    private static void compute(long end) {
        long x = end | 1;
        do {
            for (int i = 0; i < 1_000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
        } while (System.nanoTime() - end < 0);
        if (x == 0) {
            throw new IllegalStateException("xorshift never reaches 0 from a non-zero seed");
        }
    }
}
