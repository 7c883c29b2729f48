package gmpj.bench;

import gmpj.core.Scheduler;
import gmpj.core.Task;
import gmpj.sync.WaitGroup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;
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
 * Skynet (github.com/atemerev/skynet): a tree whose every node is a task that starts
 * {@value #FANOUT} children and adds up what they return; the {@value #LEAVES} leaves return their
 * own number, so the root must come back with {@value #EXPECTED_SUM}. Every invocation checks it.
 * That is 1,111,111 tasks per tree, most of them parked at any moment, waiting for their children.
 *
 * <p>Reported in milliseconds per tree, as every published skynet result is (divide by
 * {@value #LEAVES} for a per-leaf figure). Two ways for a node to wait for its children, each on
 * gmpj and on virtual threads, so that every comparison pairs like with like; each runtime on
 * {@code procs} carriers:
 * <ul>
 *   <li>a join per child, so a node may park up to {@value #FANOUT} times:
 *     <ul>
 *       <li>{@code gmpjSubmitJoin}: each node {@link Scheduler#submit submits} its children and
 *           {@link Task#join() joins} them in turn; a join parks the parent goroutine.</li>
 *       <li>{@code virtualThreadsJoin}: a virtual thread per node, started and
 *           {@link Thread#join() joined} in turn.</li>
 *     </ul></li>
 *   <li>one wait per node, for all its children at once (each child writes its sum into its slot
 *       of the parent's array, then counts down):
 *     <ul>
 *       <li>{@code gmpjWaitGroup}: children started with {@link WaitGroup#go}, the parent waits
 *           on the group: Go's idiomatic shape.</li>
 *       <li>{@code virtualThreadsCountDownLatch}: a virtual thread per child and a
 *           {@link CountDownLatch} of {@value #FANOUT} per node, which the parent awaits.</li>
 *     </ul></li>
 *   <li>{@code forkJoinRecursiveTask}: a {@link RecursiveTask} per node, forked and joined in a
 *       {@link ForkJoinPool}; a join there runs queued work instead of parking, so this is the
 *       "no continuations at all" reference.</li>
 * </ul>
 *
 * <p>No fixed platform-thread pool baseline: every inner node blocks its pool thread while it
 * joins its children, so {@code procs} threads are all blocked in joins after {@code procs} levels,
 * with the children they wait for still queued behind them: the tree deadlocks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class SkynetBench {
    /** Leaves of the tree: the size of the classic benchmark. */
    static final int LEAVES = 1_000_000;
    /** Children per inner node. */
    static final int FANOUT = 10;
    /** 0 + 1 + ... + (LEAVES - 1). */
    static final long EXPECTED_SUM = 499_999_500_000L;

    /** Processors (gmpj), carriers (virtual threads) or parallelism (ForkJoinPool). */
    @Param({"1", "2"})
    public int procs;

    /** The gmpj scheduler under test. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        Scheduler scheduler;

        @Setup(Level.Trial)
        public void start(SkynetBench bench) {
            scheduler = Scheduler.builder().procs(bench.procs).name("skynet-bench").build();
            CauseCounters.watch(scheduler);
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
        public void start(SkynetBench bench) {
            VirtualThreadScheduler.parallelism(bench.procs);
        }
    }

    /** A ForkJoinPool of parallelism {@code procs}. */
    @State(Scope.Benchmark)
    public static class ForkJoin {
        ForkJoinPool pool;

        @Setup(Level.Trial)
        public void start(SkynetBench bench) {
            pool = new ForkJoinPool(bench.procs);
        }

        @TearDown(Level.Trial)
        public void stop() {
            pool.close();
        }
    }

    @Benchmark
    public long gmpjSubmitJoin(Gmpj state) {
        Scheduler s = state.scheduler;
        return check(s.submit(() -> submitJoin(s, 0, LEAVES)).join());
    }

    @Benchmark
    public long gmpjWaitGroup(Gmpj state, CauseCounters causes) {
        Scheduler s = state.scheduler;
        return check(s.submit(() -> waitGroup(s, 0, LEAVES)).join());
    }

    @Benchmark
    public long virtualThreadsJoin(VirtualThreads state) throws InterruptedException {
        long[] result = new long[1];
        Thread root = Thread.ofVirtual().start(() -> result[0] = threadJoin(0, LEAVES));
        root.join();
        return check(result[0]);
    }

    @Benchmark
    public long virtualThreadsCountDownLatch(VirtualThreads state) throws InterruptedException {
        long[] result = new long[1];
        Thread root = Thread.ofVirtual().start(() -> result[0] = threadLatch(0, LEAVES));
        root.join();
        return check(result[0]);
    }

    @Benchmark
    public long forkJoinRecursiveTask(ForkJoin state) {
        return check(state.pool.invoke(new Node(0, LEAVES)));
    }

    /** The subtree of {@code size} leaves numbered from {@code first}, with a goroutine per child, joined. */
    private static long submitJoin(Scheduler s, long first, int size) {
        if (size == 1) {
            return first;
        }
        int child = size / FANOUT;
        @SuppressWarnings("unchecked")
        Task<Long>[] children = new Task[FANOUT];
        for (int i = 0; i < FANOUT; i++) {
            long childFirst = first + (long) i * child;
            children[i] = s.submit(() -> submitJoin(s, childFirst, child));
        }
        long sum = 0;
        for (Task<Long> t : children) {
            sum += t.join();
        }
        return sum;
    }

    /** As {@link #submitJoin}, but the children report through an array and one {@link WaitGroup}. */
    private static long waitGroup(Scheduler s, long first, int size) {
        if (size == 1) {
            return first;
        }
        int child = size / FANOUT;
        long[] sums = new long[FANOUT];
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < FANOUT; i++) {
            int slot = i;
            long childFirst = first + (long) i * child;
            wg.go(s, () -> sums[slot] = waitGroup(s, childFirst, child));
        }
        wg.await(); // done() happens-before await() returns: every slot is visible
        long sum = 0;
        for (long v : sums) {
            sum += v;
        }
        return sum;
    }

    /** As {@link #submitJoin}, with a virtual thread per child and {@link Thread#join()}. */
    private static long threadJoin(long first, int size) {
        if (size == 1) {
            return first;
        }
        int child = size / FANOUT;
        long[] sums = new long[FANOUT];
        Thread[] children = new Thread[FANOUT];
        for (int i = 0; i < FANOUT; i++) {
            int slot = i;
            long childFirst = first + (long) i * child;
            children[i] = Thread.ofVirtual().start(() -> sums[slot] = threadJoin(childFirst, child));
        }
        long sum = 0;
        for (int i = 0; i < FANOUT; i++) {
            try {
                children[i].join();
            } catch (InterruptedException e) {
                throw new IllegalStateException("a skynet node was interrupted while joining its children", e);
            }
            sum += sums[i];
        }
        return sum;
    }

    /** As {@link #waitGroup}, with a virtual thread per child and one {@link CountDownLatch} per node. */
    private static long threadLatch(long first, int size) {
        if (size == 1) {
            return first;
        }
        int child = size / FANOUT;
        long[] sums = new long[FANOUT];
        CountDownLatch done = new CountDownLatch(FANOUT);
        for (int i = 0; i < FANOUT; i++) {
            int slot = i;
            long childFirst = first + (long) i * child;
            Thread.ofVirtual().start(() -> {
                try {
                    sums[slot] = threadLatch(childFirst, child);
                } finally {
                    done.countDown(); // a child that throws leaves its slot 0: a wrong sum, not a hang
                }
            });
        }
        try {
            done.await(); // countDown() happens-before await() returns: every slot is visible
        } catch (InterruptedException e) {
            throw new IllegalStateException("a skynet node was interrupted while waiting for its children", e);
        }
        long sum = 0;
        for (long v : sums) {
            sum += v;
        }
        return sum;
    }

    /** A skynet node as a fork/join task: fork all children, then join them in order. */
    private static final class Node extends RecursiveTask<Long> {
        private final long first;
        private final int size;

        Node(long first, int size) {
            this.first = first;
            this.size = size;
        }

        @Override
        protected Long compute() {
            if (size == 1) {
                return first;
            }
            int child = size / FANOUT;
            Node[] children = new Node[FANOUT];
            for (int i = 0; i < FANOUT; i++) {
                children[i] = new Node(first + (long) i * child, child);
                children[i].fork();
            }
            long sum = 0;
            for (Node n : children) {
                sum += n.join();
            }
            return sum;
        }
    }

    private static long check(long sum) {
        if (sum != EXPECTED_SUM) {
            throw new IllegalStateException("skynet summed to " + sum + ", expected " + EXPECTED_SUM + ": a result was lost");
        }
        return sum;
    }
}
