package gmpj.core;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The global run queue on its own: a full ring's spill followed by a carrier's take, the cycle a
 * goroutine makes when a processor overflows and another (or the same) one picks the batch up.
 * In package {@code gmpj.core} because the queue is internal.
 *
 * <p>Each benchmark thread is a carrier holding up to {@value #BATCH} goroutines (never run). One
 * operation spills what it holds as one linked batch ({@code putBatch}, as
 * {@code LocalRunQueue.putSlow} does) and then takes up to {@value #BATCH} back ({@code pollBatch},
 * as {@code M.takeGlobal} does, the chain unlinked into an array as the carrier would move it to
 * its ring). With two threads the goroutines wander between them, and the queue's lock (or, before,
 * its indices) is contended. Results: nanoseconds per spill-and-take cycle.
 * {@code putThenPoll} is the single-goroutine path (a spawn or a wake-up from outside, then one
 * take) for comparison.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
public class GlobalRunQueueBench {
    /** A spill of half a default ring (256 slots) and the most a carrier takes at once. */
    static final int BATCH = 128;

    /** The scheduler's one global queue, shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class Shared {
        final GlobalRunQueue queue = new GlobalRunQueue();
    }

    /** One carrier's goroutines: {@code held[0..count)}. */
    @State(Scope.Thread)
    public static class Carrier {
        final G[] held = new G[BATCH];
        int count;

        @Setup(Level.Trial)
        public void create() {
            for (int i = 0; i < BATCH; i++) {
                held[i] = new G(null, i, null, () -> {
                    throw new AssertionError("a benchmark goroutine was run");
                });
            }
            count = BATCH;
        }
    }

    @Benchmark
    @Threads(1)
    public int spillThenTakeOneThread(Shared s, Carrier c) {
        return spillThenTake(s.queue, c);
    }

    @Benchmark
    @Threads(2)
    public int spillThenTakeTwoThreads(Shared s, Carrier c) {
        return spillThenTake(s.queue, c);
    }

    @Benchmark
    @Threads(1)
    public int putThenPollOneThread(Shared s, Carrier c) {
        return putThenPoll(s.queue, c);
    }

    @Benchmark
    @Threads(2)
    public int putThenPollTwoThreads(Shared s, Carrier c) {
        return putThenPoll(s.queue, c);
    }

    private static int spillThenTake(GlobalRunQueue queue, Carrier c) {
        G[] held = c.held;
        int n = c.count;
        if (n > 0) {
            for (int i = 1; i < n; i++) {
                held[i - 1].next = held[i];
            }
            held[n - 1].next = null;
            queue.putBatch(held[0], held[n - 1], n);
        }
        int k = 0;
        for (G g = queue.pollBatch(BATCH); g != null; g = GlobalRunQueue.detachNext(g)) {
            held[k++] = g;
        }
        c.count = k;
        return k;
    }

    private static int putThenPoll(GlobalRunQueue queue, Carrier c) {
        if (c.count > 0) {
            queue.put(c.held[--c.count]);
        }
        G g = queue.poll();
        if (g != null) {
            c.held[c.count++] = g;
        }
        return c.count;
    }
}
