package gmpj.bench;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
 * {@link UnevenWork} on the runtimes {@link UnevenWorkBench} compares gmpj with, in milliseconds
 * per invocation, each on {@code procs} carriers: JDK virtual threads (one virtual thread starts
 * the {@value UnevenWork#TASKS} others; the JDK's ForkJoinPool-based scheduler steals one task at
 * a time) and a plain {@link ForkJoinPool} (one task {@code execute}s the others from a worker, so
 * they land on its deque and the other worker steals them).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class UnevenWorkBaselines {
    /** Carriers (virtual threads) or parallelism (ForkJoinPool), as in {@link UnevenWorkBench}. */
    @Param({"2"})
    public int procs;

    private final Countdown done = new Countdown();
    private final LongAdder sum = new LongAdder();

    /** The JDK's virtual-thread scheduler with {@code procs} carriers. */
    @State(Scope.Benchmark)
    public static class VirtualThreads {
        @Setup(Level.Trial)
        public void start(UnevenWorkBaselines bench) {
            VirtualThreadScheduler.parallelism(bench.procs);
        }
    }

    /** A ForkJoinPool of parallelism {@code procs}. */
    @State(Scope.Benchmark)
    public static class ForkJoin {
        ForkJoinPool pool;

        @Setup(Level.Trial)
        public void start(UnevenWorkBaselines bench) {
            pool = new ForkJoinPool(bench.procs);
        }

        @TearDown(Level.Trial)
        public void stop() {
            pool.close();
        }
    }

    @Benchmark
    public void virtualThreads(VirtualThreads state) {
        sum.reset();
        done.reset(UnevenWork.TASKS);
        Thread.startVirtualThread(() -> {
            for (int i = 0; i < UnevenWork.TASKS; i++) {
                int task = i;
                Thread.startVirtualThread(() -> {
                    sum.add(UnevenWork.work(task));
                    done.countDown();
                });
            }
        });
        done.await();
        UnevenWork.check(sum.sum());
    }

    @Benchmark
    public void forkJoin(ForkJoin state) {
        ForkJoinPool pool = state.pool;
        sum.reset();
        done.reset(UnevenWork.TASKS);
        pool.execute(() -> {
            for (int i = 0; i < UnevenWork.TASKS; i++) {
                int task = i;
                pool.execute(() -> {
                    sum.add(UnevenWork.work(task));
                    done.countDown();
                });
            }
        });
        done.await();
        UnevenWork.check(sum.sum());
    }
}
