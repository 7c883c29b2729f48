package gmpj.bench;

import gmpj.core.Scheduler;
import gmpj.sync.WaitGroup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
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
 * Fan-out/fan-in of {@value #TASKS} tasks, in nanoseconds per task: gmpj goroutines joined with a
 * {@link WaitGroup} against JDK virtual threads and a fixed pool of platform threads
 * ({@link FixedThreadPool}) joined with a {@link CountDownLatch}, each on {@code procs} carriers.
 * Every task's only work is {@code wg.done()} or {@code latch.countDown()};
 * the benchmark thread (a platform thread) does {@code add(TASKS)} and waits.
 *
 * <p>Two shapes, as in {@link SpawnBench}: {@code ...FromOutside}, the benchmark thread starts every
 * task (gmpj: all through the global run queue), and {@code ...FromInside}, one root task starts
 * the others (gmpj: through the root's processor's runnext and ring). Unlike {@code SpawnBench},
 * the join is the library's own primitive, not the shared {@link Countdown}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class WaitGroupBench {
    /** Tasks per invocation. */
    static final int TASKS = 100_000;

    /** Processors (gmpj) or carriers (virtual threads). */
    @Param({"1", "2"})
    public int procs;

    /** The gmpj scheduler under test. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        Scheduler scheduler;

        @Setup(Level.Trial)
        public void start(WaitGroupBench bench) {
            scheduler = Scheduler.builder().procs(bench.procs).name("waitgroup-bench").build();
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
        public void start(WaitGroupBench bench) {
            VirtualThreadScheduler.parallelism(bench.procs);
        }
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void gmpjWaitGroupFanInFromOutside(Gmpj state) {
        Scheduler s = state.scheduler;
        WaitGroup wg = new WaitGroup();
        Runnable task = wg::done;
        wg.add(TASKS);
        for (int i = 0; i < TASKS; i++) {
            s.go(task);
        }
        wg.await();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void gmpjWaitGroupFanInFromInside(Gmpj state) {
        Scheduler s = state.scheduler;
        WaitGroup wg = new WaitGroup();
        Runnable task = wg::done;
        wg.add(TASKS);
        s.go(() -> {
            for (int i = 0; i < TASKS; i++) {
                s.go(task);
            }
        });
        wg.await();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void virtualThreadsCountDownLatch(VirtualThreads state) throws InterruptedException {
        latchFanIn(Thread::startVirtualThread);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void virtualThreadsCountDownLatchFromInside(VirtualThreads state) throws InterruptedException {
        latchFanInFromInside(Thread::startVirtualThread);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void platformPoolCountDownLatch(FixedThreadPool state) throws InterruptedException {
        latchFanIn(state.pool);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void platformPoolCountDownLatchFromInside(FixedThreadPool state) throws InterruptedException {
        latchFanInFromInside(state.pool);
    }

    /** The benchmark thread starts every task with {@code start} and waits on a {@link CountDownLatch}. */
    private static void latchFanIn(Executor start) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(TASKS);
        Runnable task = latch::countDown;
        for (int i = 0; i < TASKS; i++) {
            start.execute(task);
        }
        latch.await();
    }

    /** As {@link #latchFanIn}, but one task, started with {@code start}, starts the others. */
    private static void latchFanInFromInside(Executor start) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(TASKS);
        Runnable task = latch::countDown;
        start.execute(() -> {
            for (int i = 0; i < TASKS; i++) {
                start.execute(task);
            }
        });
        latch.await();
    }
}
