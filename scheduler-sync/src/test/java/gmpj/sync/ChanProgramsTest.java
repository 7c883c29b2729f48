package gmpj.sync;

import static gmpj.sync.SyncTestSupport.LIVENESS;
import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.DeadlockPolicy;
import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The channel programs of Go's tutorials (the Go blog's "Pipelines and cancellation", Go by
 * Example's worker pools and stateful goroutines), written with gmpj, each on 1, 2 and 4
 * processors.
 */
class ChanProgramsTest {

    /** Stage 1: emits the numbers, then closes its output. */
    private static Chan<Long> gen(Scheduler s, int n) {
        Chan<Long> out = new Chan<>();
        s.go(() -> {
            for (long i = 1; i <= n; i++) {
                out.send(i);
            }
            out.close();
        });
        return out;
    }

    /** Stage 2: squares what comes in until its input is closed, then closes its output. */
    private static Chan<Long> sq(Scheduler s, Chan<Long> in) {
        Chan<Long> out = new Chan<>();
        s.go(() -> {
            for (long v : in) {
                out.send(v * v);
            }
            out.close();
        });
        return out;
    }

    /** Fan-in: forwards every input to one output, closing it when all inputs are closed. */
    @SafeVarargs
    private static Chan<Long> merge(Scheduler s, Chan<Long>... ins) {
        Chan<Long> out = new Chan<>();
        WaitGroup wg = new WaitGroup();
        for (Chan<Long> in : ins) {
            wg.go(s, () -> {
                for (long v : in) {
                    out.send(v);
                }
            });
        }
        s.go(() -> {
            wg.await();
            out.close();
        });
        return out;
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void pipelineOfStagesThatCloseTheirOutputs(int procs) {
        try (Scheduler s = scheduler("pipeline", procs)) {
            Task<Long> sink = s.submit(() -> {
                long sum = 0;
                for (long v : sq(s, sq(s, gen(s, 100)))) { // gen -> square -> square
                    sum += v;
                }
                return sum;
            });
            long expected = 0;
            for (long i = 1; i <= 100; i++) {
                expected += i * i * i * i;
            }
            assertEquals(expected, join(s, sink), "sum of fourth powers of 1..100");
        }
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void fanOutToThreeSquarersAndFanInEveryValueOnce(int procs) {
        int n = 3000;
        try (Scheduler s = scheduler("fan", procs)) {
            Task<List<Long>> sink = s.submit(() -> {
                Chan<Long> in = gen(s, n);
                Chan<Long> merged = merge(s, sq(s, in), sq(s, in), sq(s, in)); // three workers share one input
                List<Long> got = new ArrayList<>();
                for (long v : merged) {
                    got.add(v);
                }
                return got;
            });
            List<Long> got = join(s, sink);
            assertEquals(n, got.size());
            Set<Long> distinct = new HashSet<>(got);
            for (long i = 1; i <= n; i++) {
                assertTrue(distinct.contains(i * i), "missing " + i * i);
            }
        }
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void workerPoolWithAResultsChannel(int procs) {
        int jobs = 500;
        int workers = 8;
        try (Scheduler s = scheduler("pool", procs)) {
            Chan<Integer> jobsCh = new Chan<>(jobs);
            Chan<int[]> results = new Chan<>(jobs);
            for (int w = 0; w < workers; w++) {
                int id = w;
                s.go(() -> {
                    for (int j : jobsCh) {
                        results.send(new int[] {j, j * 2, id});
                    }
                });
            }
            for (int j = 0; j < jobs; j++) {
                jobsCh.send(j); // this thread is the dispatcher
            }
            jobsCh.close();
            boolean[] done = new boolean[jobs];
            Set<Integer> workersSeen = new HashSet<>();
            for (int k = 0; k < jobs; k++) {
                int[] r = results.receive(LIVENESS).value();
                assertEquals(r[0] * 2, r[1]);
                assertTrue(!done[r[0]], "job " + r[0] + " done twice");
                done[r[0]] = true;
                workersSeen.add(r[2]);
            }
            assertTrue(results.tryReceive().timedOut(), "exactly one result per job");
            assertTrue(!workersSeen.isEmpty());
        }
    }

    /** A request to the counter's owner: add one, or report the count on the reply channel. */
    private record CounterOp(Chan<Integer> reply) {}

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void channelOwnedCounterWithAThousandSenders(int procs) {
        // Share memory by communicating: only the owner goroutine touches the count.
        try (Scheduler s = scheduler("owner", procs)) {
            Chan<CounterOp> ops = new Chan<>();
            Task<Void> owner = s.submit(() -> {
                int count = 0; // confined to this goroutine
                for (CounterOp op : ops) {
                    if (op.reply() == null) {
                        count++;
                    } else {
                        op.reply().send(count);
                    }
                }
            });
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 1000; i++) {
                wg.go(s, () -> ops.send(new CounterOp(null)));
            }
            wg.await();
            Chan<Integer> reply = new Chan<>();
            ops.send(new CounterOp(reply));
            assertEquals(1000, reply.receive(LIVENESS).value());
            ops.close();
            join(s, owner);
        }
    }

    @Test
    void aGoroutineBlockedOnAChannelNobodyUsesIsReportedAsADeadlock() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        Chan<String> nobodySends = new Chan<>();
        try (Scheduler s = Scheduler.builder().name("chan-deadlock").procs(1).deadlockGrace(Duration.ofMillis(100))
                .diagnostics(diag::add).closeTimeout(LIVENESS).build()) {
            Task<String> stuck = s.submit("stuck", () -> nobodySends.receive().value());
            awaitCondition("a deadlock report", () -> diag.stream().anyMatch(l -> l.contains("deadlock!")));
            String report = diag.stream().filter(l -> l.contains("deadlock!")).findFirst().orElseThrow();
            assertTrue(report.contains("chan receive"), report);
            assertTrue(report.contains("\"stuck\""), report);
            nobodySends.send("released"); // an outsider (this thread) breaks the deadlock
            assertEquals("released", join(s, stuck));
        }
    }

    @Test
    void aReceiveThatAGoroutineOfAnotherSchedulerFeedsAfterATimerIsNotADeadlock() {
        // Scheduler a has nothing left to run, but b's goroutine sends after a sleep of 20 graces:
        // a wait that a live scheduler ends. Under FAIL_JOINERS a false deadlock report would make
        // the join below throw.
        Duration grace = Duration.ofMillis(50);
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        Chan<Integer> ch = new Chan<>();
        try (Scheduler b = scheduler("chan-feeder", 1);
                Scheduler a = Scheduler.builder().name("chan-fed").procs(1).deadlockGrace(grace)
                        .deadlockPolicy(DeadlockPolicy.FAIL_JOINERS).diagnostics(diag::add).closeTimeout(LIVENESS).build()) {
            Task<Integer> receiver = a.submit("receiver", () -> ch.receive().value());
            Task<Void> feeder = b.submit("feeder", () -> {
                Gmp.sleep(grace.multipliedBy(20));
                ch.send(7);
                return null;
            });
            assertEquals(7, join(a, receiver), "diagnostics: " + diag);
            join(b, feeder);
            assertEquals(0, a.stats().deadlocks(), "diagnostics: " + diag);
            assertFalse(diag.stream().anyMatch(l -> l.contains("deadlock!")), "diagnostics: " + diag);
        }
    }

    @Test
    void aGoroutineInATimedReceiveIsNotADeadlock() {
        AtomicInteger reports = new AtomicInteger();
        Chan<String> nobodySends = new Chan<>();
        try (Scheduler s = Scheduler.builder().name("chan-timed").procs(1).deadlockGrace(Duration.ofMillis(20))
                .diagnostics(l -> {
                    if (l.contains("deadlock!")) {
                        reports.incrementAndGet();
                    }
                }).closeTimeout(LIVENESS).build()) {
            // The receive waits 10x the grace on a timer, so sysmon must not call it a deadlock.
            Task<Received<String>> waiting = s.submit(() -> nobodySends.receive(Duration.ofMillis(200)));
            assertTrue(join(s, waiting).timedOut());
            assertEquals(0, reports.get(), "a wait with a timer armed was reported as a deadlock");
        }
    }
}
