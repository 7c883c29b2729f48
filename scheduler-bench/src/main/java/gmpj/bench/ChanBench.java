package gmpj.bench;

import gmpj.core.Task;
import gmpj.sync.Chan;
import gmpj.sync.Select;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Channels against the JDK queues a Java programmer would use on virtual threads instead.
 *
 * <ul>
 *   <li><b>ping-pong</b>: two parties pass a token through two unbuffered channels (gmpj
 *       {@link Chan}) or two {@link SynchronousQueue}s (virtual threads): nanoseconds per round
 *       trip, two rendezvous each.</li>
 *   <li><b>producer/consumer</b>: one producer sends {@value #ITEMS} items through a buffer of
 *       {@value #CAPACITY} (a buffered {@code Chan}, or an {@link ArrayBlockingQueue} on virtual
 *       threads) to one consumer that sums them: nanoseconds per item.</li>
 * </ul>
 * Every invocation checks what arrived (the token count, the sum), so a lost or duplicated item
 * fails the run. Both runtimes get {@code procs} carriers, through {@link PingPongBench}'s states.
 *
 * <p>{@code selectReady}: one reused {@link Select} over two one-slot channels that are kept
 * non-empty, run on the benchmark thread: the cost of a select that finds a ready case, and (with
 * {@code -prof gc}) that it allocates nothing. The JDK has no select; its baseline,
 * {@code pollTwoQueues}, is what a Java programmer would write instead: poll two
 * {@link ArrayBlockingQueue}s in turn, starting with each one every other time so neither starves.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
public class ChanBench {
    /** Round trips per ping-pong invocation. */
    static final int ROUNDS = 10_000;
    /** Items per producer/consumer invocation. */
    static final int ITEMS = 100_000;
    /** Buffer size of the producer/consumer channel and queue. */
    static final int CAPACITY = 128;
    /** The token and the items are one boxed value from the Integer cache: no allocation per send. */
    private static final Integer ONE = 1;

    /** A reused select over two one-slot channels, refilled before every run. */
    @State(Scope.Thread)
    public static class ReadySelect {
        final Chan<Integer> a = new Chan<>(1);
        final Chan<Integer> b = new Chan<>(1);
        final Select select = new Select().onReceive(a).onReceive(b);
    }

    /** Two one-slot queues polled in turn: {@code selectReady}'s baseline. */
    @State(Scope.Thread)
    public static class TwoQueues {
        final ArrayBlockingQueue<Integer> a = new ArrayBlockingQueue<>(1);
        final ArrayBlockingQueue<Integer> b = new ArrayBlockingQueue<>(1);
        boolean aFirst;
    }

    private static void check(long got, long expected, String what) {
        if (got != expected) {
            throw new IllegalStateException(what + ": expected " + expected + ", got " + got);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void pingPongGmpj(PingPongBench.Gmpj state, CauseCounters causes) {
        Chan<Integer> ping = new Chan<>();
        Chan<Integer> pong = new Chan<>();
        Task<Integer> ponger = state.scheduler.submit(() -> {
            int n = 0;
            for (Integer token : ping) { // until ping is closed
                pong.send(token);
                n++;
            }
            return n;
        });
        Task<Integer> pinger = state.scheduler.submit(() -> {
            int n = 0;
            for (int i = 0; i < ROUNDS; i++) {
                ping.send(ONE);
                n += pong.receive().value();
            }
            ping.close();
            return n;
        });
        check(pinger.join(), ROUNDS, "tokens back");
        check(ponger.join(), ROUNDS, "tokens relayed");
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void pingPongVirtualThreads(PingPongBench.VirtualThreads state) throws Exception {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        int[] relayed = new int[1];
        Thread ponger = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    pong.put(ping.take());
                    relayed[0]++;
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        int[] back = new int[1];
        Thread pinger = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    ping.put(ONE);
                    back[0] += pong.take();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        pinger.join();
        ponger.join();
        check(back[0], ROUNDS, "tokens back");
        check(relayed[0], ROUNDS, "tokens relayed");
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void producerConsumerGmpj(PingPongBench.Gmpj state) {
        Chan<Integer> ch = new Chan<>(CAPACITY);
        Task<Long> consumer = state.scheduler.submit(() -> {
            long sum = 0;
            for (Integer v : ch) {
                sum += v;
            }
            return sum;
        });
        state.scheduler.go(() -> {
            for (int i = 0; i < ITEMS; i++) {
                ch.send(ONE);
            }
            ch.close();
        });
        check(consumer.join(), ITEMS, "sum of items");
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void producerConsumerVirtualThreads(PingPongBench.VirtualThreads state) throws Exception {
        ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(CAPACITY);
        long[] sum = new long[1];
        Thread consumer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ITEMS; i++) {
                    sum[0] += q.take();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ITEMS; i++) {
                    q.put(ONE);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        producer.join();
        consumer.join();
        check(sum[0], ITEMS, "sum of items");
    }

    @Benchmark
    public int selectReady(ReadySelect state) {
        state.a.trySend(ONE); // one of the two is still full from the last run: that trySend fails
        state.b.trySend(ONE);
        int chosen = state.select.run();
        if (chosen != 0 && chosen != 1) {
            throw new IllegalStateException("a select over two full channels chose " + chosen);
        }
        return chosen;
    }

    @Benchmark
    public int pollTwoQueues(TwoQueues state) {
        state.a.offer(ONE); // as in selectReady, one of the two offers finds its queue full
        state.b.offer(ONE);
        boolean aFirst = state.aFirst = !state.aFirst;
        Integer v = aFirst ? state.a.poll() : state.b.poll();
        int chosen = aFirst ? 0 : 1;
        if (v == null) {
            v = aFirst ? state.b.poll() : state.a.poll();
            chosen = 1 - chosen;
        }
        if (v == null) {
            throw new IllegalStateException("both queues empty after offering to both");
        }
        return chosen;
    }
}
