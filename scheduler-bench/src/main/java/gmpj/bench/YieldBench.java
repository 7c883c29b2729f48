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
import org.openjdk.jmh.annotations.Param;
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
 * <p>{@code gmpjYieldersPerProc} and {@code virtualThreadYieldersPerProc} spread the yields over
 * {@code procs} processors (carriers): {@value #YIELDERS_PER_PROC} yielders per processor, which
 * share {@value #SPREAD_YIELDS} yields equally, so that the total work is the same at every count
 * and the time per yield falls as processors are added only if the scheduler lets them work
 * apart. {@code procs} must divide {@value #SPREAD_YIELDS} / {@value #YIELDERS_PER_PROC}.
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
    /** Yields per invocation of the benchmarks spread over {@code procs} processors: 1,000 per yielder at 16. */
    static final int SPREAD_YIELDS = 32_000;
    /** Yielders per processor in those benchmarks: two, so that a yield always has someone to yield to. */
    static final int YIELDERS_PER_PROC = 2;

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

    /** A gmpj scheduler with {@code procs} processors. */
    @State(Scope.Benchmark)
    public static class Procs {
        @Param({"1", "2"})
        public int procs;
        Scheduler scheduler;
        int yieldsEach;

        @Setup(Level.Trial)
        public void start() {
            yieldsEach = yieldsPerYielder(procs);
            scheduler = Scheduler.builder().procs(procs).name("yield-bench").build();
        }

        @TearDown(Level.Trial)
        public void stop() {
            scheduler.close();
        }
    }

    /** The JDK's virtual-thread scheduler with {@code procs} carriers, like {@link Procs}. */
    @State(Scope.Benchmark)
    public static class Carriers {
        @Param({"1", "2"})
        public int procs;
        int yieldsEach;

        @Setup(Level.Trial)
        public void start() {
            yieldsEach = yieldsPerYielder(procs);
            VirtualThreadScheduler.parallelism(procs);
        }
    }

    /** The yields of each of the {@code procs × YIELDERS_PER_PROC} yielders; throws unless they split evenly. */
    static int yieldsPerYielder(int procs) {
        int yielders = procs * YIELDERS_PER_PROC;
        if (procs < 1 || SPREAD_YIELDS % yielders != 0) {
            throw new IllegalArgumentException("procs must be at least 1 and divide " + SPREAD_YIELDS / YIELDERS_PER_PROC
                    + " (" + SPREAD_YIELDS + " yields among " + YIELDERS_PER_PROC + " yielders per processor), got "
                    + procs);
        }
        return SPREAD_YIELDS / yielders;
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

    @Benchmark
    @OperationsPerInvocation(SPREAD_YIELDS)
    public void gmpjYieldersPerProc(Procs state) {
        int yielders = state.procs * YIELDERS_PER_PROC;
        @SuppressWarnings("unchecked")
        Task<Void>[] tasks = new Task[yielders];
        for (int i = 0; i < yielders; i++) {
            tasks[i] = state.scheduler.submit(() -> gmpjYields(state.yieldsEach));
        }
        for (Task<Void> t : tasks) {
            t.join();
        }
    }

    @Benchmark
    @OperationsPerInvocation(SPREAD_YIELDS)
    public void virtualThreadYieldersPerProc(Carriers state) throws InterruptedException {
        int yielders = state.procs * YIELDERS_PER_PROC;
        Thread[] threads = new Thread[yielders];
        for (int i = 0; i < yielders; i++) {
            threads[i] = Thread.ofVirtual().start(() -> threadYields(state.yieldsEach));
        }
        for (Thread t : threads) {
            t.join();
        }
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
