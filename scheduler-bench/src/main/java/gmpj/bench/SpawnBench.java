package gmpj.bench;

import gmpj.core.Scheduler;
import java.util.concurrent.Executor;
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
 * goroutines, JDK virtual threads, plain {@link ForkJoinPool} tasks, and a fixed pool of platform
 * threads ({@link FixedThreadPool}: one shared queue, no continuations, what most Java code uses to
 * run small tasks), each on {@code procs} carriers.
 *
 * <p>Two shapes: {@code ...FromOutside}, the benchmark thread starts every task (gmpj: all through
 * the global run queue), and {@code ...FromInside}, one task starts all the others (Go's usual case;
 * gmpj: through the spawning processor's runnext and ring, which overflow to the global queue and
 * get stolen). Every task ends with {@link Countdown#countDown()}, and every runtime runs the same
 * loop: they differ only in the {@link Executor} that starts a task.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class SpawnBench {
    /** Tasks per invocation: a million, so that per-task costs dominate starting and joining the batch. */
    static final int TASKS = 1_000_000;

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
        startFromOutside(state.scheduler::go);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void gmpjFromInside(Gmpj state) {
        startFromInside(state.scheduler::go);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void virtualThreadsFromOutside(VirtualThreads state) {
        startFromOutside(Thread::startVirtualThread);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void virtualThreadsFromInside(VirtualThreads state) {
        startFromInside(Thread::startVirtualThread);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void forkJoinFromOutside(ForkJoin state) {
        startFromOutside(state.pool);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void forkJoinFromInside(ForkJoin state) {
        startFromInside(state.pool); // from a worker: pushed onto its own deque, stolen by the others
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void platformPoolFromOutside(FixedThreadPool state) {
        startFromOutside(state.pool);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void platformPoolFromInside(FixedThreadPool state) {
        startFromInside(state.pool); // the same shared queue as from outside: a fixed pool has no per-thread queues
    }

    /** The benchmark thread starts every task with {@code start}, then waits for them all. */
    private void startFromOutside(Executor start) {
        done.reset(TASKS);
        for (int i = 0; i < TASKS; i++) {
            start.execute(emptyTask);
        }
        done.await();
    }

    /** One task, started with {@code start}, starts all the others with it; the benchmark thread waits. */
    private void startFromInside(Executor start) {
        done.reset(TASKS);
        start.execute(() -> {
            for (int i = 0; i < TASKS; i++) {
                start.execute(emptyTask);
            }
        });
        done.await();
    }
}
