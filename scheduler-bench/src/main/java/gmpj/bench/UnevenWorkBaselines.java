package gmpj.bench;

import java.util.concurrent.ForkJoinPool;
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
 * {@link UnevenWork} on the runtimes {@link UnevenWorkBench} compares gmpj with, in milliseconds
 * per invocation, each on {@code procs} carriers: JDK virtual threads (one virtual thread starts
 * the {@value UnevenWork#TASKS} others; the JDK's ForkJoinPool-based scheduler steals one task at
 * a time), a plain {@link ForkJoinPool} (one task {@code execute}s the others from a worker, so
 * they land on its deque and the other worker steals them), and a fixed pool of platform threads
 * ({@link FixedThreadPool}: one task submits the others to the pool's single shared queue, from
 * which every idle thread takes the next task: it balances by itself, at the price of every thread
 * contending on that one queue).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class UnevenWorkBaselines {
    /** Carriers (virtual threads), parallelism (ForkJoinPool) or threads (fixed pool), as in {@link UnevenWorkBench}. */
    @Param({"2"})
    public int procs;

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
        UnevenWork.check(UnevenWork.run(Thread::startVirtualThread));
    }

    @Benchmark
    public void forkJoin(ForkJoin state) {
        UnevenWork.check(UnevenWork.run(state.pool::execute));
    }

    @Benchmark
    public void platformPool(FixedThreadPool state) {
        UnevenWork.check(UnevenWork.run(state.pool::execute));
    }
}
