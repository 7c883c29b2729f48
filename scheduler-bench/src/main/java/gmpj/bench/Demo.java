package gmpj.bench;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.SchedulerStats;
import gmpj.core.SchedulerStats.ProcStats;
import gmpj.core.Task;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The README's demo: three workloads that make a Go-style scheduler show what it does, with a
 * schedtrace line every 100 ms while each runs and the scheduler's counters after it.
 *
 * <ol>
 *   <li><b>Spawn and steal</b>: one goroutine spawns 100,000 small CPU tasks. They all land on its
 *       processor (runnext, then the ring, which spills half to the global queue when full); the
 *       other processors get their share only by stealing and by taking from the global queue.</li>
 *   <li><b>Park and unpark</b>: 100 rings of 100 goroutines pass a token round each ring. Every
 *       goroutine spends its life parked, holding no thread, until its neighbour unparks it.</li>
 *   <li><b>Timers</b>: five goroutines sleep; while they do, every processor is idle and its
 *       carrier parked until the nearest timer is due.</li>
 *   <li><b>Seeing inside</b>: on a one-processor scheduler with the builder's schedtrace and
 *       scheddetail, a blocking call and a goroutine that never yields each get their processor
 *       handed to another carrier while a third goroutine runs; then a goroutine dump of parked
 *       goroutines, and sysmon's deadlock report.</li>
 * </ol>
 *
 * Each workload checks its own result; the demo exits with status 1 if one is wrong.
 * Run it with {@code ./mvnw -q -B -pl scheduler-bench -DskipTests package exec:exec}.
 */
public final class Demo {
    private static final long TRACE_PERIOD_MILLIS = 100;

    private Demo() {}

    public static void main(String[] args) throws Exception {
        int procs = Runtime.getRuntime().availableProcessors();
        System.out.printf("gmpj demo: Go's G/M/P scheduler on JDK %s continuations, procs=%d (one carrier thread per P)%n",
                Runtime.version().feature(), procs);
        System.out.println("""
                A schedtrace line, like Go's GODEBUG=schedtrace=100, reads:
                  procs      processors (GOMAXPROCS)       idleprocs  processors with nothing to run
                  threads    carrier threads alive         spinning   carriers hunting for work to steal
                  runqueue   goroutines in the global queue
                  gcount     goroutines alive (queued, running or parked)
                  [a b ..]   each processor's local queue (ring + runnext)
                  timers     armed timers (sleeping goroutines)""");
        boolean ok;
        try (Scheduler s = Scheduler.builder().procs(procs).name("demo").build()) {
            ok = spawnAndSteal(s) & parkAndUnpark(s) & timers(s);
            System.out.println();
            System.out.println("== Everything the scheduler counted, per processor ==");
            System.out.println(s.stats());
            System.out.println("""
                      runs: goroutines mounted on the P's carrier; yields/parks: how they came off again;
                      readies: goroutines this P woke up; steals/stolen: successful raids and goroutines taken;
                      gtakes: batches taken from the global queue; overflows: half-rings spilled to it.""");
        }
        ok &= seeingInside();
        System.out.println(ok ? "demo: every check passed" : "demo: a check FAILED (see above)");
        if (!ok) {
            System.exit(1);
        }
    }

    // ------------------------------------------------------------------ 1. spawn and steal

    /** Goroutines spawned by the root, and numbers each one checks (Collatz chains of 1..1,000,000). */
    private static final int SPAWNED = 100_000;
    private static final int NUMBERS_PER_GOROUTINE = 10;

    private static boolean spawnAndSteal(Scheduler s) throws InterruptedException {
        header("1. Spawn and steal",
                "One goroutine spawns " + fmt(SPAWNED) + " goroutines; each adds up the Collatz chain lengths of "
                        + NUMBERS_PER_GOROUTINE + " numbers",
                "(1.." + fmt((long) SPAWNED * NUMBERS_PER_GOROUTINE) + " in all). Spawns go to the spawner's own P: "
                        + "runnext, then its 256-slot ring,",
                "which spills half to the global queue when full. Other Ps get work only by stealing or from that queue.");
        long expected = collatzSteps(1, SPAWNED * NUMBERS_PER_GOROUTINE);
        LongAdder sum = new LongAdder();
        Countdown done = new Countdown();
        SchedulerStats before = s.stats();
        long t0 = System.nanoTime();
        try (var _ = TraceSampler.start(s, TRACE_PERIOD_MILLIS, System.out)) {
            done.reset(SPAWNED);
            s.go("spawner", () -> {
                for (int i = 0; i < SPAWNED; i++) {
                    long first = (long) i * NUMBERS_PER_GOROUTINE + 1;
                    s.go(() -> {
                        sum.add(collatzSteps(first, NUMBERS_PER_GOROUTINE));
                        done.countDown();
                    });
                }
            });
            done.await();
        }
        long elapsed = System.nanoTime() - t0;
        SchedulerStats after = quiet(s);
        System.out.printf("  result: total Collatz steps = %s (a plain loop says %s), in %d ms%n",
                fmt(sum.sum()), fmt(expected), elapsed / 1_000_000);
        printDelta(before, after);
        System.out.println("  (the spawner's P spilled its full ring to the global queue: 'overflows'; the other P fed on that"
                + " queue: 'global-takes', and stole the rest)");
        return check(sum.sum() == expected, "the goroutines' sum differs from the sequential one");
    }

    /** Total steps for the Collatz chains of {@code first .. first+count-1} to reach 1. */
    private static long collatzSteps(long first, long count) {
        long steps = 0;
        for (long n = first; n < first + count; n++) {
            for (long x = n; x != 1; x = (x & 1) == 0 ? x >>> 1 : 3 * x + 1) {
                steps++;
            }
        }
        return steps;
    }

    // ------------------------------------------------------------------ 2. park and unpark

    private static final int RINGS = 100;
    private static final int RING_SIZE = 100;
    private static final int LAPS = 20;
    private static final long EMPTY = -1;

    private static boolean parkAndUnpark(Scheduler s) throws InterruptedException {
        int n = RINGS * RING_SIZE;
        header("2. Park and unpark",
                fmt(n) + " goroutines in " + RINGS + " rings of " + RING_SIZE + ". Each parks until its inbox holds the token, "
                        + "adds 1 and passes it",
                "to its neighbour, whom it unparks; the token goes " + LAPS + " times round each ring ("
                        + fmt((long) n * LAPS) + " hand-offs). A parked goroutine is an",
                "unmounted continuation: it holds no thread. An unpark from a goroutine puts the woken one in its "
                        + "P's runnext, so it runs next.");
        AtomicLongArray inbox = new AtomicLongArray(n);
        AtomicReferenceArray<Waiter> waiters = new AtomicReferenceArray<>(n);
        for (int i = 0; i < n; i++) {
            inbox.set(i, EMPTY);
        }
        Countdown done = new Countdown();
        SchedulerStats before = s.stats();
        long t0 = System.nanoTime();
        try (var _ = TraceSampler.start(s, TRACE_PERIOD_MILLIS, System.out)) {
            done.reset(n);
            for (int i = 0; i < n; i++) {
                int me = i;
                int next = i - i % RING_SIZE + (i + 1) % RING_SIZE;
                s.go("ring-" + i / RING_SIZE + "-" + i % RING_SIZE, () -> {
                    waiters.set(me, Parking.currentWaiter()); // publish, then look at the inbox: see send()
                    for (int lap = 0; lap < LAPS; lap++) {
                        long token;
                        while ((token = inbox.getAndSet(me, EMPTY)) == EMPTY) {
                            Parking.park(WaitReason.PARK);
                        }
                        send(inbox, waiters, next, token + 1);
                    }
                    done.countDown();
                });
            }
            for (int r = 0; r < RINGS; r++) {
                send(inbox, waiters, r * RING_SIZE, 0); // serve: from outside, the token lands in the global queue
            }
            done.await();
        }
        long elapsed = System.nanoTime() - t0;
        SchedulerStats after = quiet(s);
        // Each ring's last hand-off goes back to its first member, who has finished its laps: the
        // token waits there, counting every hand-off of that ring.
        long hops = 0;
        boolean ringsOk = true;
        for (int r = 0; r < RINGS; r++) {
            long token = inbox.get(r * RING_SIZE);
            hops += token;
            ringsOk &= token == (long) RING_SIZE * LAPS;
        }
        System.out.printf("  result: %s hand-offs in %d ms (%.0f ns each, both Ps together); every ring's token reads %s: %s%n",
                fmt(hops), elapsed / 1_000_000, (double) elapsed / hops, fmt((long) RING_SIZE * LAPS), ringsOk);
        printDelta(before, after);
        return check(ringsOk && hops == (long) n * LAPS, "a ring lost or duplicated its token");
    }

    /** Puts {@code token} in {@code to}'s inbox, then unparks {@code to} if it has published its waiter. */
    private static void send(AtomicLongArray inbox, AtomicReferenceArray<Waiter> waiters, int to, long token) {
        inbox.set(to, token);
        // Volatile write then read here, volatile write then read in the receiver: if we see no
        // waiter yet, the receiver has not looked at its inbox yet and will find the token.
        Waiter w = waiters.get(to);
        if (w != null) {
            w.unpark();
        }
    }

    // ------------------------------------------------------------------ 3. timers

    private static boolean timers(Scheduler s) throws InterruptedException {
        header("3. Timers",
                "Five goroutines call Gmp.sleep (100..500 ms). A sleeping goroutine parks on a timer; with nothing to run,",
                "each P goes idle and its carrier parks until the nearest deadline (watch idleprocs and timers).");
        AtomicInteger wakeOrder = new AtomicInteger();
        List<Task<String>> sleepers = new ArrayList<>();
        SchedulerStats before = s.stats();
        try (var _ = TraceSampler.start(s, TRACE_PERIOD_MILLIS, System.out)) {
            for (int k = 5; k >= 1; k--) { // started longest first: waking in order is the timers' doing
                Duration nap = Duration.ofMillis(100L * k);
                sleepers.add(s.submit("sleeper-" + k, () -> {
                    long t0 = System.nanoTime();
                    Gmp.sleep(nap);
                    double slept = (System.nanoTime() - t0) / 1e6;
                    int order = wakeOrder.incrementAndGet();
                    return String.format("%s (goroutine %d) asked %d ms, slept %.1f ms, woke #%d",
                            Gmp.goroutineName(), Gmp.goid(), nap.toMillis(), slept, order)
                            + (slept >= nap.toMillis() ? "" : "  <-- TOO EARLY");
                }));
            }
            for (Task<String> t : sleepers) {
                t.join();
            }
        }
        SchedulerStats after = quiet(s);
        boolean ok = true;
        for (int i = sleepers.size() - 1; i >= 0; i--) {
            String line = sleepers.get(i).join();
            System.out.println("  " + line);
            ok &= !line.contains("TOO EARLY") && line.endsWith("#" + (sleepers.size() - i));
        }
        printDelta(before, after);
        return check(ok, "a sleeper woke too early or out of order");
    }

    // ------------------------------------------------------------------ 4. seeing inside

    private static boolean seeingInside() throws Exception {
        header("4. Seeing inside: hand-offs, a goroutine dump, a deadlock report",
                "A fresh scheduler with ONE processor, built with .schedtrace(200 ms).scheddetail(true): sysmon prints",
                "the SCHED lines below, with a line per P, per carrier (M) and per goroutine (G).",
                "(a) A goroutine calls Gmp.blocking(() -> Thread.sleep(300)) and another spins 300 ms without checkpoints;",
                "    sysmon hands the processor to another carrier each time, so a third goroutine still finishes at once.");
        List<String> diagnostics = new java.util.concurrent.CopyOnWriteArrayList<>();
        boolean ok = true;
        try (Scheduler one = Scheduler.builder().procs(1).name("inside").schedtrace(Duration.ofMillis(200))
                .scheddetail(true).deadlockGrace(Duration.ofMillis(300))
                .diagnostics(line -> {
                    diagnostics.add(line);
                    System.out.println(line.indent(4).stripTrailing());
                })
                .closeTimeout(Duration.ofSeconds(5)).build()) {
            Task<String> blocked = one.submit("blocker", () -> Gmp.blocking(() -> {
                Thread.sleep(300);
                return "blocking call returned";
            }));
            Task<Long> hog = one.submit("hog", () -> {
                long end = System.nanoTime() + 300_000_000L, spins = 0;
                while (System.nanoTime() < end) {
                    spins++; // no Gmp.checkpoint(): sysmon must take the processor away
                }
                return spins;
            });
            long t0 = System.nanoTime();
            Task<String> quick = one.submit("quick", () -> "quick goroutine ran");
            System.out.printf("    %s after %.0f ms, while the other two held their carriers%n", quick.join(),
                    (System.nanoTime() - t0) / 1e6);
            System.out.println("    " + blocked.join() + "; hog spun " + fmt(hog.join()) + " times");
            SchedulerStats st = one.stats();
            System.out.printf("    hand-offs=%d hogs=%d threads=%d (carriers started to take over)%n", st.handoffs(), st.hogs(),
                    st.threads());
            ok &= check(st.handoffs() >= 1, "no processor was handed off");

            System.out.println();
            System.out.println("  (b) Three goroutines park for different reasons; Scheduler.dump() shows them as Go would:");
            Waiter[] waiters = new Waiter[3];
            WaitReason[] reasons = {WaitReason.CHAN_RECV, WaitReason.MUTEX, WaitReason.WAITGROUP};
            AtomicInteger parked = new AtomicInteger();
            List<Task<Void>> sleepers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int k = i;
                sleepers.add(one.submit("waiter-" + i, () -> {
                    waiters[k] = Parking.currentWaiter();
                    parked.incrementAndGet();
                    waitFor(reasons[k]);
                    return null;
                }));
            }
            while (parked.get() < 3 || one.goroutines().stream().filter(g -> "waiting".equals(g.state())).count() < 3) {
                Thread.sleep(1);
            }
            System.out.print(one.dump().indent(4));
            System.out.println("  (c) Nothing can wake them now: after deadlockGrace (300 ms) sysmon reports it.");
            while (one.stats().deadlocks() == 0) {
                Thread.sleep(5);
            }
            ok &= check(diagnostics.stream().anyMatch(l -> l.startsWith("all goroutines are asleep - deadlock!")),
                    "no deadlock report");
            for (Waiter w : waiters) {
                w.unpark();
            }
            for (Task<Void> t : sleepers) {
                t.join();
            }
        }
        return ok;
    }

    /** Parks until unparked; the frame a dump shows. */
    private static void waitFor(WaitReason reason) {
        Parking.park(reason);
    }

    // ------------------------------------------------------------------ reporting

    private static void header(String title, String... lines) {
        System.out.println();
        System.out.println("== " + title + " ==");
        for (String l : lines) {
            System.out.println("  " + l);
        }
    }

    /** Waits until every goroutine has exited, so that the snapshot is exact; returns it. */
    private static SchedulerStats quiet(Scheduler s) throws InterruptedException {
        while (s.liveGoroutines() != 0) {
            Thread.sleep(1);
        }
        return s.stats();
    }

    /** What the scheduler did between two snapshots, in totals and per processor. */
    private static void printDelta(SchedulerStats before, SchedulerStats after) {
        System.out.printf("  scheduler: spawns=%s (from outside %s) parks=%s readies=%s (from outside %s) "
                        + "steals=%s stolen=%s global-takes=%s overflows=%s%n",
                fmt(after.spawns() - before.spawns()), fmt(after.externalSpawns() - before.externalSpawns()),
                fmt(after.parks() - before.parks()), fmt(after.readies() - before.readies()),
                fmt(after.externalReadies() - before.externalReadies()),
                fmt(after.steals() - before.steals()), fmt(after.stolen() - before.stolen()),
                fmt(after.globalTakes() - before.globalTakes()), fmt(after.overflows() - before.overflows()));
        StringBuilder sb = new StringBuilder("  per P:");
        for (int i = 0; i < after.perProc().size(); i++) {
            ProcStats a = after.perProc().get(i);
            ProcStats b = before.perProc().get(i);
            sb.append(String.format("  P%d ran %s, finished %s, stole %s, timers fired %s;", a.id(), fmt(a.runs() - b.runs()),
                    fmt(a.exits() - b.exits()), fmt(a.stolen() - b.stolen()), fmt(a.timersFired() - b.timersFired())));
        }
        System.out.println(sb.deleteCharAt(sb.length() - 1));
    }

    private static boolean check(boolean ok, String failure) {
        System.out.println(ok ? "  check: OK" : "  check: FAILED, " + failure);
        return ok;
    }

    private static String fmt(long n) {
        return String.format("%,d", n);
    }
}
