package gmpj.bench;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import gmpj.core.Trace;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the execution trace costs: the same goroutine switches with nobody observing
 * ({@code yieldUntraced}, {@code pingPongUntraced}: the baselines) and observed ({@code yield},
 * {@code pingPong}) with a window recording ({@code mode=window}: {@link Scheduler#startTrace}, every
 * event kept) and with a flight recorder ({@code flight}: {@link Scheduler.Builder#flightRecorder},
 * buffers recycled past a one-second window), and with the latency histograms alone
 * ({@code latency}: {@link Scheduler.Builder#latencyHistograms}, two clock reads and two histogram
 * records per switch). One processor, so every switch is on one carrier.
 *
 * <p>{@code yield}: two goroutines yield to each other, {@value #YIELDS} yields per invocation; each
 * yield records two events (the stop and the next start). {@code pingPong}: two goroutines park
 * and unpark each other through {@link Rally}, {@value #ROUNDS} round trips; each hit records
 * three (the park, the ready, the start). Results are nanoseconds per yield or per hit, so
 * {@code (observed - untraced) / events per operation} is the cost of one event; the window mode
 * prints the exact events per operation it saw at the end of each iteration.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms6g", "-Xmx6g"})
public class TraceBench {
    static final int YIELDS = 10_000;
    static final int ROUNDS = 5_000;
    /** The window recording's bound: big enough that a one-second iteration drops nothing. */
    static final long WINDOW_BYTES = 3L << 30;

    /** A one-processor scheduler nobody observes: the baseline. */
    @State(Scope.Benchmark)
    public static class Untraced {
        Scheduler scheduler;
        Primitives gmpj;

        @Setup(Level.Trial)
        public void start() {
            scheduler = Scheduler.builder().procs(1).name("trace-bench-untraced").build();
            gmpj = Primitives.gmpj(scheduler);
        }

        @TearDown(Level.Trial)
        public void stop() {
            scheduler.close();
        }
    }

    /** A one-processor scheduler observed in one of three ways. */
    @State(Scope.Benchmark)
    public static class Traced {
        @Param({"window", "flight", "latency"})
        public String mode;
        Scheduler scheduler;
        Primitives gmpj;
        long switches;

        @Setup(Level.Trial)
        public void start() {
            Scheduler.Builder b = Scheduler.builder().procs(1).name("trace-bench");
            switch (mode) {
                case "flight" -> b.flightRecorder(Duration.ofSeconds(1));
                case "latency" -> b.latencyHistograms(true);
                case "window" -> { }
                default -> throw new IllegalArgumentException("mode must be window, flight or latency, got " + mode);
            }
            scheduler = b.build();
            gmpj = Primitives.gmpj(scheduler);
        }

        @Setup(Level.Iteration)
        public void begin() {
            switches = 0;
            if (mode.equals("window")) {
                scheduler.startTrace(WINDOW_BYTES);
            }
        }

        @TearDown(Level.Iteration)
        public void end() {
            if (mode.equals("window")) {
                Trace t = scheduler.stopTrace();
                System.out.printf("%n  trace: %,d events for %,d switches (%.3f per switch), %,d dropped%n",
                        t.events().size(), switches, (double) t.events().size() / Math.max(1, switches), t.droppedEvents());
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            scheduler.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void yieldUntraced(Untraced state) {
        yieldPair(state.scheduler);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void yield(Traced state) {
        yieldPair(state.scheduler);
        state.switches += YIELDS;
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public boolean pingPongUntraced(Untraced state) {
        return Workloads.pingPong(state.gmpj, ROUNDS).ok();
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public boolean pingPong(Traced state) {
        state.switches += 2 * ROUNDS;
        return Workloads.pingPong(state.gmpj, ROUNDS).ok();
    }

    /** Two goroutines that yield {@value #YIELDS} times between them. */
    private static void yieldPair(Scheduler s) {
        Task<Void> a = s.submit(() -> yields(YIELDS / 2));
        Task<Void> b = s.submit(() -> yields(YIELDS / 2));
        a.join();
        b.join();
    }

    private static void yields(int n) {
        for (int i = 0; i < n; i++) {
            Gmp.yield();
        }
    }
}
