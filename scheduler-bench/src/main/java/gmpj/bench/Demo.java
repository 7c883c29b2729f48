package gmpj.bench;

import gmpj.bench.Workloads.Result;
import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.SchedulerStats;
import gmpj.core.SchedulerStats.ProcStats;
import gmpj.core.StealPolicy;
import gmpj.core.Task;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import gmpj.sync.Mutex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The README's tour of gmpj: Go's classic first concurrent programs ({@link Workloads}) on a gmpj
 * scheduler, each with schedtrace lines while it runs and the scheduler's counters after it; the
 * same workloads timed on gmpj and on JDK virtual threads; then a look inside.
 *
 * <ol>
 *   <li><b>Sleepers</b>: 100,000 goroutines sleep 10 ms each on timers; no thread sleeps.</li>
 *   <li><b>Uneven work</b>: 100 CPU-bound goroutines from one spawner, half of them 10x heavier;
 *       the idle processor steals. The same work with {@link StealPolicy#none()} shows the
 *       difference.</li>
 *   <li><b>A data race</b>: a plain {@code counter++} from 1,000 goroutines on every processor,
 *       then the same under a {@link Mutex}.</li>
 *   <li><b>Fan-out, fan-in</b>: a goroutine spawns 100,000 goroutines and waits for them on a
 *       {@link gmpj.sync.WaitGroup}; its full ring spills to the global queue.</li>
 *   <li><b>Ping-pong</b>: two goroutines hand a ball back and forth with {@link Parking}.</li>
 *   <li><b>Side by side</b>: sections 1, 2, 4, 5 and the locked counter of 3 timed on gmpj and on
 *       virtual threads (each with its natural primitives, see {@link Primitives}), once each after
 *       a warm-up: demo timings, not benchmarks (those are JMH's, in {@code run-bench.sh}).</li>
 *   <li><b>Seeing inside</b>: on a one-processor scheduler with the builder's schedtrace and
 *       scheddetail, a blocking call and a goroutine that never yields each get their processor
 *       handed to another carrier while a third goroutine runs; then a goroutine dump of parked
 *       goroutines, and sysmon's deadlock report.</li>
 * </ol>
 *
 * Each workload checks its own result; the tour exits with status 1 if one is wrong.
 * Run it with {@code ./mvnw -q -pl scheduler-bench -am -DskipTests package exec:exec}.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        int procs = Runtime.getRuntime().availableProcessors();
        System.out.printf("gmpj tour: Go's G/M/P scheduler on JDK %s continuations, procs=%d (one carrier thread per P)%n",
                Runtime.version().feature(), procs);
        System.out.println("""
                A schedtrace line, like Go's GODEBUG=schedtrace, reads:
                  procs      processors (GOMAXPROCS)       idleprocs  processors with nothing to run
                  threads    carrier threads alive         spinning   carriers hunting for work to steal
                  runqueue   goroutines in the global queue
                  gcount     goroutines alive (queued, running or parked)
                  extra      goroutines running beyond procs (a hog or a returned blocking call whose P was handed off)
                  [a b ..]   each processor's local queue (ring + runnext)
                  timers     armed timers (sleeping goroutines)
                Sections 1, 2, 4 and 5 run their workload once untimed first, so that what the trace shows is the
                scheduler at work rather than the JIT compiling it; section 3 does not, for a reason it gives.""");
        boolean ok;
        try (Scheduler s = Scheduler.builder().procs(procs).name("tour").diagnostics(Demo::diagnostic).build()) {
            Primitives gmpj = Primitives.gmpj(s);
            ok = sleepers(s, gmpj) & unevenWork(s, gmpj, procs) & dataRace(s, gmpj, procs) & fanOut(s, gmpj)
                    & pingPong(s, gmpj);
            System.out.println();
            System.out.println("== Everything the tour's scheduler counted so far, per processor ==");
            System.out.println(s.stats());
            System.out.println("""
                      runs: goroutines mounted on the P's carrier; yields/parks: how they came off again;
                      readies: goroutines this P woke up; steals/stolen: successful raids and goroutines taken;
                      gtakes: batches taken from the global queue; overflows: half-rings spilled to it.""");
            ok &= sideBySide(gmpj, procs);
        }
        ok &= seeingInside();
        System.out.printf("%ntour: %s (%.1f s)%n", ok ? "every check passed" : "a check FAILED (see above)",
                (System.nanoTime() - start) / 1e9);
        if (!ok) {
            System.exit(1);
        }
    }

    // ------------------------------------------------------------------ 1. sleepers

    private static boolean sleepers(Scheduler s, Primitives gmpj) throws InterruptedException {
        header("1. " + fmt(Workloads.SLEEPERS) + " sleeping goroutines: a sleep parks a goroutine on a timer, no thread sleeps",
                "Each calls Gmp.sleep(" + Workloads.SLEEP.toMillis() + " ms): it parks on a timer in its P's timer heap and "
                        + "frees its carrier, so no thread sleeps;",
                "one after the other they would take " + fmt(Workloads.SLEEPERS * Workloads.SLEEP.toMillis() / 1000)
                        + " s. With nothing runnable, a P's carrier parks until its nearest timer (watch timers).");
        Result r = traced(s, 100, WARM_UP, () -> Workloads.sleepers(gmpj));
        return check(r.ok(), "a goroutine woke before its time was up");
    }

    // ------------------------------------------------------------------ 2. uneven work

    private static boolean unevenWork(Scheduler s, Primitives gmpj, int procs) throws InterruptedException {
        header("2. Uneven work: an idle processor steals from a busy one",
                "One goroutine spawns " + UnevenWork.TASKS + " CPU-bound goroutines, the first half " + UnevenWork.HEAVY_FACTOR
                        + "x heavier. All land on the spawner's P",
                "(runnext, then its ring); an idle P steals half of a busy P's queue. A line every 10 ms: watch [a b] even out.");
        long t0 = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < UnevenWork.TASKS; i++) {
            sum += UnevenWork.work(i);
        }
        long alone = System.nanoTime() - t0;
        Result r = traced(s, 10, WARM_UP, () -> Workloads.uneven(gmpj));
        System.out.printf("  for comparison: the same tasks one after the other on one thread took %s (ideal on %d Ps: %s)%n",
                millis(alone), procs, millis(alone / procs));
        boolean ok = check(r.ok() && sum == UnevenWork.EXPECTED, "stealing lost or repeated a task");
        System.out.println("  The same again on a fresh scheduler built with .stealPolicy(StealPolicy.none()): an idle P "
                + "gets only what spills");
        System.out.println("  to the global queue, and " + UnevenWork.TASKS + " goroutines fit in the spawner's ring:");
        try (Scheduler none = Scheduler.builder().procs(procs).stealPolicy(StealPolicy.none()).name("no-steal")
                .diagnostics(Demo::diagnostic).build()) {
            Result rn = traced(none, 10, WARM_UP, () -> Workloads.uneven(Primitives.gmpj(none)));
            ok &= check(rn.ok(), "a task was lost without stealing");
        }
        return ok;
    }

    // ------------------------------------------------------------------ 3. a data race

    private static boolean dataRace(Scheduler s, Primitives gmpj, int procs) throws InterruptedException {
        header("3. A data race: counter++ from many goroutines loses updates, a gmpj.sync.Mutex fixes it",
                fmt(Workloads.COUNTERS) + " goroutines, spawned onto all " + procs + " Ps, each run counter++ "
                        + fmt(Workloads.INCREMENTS_EACH) + " times on one plain long field. counter++ is",
                "a read, an add and a write: goroutines running at once on different carriers interleave them and overwrite "
                        + "each other's",
                "updates. Not warmed up: once the JIT has compiled the loop it may keep the counter in a register and "
                        + "write it once",
                "per goroutine, which hides most of the race without fixing it. How many are lost varies from run to run.",
                "Then the same with mu.lock() and mu.unlock() around counter++.");
        if (procs == 1) {
            System.out.println("  (With one P, goroutines never run at the same time and never switch mid-loop: nothing "
                    + "can be lost here.)");
        }
        Result racy = traced(s, 25, COLD, () -> Workloads.counter(gmpj, null));
        boolean ok = check(racy.ok(), "the racy counter counted more than was added");
        Mutex mu = new Mutex();
        Result locked = traced(s, 25, COLD, () -> Workloads.counter(gmpj, mu));
        System.out.printf("  mutex: %,d hand-offs to a parked waiter, starvation mode entered %,d times%n", mu.handoffs(),
                mu.starvationEntries());
        return ok & check(locked.ok(), "an increment was lost under the Mutex");
    }

    // ------------------------------------------------------------------ 4. fan-out, fan-in

    private static boolean fanOut(Scheduler s, Primitives gmpj) throws InterruptedException {
        header("4. Fan-out, fan-in: a WaitGroup, and a full run queue spilling to the global queue",
                "A root goroutine spawns " + fmt(Workloads.FAN_OUT) + " goroutines, each writing one Collatz chain length "
                        + "into its own slot, and waits",
                "on a WaitGroup (it parks). Spawns go to the root's P: runnext, then its 256-slot ring, which spills half "
                        + "to the global",
                "queue when full ('overflows'); the other Ps take batches from that queue ('global-takes') and steal.");
        Result r = traced(s, 25, WARM_UP, () -> Workloads.fanOut(gmpj));
        return check(r.ok(), "the goroutines' sum differs from the sequential one");
    }

    // ------------------------------------------------------------------ 5. ping-pong

    private static boolean pingPong(Scheduler s, Primitives gmpj) throws InterruptedException {
        header("5. Ping-pong: Parking.park / Waiter.unpark, and the runnext slot that keeps a pair hot",
                "Two goroutines hit a ball " + fmt(2L * Workloads.ROUNDS) + " times; each parks until its turn and unparks "
                        + "the other. A goroutine woken by",
                "another goroutine goes to that P's runnext slot and runs next on the same carrier (per P: 'from runnext').");
        Result r = traced(s, 50, WARM_UP, () -> Workloads.pingPong(gmpj));
        return check(r.ok(), "a hit was lost");
    }

    // ------------------------------------------------------------------ 6. side by side

    /** One row of the comparison: a workload, runnable on either runtime. */
    private record Row(String label, Function<Primitives, Result> workload) {}

    private static boolean sideBySide(Primitives gmpj, int procs) {
        header("6. Side by side: the same workloads on gmpj and on JDK virtual threads, timed once each",
                "The same workload code; gmpj uses Gmp.sleep, WaitGroup, Mutex and Parking on " + procs + " Ps, virtual "
                        + "threads use Thread.sleep,",
                "CountDownLatch, ReentrantLock and LockSupport on " + procs + " carriers. Each runs once to warm up, then "
                        + "once timed. (The racy counter",
                "is left out: it is wrong on purpose.)");
        VirtualThreadScheduler.parallelism(procs);
        Primitives vts = Primitives.virtualThreads();
        List<Row> rows = List.of(
                new Row(fmt(Workloads.SLEEPERS) + " tasks sleeping " + Workloads.SLEEP.toMillis() + " ms", Workloads::sleepers),
                new Row("uneven work: " + UnevenWork.TASKS + " tasks from one", Workloads::uneven),
                new Row(fmt(Workloads.COUNTERS) + " tasks x " + fmt(Workloads.INCREMENTS_EACH) + " locked counter++",
                        p -> Workloads.counter(p, p.lock().get())),
                new Row("fan-out, fan-in of " + fmt(Workloads.FAN_OUT) + " tasks", Workloads::fanOut),
                new Row("ping-pong, " + fmt(Workloads.ROUNDS) + " round trips", Workloads::pingPong));
        System.out.printf("  %-42s %12s %16s %10s%n", "workload", "gmpj", "virtual threads", "gmpj / VT");
        boolean ok = true;
        for (Row row : rows) {
            long g = timeAfterWarmUp(row, gmpj);
            long v = timeAfterWarmUp(row, vts);
            ok &= g > 0 && v > 0;
            System.out.printf("  %-42s %12s %16s %10s%n", row.label(), g > 0 ? millis(g) : "wrong", v > 0 ? millis(v) : "wrong",
                    g > 0 && v > 0 ? String.format("%.2f", (double) g / v) : "-");
        }
        System.out.println("""
                  These are single-shot demo timings, taken alongside whatever else this machine is doing: not benchmarks.
                  For real numbers (JMH: warmed up, repeated, beside virtual threads, ForkJoinPool and platform threads)
                  run scheduler-bench/run-bench.sh; docs/benchmarks.md holds a full run.""".indent(2).stripTrailing());
        return check(ok, "a workload gave a wrong result (see above)");
    }

    /** Runs the row's workload once untimed and once timed on {@code p}; its time, or -1 (reported) if a result was wrong. */
    private static long timeAfterWarmUp(Row row, Primitives p) {
        Result warm = row.workload().apply(p);
        long t0 = System.nanoTime();
        Result timed = row.workload().apply(p);
        long elapsed = System.nanoTime() - t0;
        for (Result r : List.of(warm, timed)) {
            if (!r.ok()) {
                System.out.println("  WRONG on " + p.name() + ": " + row.label() + ": " + r.summary());
                return -1;
            }
        }
        return elapsed;
    }

    // ------------------------------------------------------------------ 7. seeing inside

    private static boolean seeingInside() throws Exception {
        header("7. Seeing inside: processor hand-offs, a goroutine dump, a deadlock report",
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

    /**
     * The tour's diagnostics sink: the first line of each report (sysmon's hog reports come with
     * a stack, which would drown the tour), indented under the section it happened in.
     */
    private static void diagnostic(String report) {
        System.out.println("    " + report.lines().findFirst().orElse(""));
    }

    private static void header(String title, String... lines) {
        System.out.println();
        System.out.println("== " + title + " ==");
        for (String l : lines) {
            System.out.println("  " + l);
        }
    }

    /** For {@link #traced}: run the workload once untimed first, or not. */
    private static final boolean WARM_UP = true;
    private static final boolean COLD = false;

    /**
     * Runs {@code workload} on {@code s} (after an untimed run if {@code warmUp}) with a schedtrace
     * line every {@code traceMillis}, then prints its result, how long it took, and what the
     * scheduler did meanwhile. Also the warm-up's result must be right.
     */
    private static Result traced(Scheduler s, long traceMillis, boolean warmUp, Supplier<Result> workload)
            throws InterruptedException {
        if (warmUp) {
            Result warm = workload.get();
            quiet(s);
            if (!warm.ok()) {
                System.out.println("  result of the untimed run: " + warm.summary());
                return warm;
            }
        }
        SchedulerStats before = s.stats();
        long t0 = System.nanoTime();
        Result r;
        try (var _ = TraceSampler.start(s, traceMillis, System.out)) {
            r = workload.get();
        }
        long elapsed = System.nanoTime() - t0;
        SchedulerStats after = quiet(s);
        System.out.printf("  result: %s, in %s%n", r.summary(), millis(elapsed));
        printDelta(before, after);
        return r;
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
            sb.append(String.format("  P%d ran %s (from runnext %s), finished %s, stole %s, timers fired %s;", a.id(),
                    fmt(a.runs() - b.runs()), fmt(a.runnextPicks() - b.runnextPicks()), fmt(a.exits() - b.exits()),
                    fmt(a.stolen() - b.stolen()), fmt(a.timersFired() - b.timersFired())));
        }
        System.out.println(sb.deleteCharAt(sb.length() - 1));
    }

    private static boolean check(boolean ok, String failure) {
        System.out.println(ok ? "  check: OK" : "  check: FAILED, " + failure);
        return ok;
    }

    private static String millis(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private static String fmt(long n) {
        return String.format("%,d", n);
    }
}
