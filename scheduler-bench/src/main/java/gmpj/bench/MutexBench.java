package gmpj.bench;

import gmpj.core.Scheduler;
import gmpj.sync.Mutex;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 * {@link Mutex} against {@link ReentrantLock}, in nanoseconds per lock/increment/unlock.
 *
 * <ul>
 *   <li>{@code uncontended...OnThread}: the JMH thread (a platform thread) alone locks, increments
 *       a counter and unlocks: both fast paths, one CAS each way for {@link Mutex}.</li>
 *   <li>{@code contended...}: {@value #GS_PER_PROC} × {@code procs} goroutines (or virtual threads)
 *       share one lock and one counter, {@value #INCREMENTS} increments in all per invocation
 *       ({@code INCREMENTS / (4 × procs)} each), and are joined with {@link Countdown}, the same for
 *       both. gmpj runs on {@code procs} processors, virtual threads on {@code procs} carriers. With
 *       {@code procs=1} a task that is not preempted runs its whole share without anyone else
 *       competing, on either runtime; the real contention is at {@code procs=2}. Each invocation
 *       checks that the counter came out right.</li>
 *   <li>{@code contendedReentrantLockPlatformPool}: the same tasks and {@link ReentrantLock} on a
 *       fixed pool of {@code procs} platform threads ({@link FixedThreadPool}): only
 *       {@code procs} tasks run at a time, the others wait in the pool's queue, and a thread that
 *       finds the lock taken blocks in the kernel instead of switching to another task.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
public class MutexBench {
    /** Goroutines (or threads) per processor (or carrier) in the contended benchmarks. */
    static final int GS_PER_PROC = 4;
    /** Increments per contended invocation, split evenly among the tasks (divisible by 4 × 1 and 4 × 2). */
    static final int INCREMENTS = 80_000;

    /** One lock of each kind and the counter they guard, for a single thread. */
    @State(Scope.Thread)
    public static class Uncontended {
        final Mutex mutex = new Mutex();
        final ReentrantLock reentrantLock = new ReentrantLock();
        long counter;
    }

    /** A lock shared by the contending tasks and the counter it guards. */
    abstract static class Contended {
        long counter; // guarded by the lock; read by the benchmark thread after the countdown
        final Countdown done = new Countdown();

        /**
         * One contended invocation: {@code GS_PER_PROC × procs} workers, each locking, incrementing
         * and unlocking its share of {@link #INCREMENTS} times, handed to {@code start}; waits for
         * them and checks the counter. Every runtime runs this same worker, so the runtimes differ
         * only in {@code lock}, {@code unlock} and {@code start}.
         */
        void round(int procs, Runnable lock, Runnable unlock, Executor start) {
            int tasks = GS_PER_PROC * procs;
            int each = INCREMENTS / tasks;
            counter = 0;
            done.reset(tasks);
            Runnable worker = () -> {
                for (int i = 0; i < each; i++) {
                    lock.run();
                    counter++;
                    unlock.run();
                }
                done.countDown();
            };
            for (int t = 0; t < tasks; t++) {
                start.execute(worker);
            }
            done.await();
            if (counter != INCREMENTS) {
                throw new IllegalStateException("lost increments: counter " + counter + ", expected " + INCREMENTS);
            }
        }
    }

    /** The gmpj scheduler under test and a {@link Mutex}. */
    @State(Scope.Benchmark)
    public static class Gmpj extends Contended {
        @Param({"1", "2"})
        public int procs;
        Scheduler scheduler;
        final Mutex mutex = new Mutex();

        @Setup(Level.Trial)
        public void start() {
            scheduler = Scheduler.builder().procs(procs).name("mutex-bench").build();
            CauseCounters.watch(scheduler);
        }

        @TearDown(Level.Trial)
        public void stop() {
            scheduler.close();
        }
    }

    /** The JDK's virtual-thread scheduler with {@code procs} carriers and a {@link ReentrantLock}. */
    @State(Scope.Benchmark)
    public static class VirtualThreads extends Contended {
        @Param({"1", "2"})
        public int procs;
        final ReentrantLock lock = new ReentrantLock();

        @Setup(Level.Trial)
        public void start() {
            VirtualThreadScheduler.parallelism(procs);
        }
    }

    /** A {@link ReentrantLock} for tasks on a {@link FixedThreadPool} of {@code procs} threads. */
    @State(Scope.Benchmark)
    public static class PlatformPool extends Contended {
        @Param({"1", "2"})
        public int procs;
        final ReentrantLock lock = new ReentrantLock();
    }

    @Benchmark
    public void uncontendedMutexOnThread(Uncontended state) {
        Mutex m = state.mutex;
        m.lock();
        state.counter++;
        m.unlock();
    }

    @Benchmark
    public void uncontendedReentrantLockOnThread(Uncontended state) {
        ReentrantLock l = state.reentrantLock;
        l.lock();
        state.counter++;
        l.unlock();
    }

    @Benchmark
    @OperationsPerInvocation(INCREMENTS)
    public void contendedGmpjMutex(Gmpj state, CauseCounters causes) {
        Mutex m = state.mutex;
        state.round(state.procs, m::lock, m::unlock, state.scheduler::go);
    }

    @Benchmark
    @OperationsPerInvocation(INCREMENTS)
    public void contendedReentrantLockVirtualThreads(VirtualThreads state) {
        ReentrantLock l = state.lock;
        state.round(state.procs, l::lock, l::unlock, Thread::startVirtualThread);
    }

    @Benchmark
    @OperationsPerInvocation(INCREMENTS)
    public void contendedReentrantLockPlatformPool(PlatformPool state, FixedThreadPool pool) {
        ReentrantLock l = state.lock;
        state.round(state.procs, l::lock, l::unlock, pool.pool::execute);
    }
}
