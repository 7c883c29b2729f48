package gmpj.bench;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * Two parties hand a token back and forth, each parking until the other unparks it: the cost of a
 * wake-up, in nanoseconds per round trip (two parks, two unparks, two switches).
 *
 * <p>gmpj goroutines use {@link Parking}; the baselines, virtual threads and platform threads, use
 * {@link LockSupport} directly. gmpj and virtual threads run on {@code procs} carriers; the
 * platform threads are the operating system's to place (both cores), so they take no {@code procs}.
 * Each invocation starts a fresh pair and plays {@value #ROUNDS} rounds ({@value #THREAD_ROUNDS}
 * for platform threads, whose futex round trips are far slower).
 *
 * <p>{@code gmpjPairs} and {@code virtualThreadsPairs} play {@code procs} independent games at
 * once, which share {@value #PAIR_ROUNDS} round trips equally: the same total work at every count,
 * so that the time per round trip falls as processors are added only if the pairs run apart.
 * {@code procs} must divide {@value #PAIR_ROUNDS}.
 *
 * <p>No fixed platform-thread pool baseline: a parked player keeps its pool thread, so with
 * {@code procs=1} the second player never starts (a deadlock), and with {@code procs=2} the pool's
 * two threads are exactly the {@code platformThreads} case.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
public class PingPongBench {
    /** Round trips per invocation: enough to make starting and joining the pair negligible. */
    static final int ROUNDS = 10_000;
    /** Round trips per invocation for platform threads (each is tens of microseconds). */
    static final int THREAD_ROUNDS = 1_000;
    /** Round trips per invocation of the benchmarks with {@code procs} pairs: 1,000 per pair at 16. */
    static final int PAIR_ROUNDS = 16_000;

    /** The gmpj scheduler under test. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        @Param({"1", "2"})
        public int procs;
        Scheduler scheduler;

        @Setup(Level.Trial)
        public void start() {
            scheduler = Scheduler.builder().procs(procs).name("pingpong-bench").build();
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
        @Param({"1", "2"})
        public int procs;

        @Setup(Level.Trial)
        public void start() {
            VirtualThreadScheduler.parallelism(procs);
        }
    }

    /**
     * One game between two goroutines. The token is {@code turn}: whoever it names plays, hands it
     * over (a volatile write), then unparks the other. Each side publishes its {@link Waiter} before
     * it first waits; ping serves only once pong has published, and pong reads ping's waiter after
     * it has seen the first serve, which was written after ping published.
     */
    static final class GoroutineRally {
        volatile int turn; // 0: ping to play, 1: pong to play
        volatile Waiter ping;
        volatile Waiter pong;

        void ping(int rounds) {
            ping = Parking.currentWaiter();
            while (pong == null) {
                Gmp.yield();
            }
            for (int i = 0; i < rounds; i++) {
                turn = 1;
                pong.unpark();
                while (turn != 0) {
                    Parking.park(WaitReason.PARK);
                }
            }
        }

        void pong(int rounds) {
            pong = Parking.currentWaiter();
            for (int i = 0; i < rounds; i++) {
                while (turn != 1) {
                    Parking.park(WaitReason.PARK);
                }
                turn = 0;
                ping.unpark();
            }
        }
    }

    /** {@link GoroutineRally} for Java threads, virtual or platform, with {@link LockSupport}. */
    static final class ThreadRally {
        volatile int turn;
        volatile Thread ping;
        volatile Thread pong;

        void ping(int rounds) {
            ping = Thread.currentThread();
            while (pong == null) {
                Thread.yield(); // a virtual thread on one carrier must let pong start
            }
            for (int i = 0; i < rounds; i++) {
                turn = 1;
                LockSupport.unpark(pong);
                while (turn != 0) {
                    LockSupport.park(this);
                }
            }
        }

        void pong(int rounds) {
            pong = Thread.currentThread();
            for (int i = 0; i < rounds; i++) {
                while (turn != 1) {
                    LockSupport.park(this);
                }
                turn = 0;
                LockSupport.unpark(ping);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void gmpj(Gmpj state, CauseCounters causes) {
        GoroutineRally rally = new GoroutineRally();
        Task<Void> pong = state.scheduler.submit(() -> rally.pong(ROUNDS));
        Task<Void> ping = state.scheduler.submit(() -> rally.ping(ROUNDS));
        ping.join();
        pong.join();
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void virtualThreads(VirtualThreads state) throws InterruptedException {
        ThreadRally rally = new ThreadRally();
        Thread pong = Thread.ofVirtual().start(() -> rally.pong(ROUNDS));
        Thread ping = Thread.ofVirtual().start(() -> rally.ping(ROUNDS));
        ping.join();
        pong.join();
    }

    @Benchmark
    @OperationsPerInvocation(PAIR_ROUNDS)
    public void gmpjPairs(Gmpj state) {
        int rounds = roundsPerPair(state.procs);
        @SuppressWarnings("unchecked")
        Task<Void>[] players = new Task[2 * state.procs];
        for (int i = 0; i < state.procs; i++) {
            GoroutineRally rally = new GoroutineRally();
            players[2 * i] = state.scheduler.submit(() -> rally.pong(rounds));
            players[2 * i + 1] = state.scheduler.submit(() -> rally.ping(rounds));
        }
        for (Task<Void> t : players) {
            t.join();
        }
    }

    @Benchmark
    @OperationsPerInvocation(PAIR_ROUNDS)
    public void virtualThreadsPairs(VirtualThreads state) throws InterruptedException {
        int rounds = roundsPerPair(state.procs);
        Thread[] players = new Thread[2 * state.procs];
        for (int i = 0; i < state.procs; i++) {
            ThreadRally rally = new ThreadRally();
            players[2 * i] = Thread.ofVirtual().start(() -> rally.pong(rounds));
            players[2 * i + 1] = Thread.ofVirtual().start(() -> rally.ping(rounds));
        }
        for (Thread t : players) {
            t.join();
        }
    }

    /** The round trips of each of {@code procs} pairs; throws unless they split {@link #PAIR_ROUNDS} evenly. */
    static int roundsPerPair(int procs) {
        if (procs < 1 || PAIR_ROUNDS % procs != 0) {
            throw new IllegalArgumentException("procs must be at least 1 and divide " + PAIR_ROUNDS
                    + " (the round trips the pairs share), got " + procs);
        }
        return PAIR_ROUNDS / procs;
    }

    @Benchmark
    @OperationsPerInvocation(THREAD_ROUNDS)
    public void platformThreads() throws InterruptedException {
        ThreadRally rally = new ThreadRally();
        Thread pong = Thread.ofPlatform().start(() -> rally.pong(THREAD_ROUNDS));
        Thread ping = Thread.ofPlatform().start(() -> rally.ping(THREAD_ROUNDS));
        ping.join();
        pong.join();
    }
}
