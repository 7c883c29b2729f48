package gmpj.bench;

import gmpj.bench.Workloads.Result;
import gmpj.bench.net.ManyConnections;
import gmpj.bench.net.ManyConnections.Descriptors;
import gmpj.bench.net.ManyConnections.Outcome;
import gmpj.core.Gmp;
import gmpj.core.GoroutineInfo;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

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
 *       handed to another carrier: a goroutine started while each holds its carrier finishes
 *       before that one is let go; then a goroutine dump of parked goroutines, and sysmon's
 *       deadlock report.</li>
 *   <li><b>Thousands of connections</b>: an echo server and thousands of client goroutines on
 *       loopback ({@link ManyConnections}), every connection open at once, as many as the
 *       process's descriptor limit allows (at most 5,000), on {@code procs} carriers where a
 *       thread per connection would need two threads each; the poller's counters.</li>
 *   <li><b>An execution trace</b> of the uneven work and of a ping-pong, as Chrome JSON and as
 *       gmpj's HTML timeline viewer.</li>
 *   <li><b>Changing procs at run time</b>: the uneven work on one processor, after
 *       {@link Scheduler#setProcs} grew the scheduler, and after it shrank it again.</li>
 * </ol>
 *
 * Each section checks what it can get wrong and prints {@code check: OK} or {@code check: FAILED}
 * with the reason; the tour exits with status 1 if a check failed. Every wait is bounded by
 * {@link #LIMIT}: a lost wake-up or a lost goroutine, which would otherwise hang the tour, makes it
 * print what is still alive and exit with status 1 at once. Run it with
 * {@code ./mvnw -q -pl scheduler-bench -am -DskipTests package exec:exec}.
 */
public final class Demo {
    /**
     * How long the tour waits for anything (a workload, a goroutine, a report) before it calls it
     * lost: far beyond what any step takes, even on a small, busy machine.
     */
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /**
     * How long the goroutines of section 7 (a) hold their carrier at most, waiting to be let go:
     * long past the hand-off (sysmon acts within a few time slices), short of {@link #LIMIT}, so
     * that without a hand-off the quick goroutine still runs, late, and says so.
     */
    private static final Duration HOLD_LIMIT = Duration.ofSeconds(30);
    /** How long a workload's trace runs before it stops printing, if the workload has not finished by then. */
    private static final Duration TRACE_LIMIT = Duration.ofSeconds(5);

    /** Kept so that the JIT cannot drop the timed sequential loop of section 2, whose sum nothing else reads. */
    private static volatile long sequentialSink;

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
                  netpoll    goroutines waiting on a socket / sockets open on the poller (section 8)
                Sections 1, 2, 4 and 5 run their workload once untimed first, so that what the trace shows is the
                scheduler at work rather than the JIT compiling it; section 3 does not, for a reason it gives.
                Every wait is bounded (%d s): a goroutine that never wakes fails the tour instead of hanging it.""".formatted(
                LIMIT.toSeconds()));
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
            ok &= sideBySide(s, gmpj, procs);
        }
        ok &= seeingInside();
        ok &= manyConnections(procs);
        ok &= executionTrace(procs);
        ok &= resizing(procs);
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
                        + " s. With nothing runnable, a P's carrier parks until its nearest timer (watch timers).",
                "Checked: every sleeper woke before the WaitGroup let the caller go (a timer lost would leave it parked),",
                "none before its " + Workloads.SLEEP.toMillis() + " ms were up.");
        Result r = traced(s, "the sleepers", 100, WARM_UP, () -> Workloads.sleepers(gmpj));
        return check(r.ok(), "a goroutine woke before its time was up, or the WaitGroup let the caller go early");
    }

    // ------------------------------------------------------------------ 2. uneven work

    private static boolean unevenWork(Scheduler s, Primitives gmpj, int procs) throws InterruptedException {
        header("2. Uneven work: an idle processor steals from a busy one",
                "One goroutine spawns " + UnevenWork.TASKS + " CPU-bound goroutines, the first half " + UnevenWork.HEAVY_FACTOR
                        + "x heavier. All land on the spawner's P",
                "(runnext, then its ring); an idle P steals half of a busy P's queue. A line every 10 ms: watch [a b] even out.",
                "Checked: the goroutines' results add up to the sum of the same tasks run one after the other on one",
                "thread (a task run twice changes it; a task lost never lets the wait end). How much is stolen depends on",
                "timing: shown, not checked.");
        long t0 = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < UnevenWork.TASKS; i++) {
            sum += UnevenWork.work(i);
        }
        long alone = System.nanoTime() - t0;
        sequentialSink = sum;
        Result r = traced(s, "the uneven work", 10, WARM_UP, () -> Workloads.uneven(gmpj));
        System.out.printf("  for comparison: the same tasks one after the other on one thread took %s (ideal on %d Ps: %s)%n",
                millis(alone), procs, millis(alone / procs));
        boolean ok = check(r.ok(), "stealing lost or repeated a task");
        System.out.println("  The same again on a fresh scheduler built with .stealPolicy(StealPolicy.none()): an idle P "
                + "gets only what spills");
        System.out.println("  to the global queue, and " + UnevenWork.TASKS + " goroutines fit in the spawner's ring. "
                + "Checked: the same sum, and no steal at all.");
        try (Scheduler none = Scheduler.builder().procs(procs).stealPolicy(StealPolicy.none()).name("no-steal")
                .diagnostics(Demo::diagnostic).build()) {
            Result rn = traced(none, "the uneven work without stealing", 10, WARM_UP,
                    () -> Workloads.uneven(Primitives.gmpj(none)));
            long steals = none.stats().steals();
            ok &= check(rn.ok() && steals == 0, rn.ok()
                    ? fmt(steals) + " steal(s) on a scheduler whose policy is StealPolicy.none()"
                    : "a task was lost or repeated without stealing");
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
                "per goroutine, which hides most of the race without fixing it. How many are lost varies from run to run,",
                "none included, so the racy count is shown, not checked. Then the same with mu.lock() and mu.unlock()",
                "around counter++. Checked: that count comes out exact. Since a race may also lose nothing, the Mutex is",
                "then checked directly: a goroutine holds mu while it sleeps; another calls mu.lock() meanwhile, and must",
                "park ([sync.Mutex.Lock]) until the first unlocks.");
        if (procs == 1) {
            System.out.println("  (With one P, goroutines never run at the same time and never switch mid-loop: nothing "
                    + "can be lost here.)");
        }
        traced(s, "the racy counter", 25, COLD, () -> Workloads.counter(gmpj, null));
        Mutex mu = new Mutex();
        Result locked = traced(s, "the locked counter", 25, COLD, () -> Workloads.counter(gmpj, mu));
        System.out.printf("  mutex: %,d hand-offs to a parked waiter, starvation mode entered %,d times%n", mu.handoffs(),
                mu.starvationEntries());
        boolean ok = check(locked.ok(), "the count is not exact: the Mutex let two goroutines in at once, or the "
                + "WaitGroup let the caller go before every goroutine had finished");
        return ok & mutexExcludes(s);
    }

    /**
     * Section 3's direct check of the Mutex, which a counter that happens to lose nothing cannot
     * give: a goroutine that calls {@code lock()} while another holds the Mutex parks until that
     * one unlocks, and only then gets in.
     */
    private static boolean mutexExcludes(Scheduler s) throws InterruptedException {
        Mutex mu = new Mutex();
        AtomicBoolean held = new AtomicBoolean();
        AtomicBoolean letGo = new AtomicBoolean();
        Task<Void> holder = s.submit("holder", () -> {
            mu.lock();
            held.set(true);
            while (!letGo.get()) {
                Gmp.sleep(Duration.ofMillis(1)); // parks, holding mu: its carrier runs other goroutines
            }
            held.set(false);
            mu.unlock();
            return null;
        });
        awaitCondition(s, "the holder to lock mu", held::get);
        Task<Boolean> contender = s.submit("contender", () -> {
            mu.lock();
            boolean overlapped = held.get();
            mu.unlock();
            return overlapped;
        });
        awaitCondition(s, "the contender to park on mu, or to get in", () -> contender.isDone()
                || s.goroutines().stream().anyMatch(g -> g.id() == contender.id() && g.waitReason() == WaitReason.MUTEX));
        boolean parked = !contender.isDone();
        letGo.set(true);
        boolean overlapped = join(s, "the contender", contender);
        join(s, "the holder", holder);
        System.out.printf("  mu.lock() while another goroutine held mu: %s%n", !parked ? "it got in at once, beside the holder"
                : overlapped ? "it parked [sync.Mutex.Lock], but got in while the holder still held mu"
                : "it parked [sync.Mutex.Lock], and got in once the holder had unlocked");
        return check(parked && !overlapped, "the Mutex let a second goroutine in while the first held it");
    }

    // ------------------------------------------------------------------ 4. fan-out, fan-in

    private static boolean fanOut(Scheduler s, Primitives gmpj) throws InterruptedException {
        header("4. Fan-out, fan-in: a WaitGroup, and a full run queue spilling to the global queue",
                "A root goroutine spawns " + fmt(Workloads.FAN_OUT) + " goroutines, each writing one Collatz chain length "
                        + "into its own slot, and waits",
                "on a WaitGroup (it parks). Spawns go to the root's P: runnext, then its 256-slot ring, which spills half "
                        + "to the global",
                "queue when full ('overflows'); the other Ps take batches from that queue ('global-takes') and steal.",
                "Checked: the WaitGroup let the root go only after every slot was written (slots add up to a plain loop's sum).");
        Result r = traced(s, "the fan-out", 25, WARM_UP, () -> Workloads.fanOut(gmpj));
        return check(r.ok(), "the goroutines' sum differs from the plain loop's: a slot was unwritten or unseen "
                + "when the WaitGroup let the root go");
    }

    // ------------------------------------------------------------------ 5. ping-pong

    private static boolean pingPong(Scheduler s, Primitives gmpj) throws InterruptedException {
        header("5. Ping-pong: Parking.park / Waiter.unpark, and the runnext slot that keeps a pair hot",
                "Two goroutines hit a ball " + fmt(2L * Workloads.ROUNDS) + " times; each parks until its turn and unparks "
                        + "the other. A goroutine woken by",
                "another goroutine goes to that P's runnext slot and runs next on the same carrier (per P: 'from runnext').",
                "Checked: the rally ends (one lost unpark would leave both parked for good), with every hit made.");
        Result r = traced(s, "the ping-pong", 50, WARM_UP, () -> Workloads.pingPong(gmpj));
        return check(r.ok(), "the wait for both players returned before the rally ended");
    }

    // ------------------------------------------------------------------ 6. side by side

    /** One row of the comparison: a workload, runnable on either runtime. */
    private record Row(String label, Function<Primitives, Result> workload) {}

    private static boolean sideBySide(Scheduler s, Primitives gmpj, int procs) throws InterruptedException {
        header("6. Side by side: the same workloads on gmpj and on JDK virtual threads, timed once each",
                "The same workload code; gmpj uses Gmp.sleep, WaitGroup, Mutex and Parking on " + procs + " Ps, virtual "
                        + "threads use Thread.sleep,",
                "CountDownLatch, ReentrantLock and LockSupport on " + procs + " carriers. Each runs once to warm up, then "
                        + "once timed. (The racy counter",
                "is left out: it is wrong on purpose.) Checked: both runs of each give the right result, as above.");
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
            long g = timeAfterWarmUp(row, gmpj, s);
            long v = timeAfterWarmUp(row, vts, null);
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

    /**
     * Runs the row's workload once untimed and once timed on {@code p} (whose goroutines
     * {@code s} runs, or null for virtual threads), bounded by {@link #LIMIT}; its time, or -1
     * (reported) if a result was wrong.
     */
    private static long timeAfterWarmUp(Row row, Primitives p, Scheduler s) throws InterruptedException {
        return bounded(row.label() + " on " + p.name(), s, () -> {
            Result warm = row.workload().apply(p);
            long t0 = System.nanoTime();
            Result timed = row.workload().apply(p);
            long elapsed = System.nanoTime() - t0;
            for (Result r : List.of(warm, timed)) {
                if (!r.ok()) {
                    System.out.println("  WRONG on " + p.name() + ": " + row.label() + ": " + r.summary());
                    return -1L;
                }
            }
            return elapsed;
        });
    }

    // ------------------------------------------------------------------ 7. seeing inside

    private static boolean seeingInside() throws Exception {
        header("7. Seeing inside: processor hand-offs, a goroutine dump, a deadlock report",
                "A fresh scheduler with ONE processor, built with .schedtrace(200 ms).scheddetail(true): sysmon prints",
                "the SCHED lines below, with a line per P, per carrier (M) and per goroutine (G).",
                "(a) A goroutine blocks in Gmp.blocking(...) until it is let go; then another spins without checkpoints",
                "    until it is let go. Each time a quick goroutine is started while the first holds its carrier, and the",
                "    first is let go only once the quick one has finished (or after " + HOLD_LIMIT.toSeconds() + " s). "
                        + "With one P the quick one can",
                "    run meanwhile only if sysmon hands the processor to another carrier. Checked, each time: the quick",
                "    goroutine finished while the other still held its carrier, and sysmon counted a hand-off.");
        List<String> diagnostics = new CopyOnWriteArrayList<>();
        AtomicInteger schedReports = new AtomicInteger();
        boolean ok;
        try (Scheduler one = Scheduler.builder().procs(1).name("inside").schedtrace(Duration.ofMillis(200))
                .scheddetail(true).deadlockGrace(Duration.ofMillis(300))
                .diagnostics(line -> {
                    diagnostics.add(line);
                    int n = line.startsWith("SCHED ") ? schedReports.incrementAndGet() : 0;
                    if (n <= SCHED_SHOWN) {
                        System.out.println(line.indent(4).stripTrailing());
                    } else if (n == SCHED_SHOWN + 1) {
                        System.out.println("    (further SCHED reports not shown)");
                    }
                })
                .closeTimeout(Duration.ofSeconds(5)).build()) {
            ok = handOffFromBlockingCall(one) & handOffFromHog(one);
            ok &= dumpAndDeadlock(one, diagnostics);
        }
        return ok;
    }

    /** (a), first half: a goroutine in a blocking call loses its processor, so a quick one runs meanwhile. */
    private static boolean handOffFromBlockingCall(Scheduler one) throws Exception {
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicBoolean holding = new AtomicBoolean();
        long handoffs = one.stats().handoffs();
        Task<Boolean> blocker = one.submit("blocker", () -> Gmp.blocking(() -> {
            holding.set(true);
            boolean letGoInTime = letGo.await(HOLD_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            holding.set(false);
            return letGoInTime;
        }));
        awaitCondition(one, "the blocker to enter its blocking call", holding::get);
        Task<Boolean> quick = one.submit("quick", holding::get);
        boolean quickFirst = join(one, "the quick goroutine", quick);
        letGo.countDown();
        boolean letGoInTime = join(one, "the blocker", blocker);
        long handedOff = one.stats().handoffs() - handoffs;
        System.out.printf("    blocking call: the quick goroutine finished %s; the blocker was %s; hand-offs +%d%n",
                quickFirst ? "while the blocker was still blocked" : "only after the blocker's call had returned",
                letGoInTime ? "let go after that" : "never let go: it gave up after " + HOLD_LIMIT.toSeconds() + " s",
                handedOff);
        return check(quickFirst && handedOff >= 1, quickFirst ? "sysmon counted no hand-off"
                : "the processor stayed with the blocked carrier: the quick goroutine could not run until the call returned");
    }

    /** (a), second half: a goroutine that never yields loses its processor, so a quick one runs meanwhile. */
    private static boolean handOffFromHog(Scheduler one) throws Exception {
        AtomicBoolean letGo = new AtomicBoolean();
        AtomicBoolean holding = new AtomicBoolean();
        long handoffs = one.stats().handoffs();
        Task<Long> hog = one.submit("hog", () -> {
            long giveUp = System.nanoTime() + HOLD_LIMIT.toNanos(), spins = 0;
            holding.set(true);
            while (!letGo.get() && System.nanoTime() - giveUp < 0) {
                spins++; // no Gmp.checkpoint(): sysmon must take the processor away
            }
            holding.set(false);
            return spins;
        });
        awaitCondition(one, "the hog to start spinning", holding::get);
        Task<Boolean> quick = one.submit("quick", holding::get);
        boolean quickFirst = join(one, "the quick goroutine", quick);
        letGo.set(true);
        long spins = join(one, "the hog", hog);
        SchedulerStats st = one.stats();
        long handedOff = st.handoffs() - handoffs;
        System.out.printf("    never-yielding goroutine: the quick goroutine finished %s; the hog spun %s times; "
                        + "hand-offs +%d (hogs reported %d, carriers %d)%n",
                quickFirst ? "while the hog was still spinning" : "only after the hog had stopped", fmt(spins), handedOff,
                st.hogs(), st.threads());
        return check(quickFirst && handedOff >= 1, quickFirst ? "sysmon counted no hand-off"
                : "the processor stayed with the hog: the quick goroutine could not run until it stopped spinning");
    }

    /** (b) and (c): a dump of three parked goroutines, then sysmon's deadlock report about them. */
    private static boolean dumpAndDeadlock(Scheduler one, List<String> diagnostics) throws Exception {
        System.out.println();
        System.out.println("  (b) Three goroutines park for different reasons; Scheduler.dump() shows them as Go would.");
        System.out.println("      Checked: the dump lists each under its name with its wait reason.");
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
        awaitCondition(one, "the three goroutines to park", () -> parked.get() == 3
                && one.goroutines().stream().filter(g -> "waiting".equals(g.state())).count() == 3);
        String dump = one.dump();
        System.out.print(dump.indent(4));
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (!dump.contains("\"waiter-" + i + "\" [" + reasons[i].label() + ",")) {
                missing.add("waiter-" + i + " as [" + reasons[i].label() + "]");
            }
        }
        boolean ok = check(missing.isEmpty(), "the dump does not show " + String.join(", nor ", missing));

        System.out.println("  (c) Nothing can wake them now: after deadlockGrace (300 ms) sysmon reports it. Checked: the report comes.");
        awaitCondition(one, "sysmon's deadlock report", () -> one.stats().deadlocks() > 0);
        ok &= check(diagnostics.stream().anyMatch(l -> l.startsWith("all goroutines are asleep - deadlock!")),
                "sysmon counted a deadlock but reported none");
        for (Waiter w : waiters) {
            w.unpark();
        }
        for (Task<Void> t : sleepers) {
            join(one, "a woken waiter", t);
        }
        return ok;
    }

    /**
     * How many of sysmon's SCHED reports section 7 shows: all of them when it goes as it should
     * (it takes about a second); a wait that runs out would otherwise print one every 200 ms.
     */
    private static final int SCHED_SHOWN = 10;

    /** Parks until unparked; the frame a dump shows. */
    private static void waitFor(WaitReason reason) {
        Parking.park(reason);
    }

    // ------------------------------------------------------------------ 8. thousands of connections

    /**
     * How long each of section 8's own waits may take (for the connections to open, for a client,
     * for the server goroutines), short of {@link #LIMIT} so that the section reports a lost
     * goroutine itself before the tour gives up on it.
     */
    private static final Duration NET_LIMIT = Duration.ofSeconds(30);

    private static boolean manyConnections(int procs) throws InterruptedException {
        Descriptors fds = Descriptors.ofThisProcess();
        int n = fds.connections();
        header("8. The network poller: " + fmt(n) + " connections open at once on loopback, served by " + procs
                        + " carrier" + (procs == 1 ? "" : "s"),
                "An echo server (a goroutine accepts; a goroutine per connection reads " + ManyConnections.MESSAGE
                        + " bytes, writes them back and closes) and " + fmt(n) + " client",
                "goroutines, each dialing it (at most " + ManyConnections.BACKLOG + " ahead of the acceptor: the listener's "
                        + "backlog) and waiting at a gate until every connection",
                "is open, then sending " + ManyConnections.MESSAGE + " bytes of its own and reading them back. A goroutine "
                        + "that waits for a socket parks [IO wait] and frees",
                "its carrier; the scheduler's poller (one NIO selector, epoll on Linux) readies it when the socket is ready.",
                fds.known()
                        ? "Both ends of a loopback connection are descriptors of this JVM: min(" + fmt(ManyConnections.MAX_CONNECTIONS)
                                + ", (limit " + fmt(fds.limit()) + " - open " + fmt(fds.open()) + " - headroom "
                                + ManyConnections.DESCRIPTOR_HEADROOM + ") / 2) = " + fmt(n) + " connections."
                        : "This JVM cannot tell its descriptor limit: " + fmt(n) + " connections.",
                "The server closes each connection first, so TIME_WAIT stays on its side (the listener's port, new each "
                        + "run): a rerun finds",
                "every ephemeral port free. A line every 250 ms: watch netpoll=waiters/sockets.",
                "Checked: every client got exactly its own bytes back, then the end of the stream; the scheduler started at "
                        + "most procs + " + ManyConnections.EXTRA_CARRIERS,
                "carriers from the first dial to the last close (goroutines never wait on the NIO selector's locks: only "
                        + "the poller takes them).");
        if (n == 0) {
            System.out.println("  check: skipped, the descriptor limit leaves no room for a connection");
            return true;
        }
        try (Scheduler net = Scheduler.builder().procs(procs).name("net").diagnostics(Demo::diagnostic).build()) {
            Outcome o;
            try (var _ = TraceSampler.start(net, 250, System.out)) {
                o = bounded("the echo crowd", net, () -> ManyConnections.run(net, n, NET_LIMIT));
            }
            SchedulerStats peak = o.atPeak();
            SchedulerStats after = o.after();
            System.out.printf("  at the peak: %s connections open at once, %s sockets on the poller (with the listener), "
                            + "%s goroutines alive, %s of them waiting on a socket%n",
                    fmt(n), fmt(peak.netpoll().descriptors()), fmt(peak.liveGoroutines()), fmt(peak.netpoll().waiters()));
            System.out.printf("  threads then: %d carriers (procs=%d) where a thread per connection would need %s (2 x %s); "
                            + "%d JVM threads alive in all%n",
                    peak.threads(), procs, fmt(2L * n), fmt(n), o.jvmThreadsAtPeak());
            System.out.printf("  poller: polls=%s (blocking %s) readied=%s registrations=%s%n",
                    fmt(after.netpoll().polls()), fmt(after.netpoll().blockingPolls()), fmt(after.netpoll().readied()),
                    fmt(after.netpoll().registrations()));
            System.out.printf("  carriers started in all: %d, hand-offs %d%n", after.carriersStarted(), after.handoffs());
            System.out.printf("  result: %s of %s connections echoed exactly, in %s from the gate's opening%n",
                    fmt(o.echoedExactly()), fmt(n), millis(o.nanos()));
            o.failures().stream().limit(DUMP_SHOWN).forEach(f -> System.out.println("    " + f));
            if (o.failures().size() > DUMP_SHOWN) {
                System.out.printf("    (%s more)%n", fmt(o.failures().size() - DUMP_SHOWN));
            }
            boolean echoed = o.echoedExactly() == n && o.failures().isEmpty();
            return check(o.ok(), !echoed ? "a connection did not get exactly its own bytes back (see above)"
                    : after.carriersStarted() + " carriers started, more than procs + " + ManyConnections.EXTRA_CARRIERS);
        }
    }

    // ------------------------------------------------------------------ bounded waits

    /**
     * Runs {@code work} on a platform thread of its own and returns its result, or, if it has not
     * finished within {@link #LIMIT} or threw, {@linkplain #abort aborts the tour}. {@code s} is the
     * scheduler whose goroutines it waits for (null if none), whose live goroutines are shown then.
     */
    private static <T> T bounded(String what, Scheduler s, Callable<T> work) throws InterruptedException {
        FutureTask<T> task = start(what, work);
        return await(task, what, s, LIMIT);
    }

    private static <T> FutureTask<T> start(String what, Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(work);
        Thread.ofPlatform().daemon().name("tour: " + what).start(task);
        return task;
    }

    /** Waits up to {@code limit} for {@code task}; aborts the tour if it does not finish in time or threw. */
    private static <T> T await(FutureTask<T> task, String what, Scheduler s, Duration limit) throws InterruptedException {
        try {
            return task.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw abort(what + " did not finish within " + LIMIT.toSeconds() + " s: a goroutine was never woken, "
                    + "or never ran", s);
        } catch (ExecutionException e) {
            e.getCause().printStackTrace(System.out);
            throw abort(what + " threw " + e.getCause(), s);
        }
    }

    /** {@link Task#join(Duration)} bounded by {@link #LIMIT}; aborts the tour if {@code task} does not finish in time or failed. */
    private static <T> T join(Scheduler s, String what, Task<T> task) {
        try {
            return task.join(LIMIT);
        } catch (TimeoutException e) {
            throw abort(what + " did not finish within " + LIMIT.toSeconds() + " s: it was never woken, or never ran", s);
        } catch (CompletionException | CancellationException e) {
            throw abort(what + " failed: " + e, s);
        }
    }

    /** Polls {@code condition} every millisecond until it holds; aborts the tour if it still does not after {@link #LIMIT}. */
    private static void awaitCondition(Scheduler s, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw abort("waited " + LIMIT.toSeconds() + " s for " + what + " in vain", s);
            }
            Thread.sleep(1);
        }
    }

    /**
     * Reports a failure the tour cannot go on from (a wait that ran out, a workload that threw),
     * with {@code s}'s live goroutines if {@code s} is not null, and exits the JVM with status 1 at
     * once: closing a scheduler whose goroutines never finish would wait out its close timeout
     * first. Declared to return an exception so that a caller can write {@code throw abort(...)};
     * it never returns.
     */
    private static IllegalStateException abort(String failure, Scheduler s) {
        System.out.println("  check: FAILED, " + failure);
        if (s != null) {
            List<GoroutineInfo> alive = s.goroutines();
            Map<String, Long> byState = alive.stream().collect(Collectors.groupingBy(
                    g -> g.waitReason() != null ? g.waitReason().label() : g.state(), TreeMap::new, Collectors.counting()));
            int shown = Math.min(DUMP_SHOWN, alive.size());
            System.out.printf("  scheduler %s: %,d goroutine(s) alive %s; the first %d:%n", s.name(), alive.size(), byState,
                    shown);
            for (GoroutineInfo g : alive.subList(0, shown)) {
                System.out.print(g.toString().indent(4));
            }
            System.out.println("  " + s.stats().traceLine());
        }
        System.out.println();
        System.out.println("tour: a check FAILED (see above)");
        System.out.flush();
        System.exit(1);
        return new IllegalStateException(failure);
    }

    /** How many goroutines {@link #abort} shows: enough to see what they wait for, not 100,000. */
    private static final int DUMP_SHOWN = 10;

    // ------------------------------------------------------------------ reporting

    /**
     * The tour's diagnostics sink: the first line of each report (sysmon's hog reports come with
     * a stack, which would drown the tour), indented under the section it happened in.
     */
    // ------------------------------------------------------------------ 9. the execution trace

    /** Where section 9 writes its traces (relative to the directory the tour runs in). */
    private static final java.nio.file.Path TRACE_DIR = java.nio.file.Path.of("target", "gmpj-traces");
    /** Round trips of section 9's ping-pong: enough to see the pattern, few enough for a small file. */
    private static final int TRACED_ROUNDS = 2_000;

    private static boolean executionTrace(int procs) throws Exception {
        header("9. Seeing inside over time: an execution trace of the uneven work and of the ping-pong",
                "Scheduler.startTrace() records every goroutine run, park (and why), wake-up (and by whom), steal,",
                "global-queue take, timer and carrier state change into per-carrier buffers; stopTrace() returns the Trace.",
                "Each is written as Chrome trace JSON (open it in https://ui.perfetto.dev or chrome://tracing) and as",
                "gmpj's own timeline viewer, one HTML file with no network needed: processors as lanes, a slice per run,",
                "arrows for wake-ups and steals; hover a slice for its goroutine, wheel to zoom, drag to pan.",
                "Checked: one slice per goroutine run and one steal event per steal, against the scheduler's own counters.");
        java.nio.file.Files.createDirectories(TRACE_DIR);
        boolean ok = true;
        try (Scheduler s = Scheduler.builder().procs(procs).name("traced-uneven").diagnostics(Demo::diagnostic).build()) {
            Primitives gmpj = Primitives.gmpj(s);
            s.startTrace();
            Result r = Workloads.uneven(gmpj);
            awaitCondition(s, "the uneven work's goroutines to exit", () -> s.liveGoroutines() == 0);
            gmpj.core.Trace t = s.stopTrace();
            ok &= check(r.ok(), r.summary());
            ok &= writeTrace(t, "uneven-work", s.stats());
        }
        try (Scheduler s = Scheduler.builder().procs(procs).name("traced-pingpong").diagnostics(Demo::diagnostic).build()) {
            Primitives gmpj = Primitives.gmpj(s);
            s.startTrace();
            Result r = Workloads.pingPong(gmpj, TRACED_ROUNDS);
            awaitCondition(s, "the players to exit", () -> s.liveGoroutines() == 0);
            gmpj.core.Trace t = s.stopTrace();
            ok &= check(r.ok(), r.summary());
            ok &= writeTrace(t, "ping-pong", s.stats());
        }
        return ok;
    }

    private static boolean resizing(int procs) throws Exception {
        int max = Math.max(2, procs);
        header("10. Changing procs at run time: Go's runtime.GOMAXPROCS(n) is Scheduler.setProcs(n)",
                "The uneven work three times on one scheduler: with 1 processor, after setProcs(" + max + "), and after",
                "setProcs(1) again. Growing gives each added processor a carrier, which steals at once; shrinking",
                "lets each removed processor go at its carrier's next scheduling point (its queue moves to the global",
                "queue, its timers are fired by the processors left). Builder.maxProcs (here " + max + ") bounds setProcs.",
                "Checked: only processor 0 runs goroutines before the growth and after the shrink, every added",
                "processor runs some in between, and the removed ones end retired (\"off\" in the idle column).");
        boolean ok = true;
        try (Scheduler s = Scheduler.builder().procs(1).maxProcs(max).name("resized").diagnostics(Demo::diagnostic)
                .build()) {
            Primitives gmpj = Primitives.gmpj(s);
            ok &= resizedPhase(s, gmpj, "procs=1");
            ok &= check(s.stats().perProc().size() == 1, "a processor beyond the first was in use: " + s.stats().traceLine());
            SchedulerStats before = s.stats();
            System.out.println("  setProcs(" + max + ") returned " + s.setProcs(max));
            ok &= resizedPhase(s, gmpj, "procs=" + max);
            SchedulerStats grown = s.stats();
            for (int i = 1; i < max; i++) {
                long runs = grown.perProc().get(i).runs();
                ok &= check(runs > 0, "added processor " + i + " ran no goroutine");
            }
            System.out.println("  setProcs(1) returned " + s.setProcs(1));
            awaitCondition(s, "the removed processors to retire", () -> s.stats().retiringProcs() == 0);
            SchedulerStats shrunk = s.stats();
            ok &= resizedPhase(s, gmpj, "procs=1 again");
            SchedulerStats after = s.stats();
            for (int i = 1; i < max; i++) {
                ok &= check(after.perProc().get(i).retired() && after.perProc().get(i).runs() == shrunk.perProc().get(i).runs(),
                        "removed processor " + i + " is not retired or still runs goroutines");
            }
            System.out.printf("  runs per processor: before the growth %s, after it %s, after the shrink %s%n",
                    runsPerProc(before), runsPerProc(grown), runsPerProc(after));
            System.out.println(indent(after.toString().lines().limit(2 + max).collect(Collectors.joining("\n"))));
        }
        return ok;
    }

    /** One run of the uneven work on {@code s}, with its time and the schedtrace line after it. */
    private static boolean resizedPhase(Scheduler s, Primitives gmpj, String label) throws InterruptedException {
        long t0 = System.nanoTime();
        Result r = Workloads.uneven(gmpj);
        awaitCondition(s, "the uneven work's goroutines to exit", () -> s.liveGoroutines() == 0);
        System.out.printf("  %-14s uneven work in %s: %s%n", label, millis(System.nanoTime() - t0), s.stats().traceLine());
        return check(r.ok(), r.summary());
    }

    private static String runsPerProc(SchedulerStats st) {
        return st.perProc().stream().map(p -> fmt(p.runs())).collect(Collectors.joining(" ", "[", "]"));
    }

    private static String indent(String text) {
        return text.lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
    }

    /** Writes {@code t} as {@code name}.json and .html, prints what is in it, and checks it against {@code stats}. */
    private static boolean writeTrace(gmpj.core.Trace t, String name, SchedulerStats stats) throws java.io.IOException {
        java.nio.file.Path json = TRACE_DIR.resolve(name + ".json");
        java.nio.file.Path html = TRACE_DIR.resolve(name + ".html");
        t.writeJson(json);
        t.writeHtml(html);
        Map<gmpj.core.TraceEvent.Kind, Long> byKind = new TreeMap<>(t.events().stream()
                .collect(Collectors.groupingBy(gmpj.core.TraceEvent::kind, Collectors.counting())));
        Map<String, Long> waits = new TreeMap<>(t.events().stream().filter(e -> e.waitReason() != null)
                .collect(Collectors.groupingBy(e -> e.waitReason().toString(), Collectors.counting())));
        System.out.printf("  %s: %s in %s, %,d events (%s)%n", name, t.scheduler(), millis(t.durationNanos()),
                t.events().size(), byKind.entrySet().stream().map(e -> e.getKey().name().toLowerCase() + " " + fmt(e.getValue()))
                        .collect(Collectors.joining(", ")));
        if (!waits.isEmpty()) {
            System.out.println("    parks by wait reason: " + waits);
        }
        System.out.println("    written: " + json.toAbsolutePath() + " (" + fmt(java.nio.file.Files.size(json) / 1024) + " KiB)");
        System.out.println("             " + html.toAbsolutePath() + " (" + fmt(java.nio.file.Files.size(html) / 1024) + " KiB)");
        long starts = byKind.getOrDefault(gmpj.core.TraceEvent.Kind.GO_START, 0L);
        long steals = byKind.getOrDefault(gmpj.core.TraceEvent.Kind.STEAL, 0L);
        boolean ok = check(t.droppedEvents() == 0 && starts == stats.runs(), fmt(starts) + " run slices in the trace against "
                + fmt(stats.runs()) + " goroutine runs counted, " + fmt(t.droppedEvents()) + " events dropped");
        return ok & check(steals == stats.steals(), fmt(steals) + " steal events in the trace against " + fmt(stats.steals())
                + " steals counted");
    }

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

    /** A workload's result and how long it took. */
    private record Timed(Result result, long nanos) {}

    /**
     * Runs {@code workload} on {@code s} (after an untimed run if {@code warmUp}) with a schedtrace
     * line every {@code traceMillis}, then prints its result, how long it took, and what the
     * scheduler did meanwhile. Also the warm-up's result must be right. Each run is bounded by
     * {@link #LIMIT}; the trace stops after {@link #TRACE_LIMIT}, so that a run that never ends
     * does not flood the output while the tour waits for it.
     */
    private static Result traced(Scheduler s, String what, long traceMillis, boolean warmUp, Supplier<Result> workload)
            throws InterruptedException {
        if (warmUp) {
            Result warm = bounded(what + " (untimed run)", s, workload::get);
            quiet(s);
            if (!warm.ok()) {
                System.out.println("  result of the untimed run: " + warm.summary());
                return warm;
            }
        }
        SchedulerStats before = s.stats();
        FutureTask<Timed> run = start(what, () -> {
            long t0 = System.nanoTime();
            Result r = workload.get();
            return new Timed(r, System.nanoTime() - t0);
        });
        Timed timed;
        try (var _ = TraceSampler.start(s, traceMillis, System.out)) {
            timed = finishedWithin(run, TRACE_LIMIT);
        }
        if (timed == null) {
            if (!run.isDone()) {
                System.out.printf("    (still running after %d s: the trace stops here; waiting up to %d s in all)%n",
                        TRACE_LIMIT.toSeconds(), LIMIT.toSeconds());
            }
            timed = await(run, what, s, LIMIT.minus(TRACE_LIMIT));
        }
        SchedulerStats after = quiet(s);
        System.out.printf("  result: %s, in %s%n", timed.result().summary(), millis(timed.nanos()));
        printDelta(before, after);
        return timed.result();
    }

    /** {@code task}'s result if it finishes within {@code limit}, else null (it goes on running). */
    private static <T> T finishedWithin(FutureTask<T> task, Duration limit) throws InterruptedException {
        try {
            return task.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null; // still running, or failed: the bounded wait that follows reports which
        }
    }

    /** Waits (bounded) until every goroutine has exited, so that the snapshot is exact; returns it. */
    private static SchedulerStats quiet(Scheduler s) throws InterruptedException {
        awaitCondition(s, "the workload's last goroutines to exit", () -> s.liveGoroutines() == 0);
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
