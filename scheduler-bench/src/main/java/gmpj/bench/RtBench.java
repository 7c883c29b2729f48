package gmpj.bench;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
 * The shapes of Tokio's multi-threaded runtime benchmarks (spawn many, ping-pong, yield many,
 * chained spawn), at sizes like Tokio's, on gmpj goroutines and on JDK virtual threads, each on
 * {@code procs} carriers: a second anchor beside the Go-shaped benchmarks, which a reader who knows
 * Tokio's figures can place. Nanoseconds per operation; what an operation is follows each name.
 *
 * <ul>
 *   <li>{@code ...SpawnManyFromInside}: one task starts {@value #SPAWN} children, each of which
 *       counts down; per child.</li>
 *   <li>{@code ...SpawnManyFromOutside}: the benchmark thread starts the {@value #SPAWN} children
 *       itself (gmpj: all through the global run queue); per child.</li>
 *   <li>{@code ...PingPong}: one task starts {@value #PAIRS} pings at once; each ping starts its
 *       pong, hands it a question through one {@link OneShot}, waits for the answer through
 *       another, and counts down; per pair: two starts and two hand-offs, each of which may wake a
 *       parked task.</li>
 *   <li>{@code ...YieldMany}: the benchmark thread starts {@value #YIELDERS} tasks that each
 *       yield {@value #YIELDS_EACH} times ({@link Gmp#yield()}, {@link Thread#yield()}); per
 *       yield.</li>
 *   <li>{@code ...ChainedSpawn}: {@value #CHAIN} tasks in a chain, each starting the next (the
 *       first started by the benchmark thread), the last counting down; per link. Only one task
 *       is runnable at a time, so a second processor has nothing to do but may be woken for it.</li>
 * </ul>
 *
 * <p>Both runtimes run the same code; they differ only in the {@link Rt} it is given: how a task
 * starts, yields, parks and is unparked. The ping-pong's one-shot hand-off is written here on those
 * (gmpj's {@link Parking} and {@link Waiter}; {@link LockSupport} and {@link Thread} for virtual
 * threads), not on gmpj's {@code Chan} nor on a {@code SynchronousQueue}, so that the pair measures
 * the runtimes' wake-ups rather than two channels' locking ({@link ChanBench} measures channels).
 * The benchmark thread waits for the end of an invocation on a {@link Countdown}.
 *
 * <p>Every invocation checks its result: each task adds to its own slot of a {@link Slots} array
 * (a spawned child or a link 1, a ping its pong's answer, a yielder the yields it made), and after
 * the wait the benchmark thread checks every slot and clears it; a task that ran twice or got a
 * wrong answer fails the run. A task that never ends fails it too: the wait gives up after
 * {@link #WAIT_LIMIT_NANOS}, and so does a count-down too many.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class RtBench {
    /** Children per spawn-many invocation: Tokio's size. */
    static final int SPAWN = 10_000;
    /** Ping-pong pairs per invocation, all started at once. */
    static final int PAIRS = 1_000;
    /** Tasks per yield-many invocation. */
    static final int YIELDERS = 1_000;
    /** Yields of each of those tasks. */
    static final int YIELDS_EACH = 200;
    /** Links per chained-spawn invocation. */
    static final int CHAIN = 1_000;
    /** What a ping asks; its pong answers one more. */
    static final int QUESTION = 1;
    /** How long the benchmark thread waits for an invocation's tasks before it fails the run: far beyond any invocation. */
    static final long WAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Processors (gmpj) or carriers (virtual threads). */
    @Param({"1", "2"})
    public int procs;

    private final Countdown done = new Countdown();
    private final Slots slots = new Slots(Math.max(Math.max(SPAWN, PAIRS), Math.max(YIELDERS, CHAIN)));

    /**
     * What the benchmarks need from a runtime.
     *
     * @param start    starts a task
     * @param yield    lets the calling task's carrier run another task
     * @param parker   the calling task's handle, for {@code unparker}
     * @param unparker unparks the task behind a handle from {@code parker}
     * @param park     parks the calling task (may return spuriously)
     */
    record Rt(Executor start, Runnable yield, Supplier<Object> parker, Consumer<Object> unparker, Runnable park) {
        static Rt gmpj(Scheduler scheduler) {
            return new Rt(scheduler::go, Gmp::yield, Parking::currentWaiter, w -> ((Waiter) w).unpark(),
                    () -> Parking.park(WaitReason.PARK));
        }

        static Rt virtualThreads() {
            return new Rt(Thread::startVirtualThread, Thread::yield, Thread::currentThread,
                    t -> LockSupport.unpark((Thread) t), LockSupport::park);
        }
    }

    /** The gmpj scheduler under test. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        Scheduler scheduler;
        Rt rt;

        @Setup(Level.Trial)
        public void start(RtBench bench) {
            scheduler = Scheduler.builder().procs(bench.procs).name("rt-bench").build();
            rt = Rt.gmpj(scheduler);
        }

        @TearDown(Level.Trial)
        public void stop() {
            scheduler.close();
        }
    }

    /** The JDK's virtual-thread scheduler with {@code procs} carriers. */
    @State(Scope.Benchmark)
    public static class VirtualThreads {
        final Rt rt = Rt.virtualThreads();

        @Setup(Level.Trial)
        public void start(RtBench bench) {
            VirtualThreadScheduler.parallelism(bench.procs);
        }
    }

    /**
     * One value handed from one task to another, once. The receiver publishes its handle, then reads
     * the value; the sender writes the value, then reads the handle. Both fields are volatile, so
     * at least one side sees the other's write: either the receiver finds the value without
     * parking, or the sender finds the handle and unparks it (an unpark that comes before the park
     * makes the park return at once). A park that returns early re-checks.
     */
    static final class OneShot {
        private final Rt rt;
        /** 0 until sent. */
        private volatile int value;
        private volatile Object receiver;

        OneShot(Rt rt) {
            this.rt = rt;
        }

        /** Hands over {@code v} (not 0) and wakes the receiver if it is waiting. Called once. */
        void send(int v) {
            value = v;
            Object r = receiver;
            if (r != null) {
                rt.unparker.accept(r);
            }
        }

        /** Waits for the value. Called once, by one task. */
        int receive() {
            receiver = rt.parker.get();
            int v;
            while ((v = value) == 0) {
                rt.park.run();
            }
            return v;
        }
    }

    /**
     * A count per task: each task adds to its own slot with a plain write. Every slot's write
     * happens-before a count-down of the invocation's {@link Countdown} (its own task's; in the
     * chain, the last link's, through the starts in between), and every count-down happens-before
     * the benchmark thread's read of zero that ends its wait, so it sees every slot. It clears them
     * before it starts the next invocation's tasks, which their start happens-before.
     */
    static final class Slots {
        private final int[] counts;

        Slots(int size) {
            counts = new int[size];
        }

        void add(int slot, int n) {
            counts[slot] += n;
        }

        /** Throws unless each of the first {@code n} slots holds {@code expected}; clears them. */
        void checkAndClear(int n, int expected, String what) {
            for (int i = 0; i < n; i++) {
                if (counts[i] != expected) {
                    throw new IllegalStateException(what + ": task " + i + " of " + n + " counted " + counts[i]
                            + ", expected " + expected);
                }
                counts[i] = 0;
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(SPAWN)
    public void gmpjSpawnManyFromInside(Gmpj state) {
        spawnManyFromInside(state.rt);
    }

    @Benchmark
    @OperationsPerInvocation(SPAWN)
    public void virtualThreadsSpawnManyFromInside(VirtualThreads state) {
        spawnManyFromInside(state.rt);
    }

    @Benchmark
    @OperationsPerInvocation(SPAWN)
    public void gmpjSpawnManyFromOutside(Gmpj state) {
        spawnManyFromOutside(state.rt);
    }

    @Benchmark
    @OperationsPerInvocation(SPAWN)
    public void virtualThreadsSpawnManyFromOutside(VirtualThreads state) {
        spawnManyFromOutside(state.rt);
    }

    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public void gmpjPingPong(Gmpj state) {
        pingPong(state.rt);
    }

    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public void virtualThreadsPingPong(VirtualThreads state) {
        pingPong(state.rt);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDERS * YIELDS_EACH)
    public void gmpjYieldMany(Gmpj state) {
        yieldMany(state.rt);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDERS * YIELDS_EACH)
    public void virtualThreadsYieldMany(VirtualThreads state) {
        yieldMany(state.rt);
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public void gmpjChainedSpawn(Gmpj state) {
        chainedSpawn(state.rt);
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public void virtualThreadsChainedSpawn(VirtualThreads state) {
        chainedSpawn(state.rt);
    }

    private void spawnManyFromInside(Rt rt) {
        done.reset(SPAWN);
        rt.start.execute(() -> {
            for (int i = 0; i < SPAWN; i++) {
                startChild(rt, i);
            }
        });
        done.await(WAIT_LIMIT_NANOS, "spawned from inside");
        slots.checkAndClear(SPAWN, 1, "spawned from inside");
    }

    private void spawnManyFromOutside(Rt rt) {
        done.reset(SPAWN);
        for (int i = 0; i < SPAWN; i++) {
            startChild(rt, i);
        }
        done.await(WAIT_LIMIT_NANOS, "spawned from outside");
        slots.checkAndClear(SPAWN, 1, "spawned from outside");
    }

    private void startChild(Rt rt, int slot) {
        rt.start.execute(() -> {
            slots.add(slot, 1);
            done.countDown();
        });
    }

    private void pingPong(Rt rt) {
        done.reset(PAIRS);
        rt.start.execute(() -> {
            for (int i = 0; i < PAIRS; i++) {
                int pair = i;
                rt.start.execute(() -> ping(rt, pair));
            }
        });
        done.await(WAIT_LIMIT_NANOS, "ping-pong pairs");
        slots.checkAndClear(PAIRS, QUESTION + 1, "ping-pong answers");
    }

    /** Starts a pong, asks it {@link #QUESTION}, waits for its answer, records it. */
    private void ping(Rt rt, int pair) {
        OneShot question = new OneShot(rt);
        OneShot answer = new OneShot(rt);
        rt.start.execute(() -> answer.send(question.receive() + 1));
        question.send(QUESTION);
        slots.add(pair, answer.receive());
        done.countDown();
    }

    private void yieldMany(Rt rt) {
        done.reset(YIELDERS);
        for (int i = 0; i < YIELDERS; i++) {
            int slot = i;
            rt.start.execute(() -> {
                int yields = 0;
                while (yields < YIELDS_EACH) {
                    rt.yield.run();
                    yields++;
                }
                slots.add(slot, yields);
                done.countDown();
            });
        }
        done.await(WAIT_LIMIT_NANOS, "yielders");
        slots.checkAndClear(YIELDERS, YIELDS_EACH, "yields per task");
    }

    private void chainedSpawn(Rt rt) {
        done.reset(1);
        rt.start.execute(() -> link(rt, 0));
        done.await(WAIT_LIMIT_NANOS, "chain");
        slots.checkAndClear(CHAIN, 1, "links of the chain");
    }

    /** Link {@code i}: records itself, then starts link {@code i + 1}, or ends the chain. */
    private void link(Rt rt, int i) {
        slots.add(i, 1);
        if (i + 1 == CHAIN) {
            done.countDown();
        } else {
            int next = i + 1;
            rt.start.execute(() -> link(rt, next));
        }
    }
}
