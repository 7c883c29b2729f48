package gmpj.bench;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.util.concurrent.TimeUnit;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one yield costs, from the JDK's floor up: a bare continuation resumed and yielded
 * ({@code rawContinuationFloor}), a goroutine's {@link Gmp#yield()} on one processor alone and
 * with a partner, and a virtual thread's {@link Thread#yield()} on one carrier.
 *
 * <p>Every result is nanoseconds per yield. The gmpj and virtual-thread figures include, spread
 * over {@value #YIELDS} yields, starting and joining the goroutines (or threads) that yield: a few
 * microseconds, under 1 ns a yield. Read {@code gmpjYield / rawContinuationFloor} as the price of
 * the scheduler loop (state changes, run queue, counters) on top of the JDK's mount and unmount.
 *
 * <p>No fixed platform-thread pool baseline: a pool task cannot yield to the task queued behind
 * it on the same thread ({@link Thread#yield()} there is the kernel's {@code sched_yield}, which
 * returns to the same task), so there is no equivalent operation to time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
public class YieldBench {
    /** Yields per benchmark invocation: enough to make the start and join of the yielders negligible. */
    static final int YIELDS = 10_000;

    /** A continuation that yields forever: each {@code run()} is exactly one mount, yield, unmount. */
    @State(Scope.Thread)
    public static class RawContinuation {
        private static final ContinuationScope SCOPE = new ContinuationScope("yield-bench");
        Continuation continuation;

        @Setup(Level.Trial)
        public void create() {
            continuation = new Continuation(SCOPE, () -> {
                for (;;) {
                    Continuation.yield(SCOPE);
                }
            });
        }
    }

    /** A gmpj scheduler with one processor, so a yield never leaves its carrier thread. */
    @State(Scope.Benchmark)
    public static class OneProc {
        Scheduler scheduler;

        @Setup(Level.Trial)
        public void start() {
            scheduler = Scheduler.builder().procs(1).name("yield-bench").build();
        }

        @TearDown(Level.Trial)
        public void stop() {
            scheduler.close();
        }
    }

    /** The JDK's virtual-thread scheduler cut down to one carrier, like {@link OneProc}. */
    @State(Scope.Benchmark)
    public static class OneCarrier {
        @Setup(Level.Trial)
        public void start() {
            VirtualThreadScheduler.parallelism(1);
        }
    }

    @Benchmark
    public void rawContinuationFloor(RawContinuation state) {
        state.continuation.run();
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void gmpjYield(OneProc state) {
        state.scheduler.submit(() -> gmpjYields(YIELDS)).join();
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void gmpjTwoYieldersOneP(OneProc state) {
        Task<Void> a = state.scheduler.submit(() -> gmpjYields(YIELDS / 2));
        Task<Void> b = state.scheduler.submit(() -> gmpjYields(YIELDS / 2));
        a.join();
        b.join();
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void virtualThreadYield(OneCarrier state) throws InterruptedException {
        Thread.ofVirtual().start(() -> threadYields(YIELDS)).join();
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void virtualThreadTwoYielders(OneCarrier state) throws InterruptedException {
        Thread a = Thread.ofVirtual().start(() -> threadYields(YIELDS / 2));
        Thread b = Thread.ofVirtual().start(() -> threadYields(YIELDS / 2));
        a.join();
        b.join();
    }

    private static void gmpjYields(int n) {
        for (int i = 0; i < n; i++) {
            Gmp.yield();
        }
    }

    private static void threadYields(int n) {
        for (int i = 0; i < n; i++) {
            Thread.yield();
        }
    }
}
