package gmpj.bench;

import gmpj.core.Scheduler;
import java.util.concurrent.ForkJoinPool;
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
 * Starting {@value #TASKS} empty tasks and waiting for all of them, in nanoseconds per task: gmpj
 * goroutines, JDK virtual threads, and plain {@link ForkJoinPool} tasks, each on {@code procs}
 * carriers.
 *
 * <p>Two shapes: {@code ...FromOutside}, the benchmark thread starts every task (gmpj: all through
 * the global run queue), and {@code ...FromInside}, one task starts all the others (Go's usual case;
 * gmpj: through the spawning processor's runnext and ring, which overflow to the global queue and
 * get stolen). Every task ends with {@link Countdown#countDown()}, the same for all three runtimes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class SpawnBench {
    /** Tasks per invocation, as in the classic "spawn 100k goroutines" demonstrations. */
    static final int TASKS = 100_000;

    /** Processors (gmpj), carriers (virtual threads) or parallelism (ForkJoinPool). */
    @Param({"1", "2"})
    public int procs;

    private final Countdown done = new Countdown();
    private final Runnable emptyTask = done::countDown;

    /** The gmpj scheduler under test. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        Scheduler scheduler;

        @Setup(Level.Trial)
        public void start(SpawnBench bench) {
            scheduler = Scheduler.builder().procs(bench.procs).name("spawn-bench").build();
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
        public void start(SpawnBench bench) {
            VirtualThreadScheduler.parallelism(bench.procs);
        }
    }

    /** A ForkJoinPool of parallelism {@code procs}. */
    @State(Scope.Benchmark)
    public static class ForkJoin {
        ForkJoinPool pool;

        @Setup(Level.Trial)
        public void start(SpawnBench bench) {
            pool = new ForkJoinPool(bench.procs);
        }

        @TearDown(Level.Trial)
        public void stop() {
            pool.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void gmpjFromOutside(Gmpj state) {
        done.reset(TASKS);
        for (int i = 0; i < TASKS; i++) {
            state.scheduler.go(emptyTask);
        }
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void gmpjFromInside(Gmpj state) {
        Scheduler s = state.scheduler;
        done.reset(TASKS);
        s.go(() -> {
            for (int i = 0; i < TASKS; i++) {
                s.go(emptyTask);
            }
        });
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void virtualThreadsFromOutside(VirtualThreads state) {
        done.reset(TASKS);
        for (int i = 0; i < TASKS; i++) {
            Thread.startVirtualThread(emptyTask);
        }
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void virtualThreadsFromInside(VirtualThreads state) {
        done.reset(TASKS);
        Thread.startVirtualThread(() -> {
            for (int i = 0; i < TASKS; i++) {
                Thread.startVirtualThread(emptyTask);
            }
        });
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void forkJoinFromOutside(ForkJoin state) {
        done.reset(TASKS);
        for (int i = 0; i < TASKS; i++) {
            state.pool.execute(emptyTask);
        }
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void forkJoinFromInside(ForkJoin state) {
        ForkJoinPool pool = state.pool;
        done.reset(TASKS);
        pool.execute(() -> {
            for (int i = 0; i < TASKS; i++) {
                pool.execute(emptyTask); // from a worker: pushed onto its own deque, stolen by the others
            }
        });
        done.await();
    }
}
