package gmpj.bench;

import gmpj.core.DeadlockPolicy;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import gmpj.sync.WaitGroup;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * How much heap one parked goroutine keeps alive, next to a parked virtual thread and a bare
 * continuation that has yielded once: not a JMH benchmark but a measurement of retained memory.
 *
 * <p>For each kind, N entities (default {@value #DEFAULT_N}; the first argument changes it) are
 * brought to rest with a shallow stack: goroutines parked with {@link Parking#park}, goroutines
 * waiting in {@link WaitGroup#await()} on one group, virtual threads parked with
 * {@link LockSupport#park()}, virtual threads waiting in {@link CountDownLatch#await()} on one
 * latch, and {@link Continuation}s run once to their first yield. Heap in use is read after full
 * GCs before they start and again once all are at rest; the difference over N is the bytes each
 * retains (its continuation's stack chunk, its object, its task, its wait node, and whatever the
 * runtime keeps to find it again). The arrays that hold the handles are allocated before the first
 * reading, so they are not counted. Every kind is released and collected before the next one is
 * measured.
 *
 * <p>The first entities of a run park before the JIT has compiled the park path, and an
 * interpreted or C1-compiled frame is several times the size of a C2-compiled one: those
 * goroutines keep big stack chunks while they stay parked. How many do depends on the machine and
 * its load, so the plain run's figure (what a program that parks a million goroutines right after
 * start-up gets) moves by tens of bytes from run to run. With {@code --warm}, each kind first
 * brings N entities to rest and releases them twice, unmeasured, so that the measured ones park
 * through C2-compiled code: the steady state, and the reproducible figure. Twice, because the
 * first round's wake-ups run code after the park that C2 compiled without a profile for it:
 * they deoptimize it, and only the second round parks through the recompiled code.
 *
 * <p>With {@code --histogram}, each kind also prints the class histogram's difference between the
 * two readings (the JVM's {@code GC.class_histogram}, taken after the heap readings), per entity:
 * which objects the bytes are.
 *
 * <p>{@code --only=park,waitgroup} measures only the kinds named (of {@code park}, {@code waitgroup},
 * {@code vthread}, {@code latch}, {@code continuation}): a kind measured first in a fresh JVM does
 * not pay for the deoptimizations that the kinds before it leave (a new goroutine body at a call
 * site the JIT had compiled for the previous kind's), which make a cold figure noisier still.
 *
 * <p>Run with a heap big enough for a million of each, e.g.
 * {@code java -Xms8g -Xmx8g --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -cp benchmarks.jar gmpj.bench.MemoryProbe [N] [--warm] [--only=KINDS] [--histogram]}.
 */
public final class MemoryProbe {
    static final int DEFAULT_N = 1_000_000;
    /** The project's target for a parked goroutine with a shallow stack. */
    static final long TARGET_BYTES_PER_G = 400;
    private static final ContinuationScope SCOPE = new ContinuationScope("memory-probe");
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    /** One line of {@code GC.class_histogram}: rank, instances, bytes, class name. */
    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** Unmeasured rounds per kind with {@code --warm}; see the class comment for why two. */
    private static final int WARM_ROUNDS = 2;

    private static boolean histogram;
    private static boolean warm;

    private MemoryProbe() {}

    /** One kind of parked entity: its key for {@code --only}, its row label, and how to measure it. */
    private record Row(String key, String label, boolean goroutine, Kind kind) {}

    public static void main(String[] args) throws Exception {
        int entities = DEFAULT_N;
        List<String> only = null;
        for (String a : args) {
            if (a.equals("--histogram")) {
                histogram = true;
            } else if (a.equals("--warm")) {
                warm = true;
            } else if (a.startsWith("--only=")) {
                only = List.of(a.substring("--only=".length()).split(","));
            } else {
                entities = Integer.parseInt(a.replace("_", ""));
            }
        }
        int n = entities;
        List<Row> rows = List.of(
                new Row("park", "gmpj goroutine (Parking.park)", true, () -> parkedGoroutines(n)),
                new Row("waitgroup", "gmpj goroutine (WaitGroup.await)", true, () -> goroutinesOnWaitGroup(n)),
                new Row("vthread", "virtual thread (LockSupport.park)", false, () -> parkedVirtualThreads(n)),
                new Row("latch", "virtual thread (CountDownLatch.await)", false, () -> virtualThreadsOnLatch(n)),
                new Row("continuation", "bare continuation, yielded once", false, () -> yieldedContinuations(n)));
        for (String k : only == null ? List.<String>of() : only) {
            if (rows.stream().noneMatch(r -> r.key.equals(k))) {
                throw new IllegalArgumentException("--only: unknown kind '" + k + "'; the kinds are "
                        + rows.stream().map(Row::key).toList());
            }
        }
        System.out.printf("MemoryProbe: N=%,d per kind, JDK %s, max heap %d MiB, %s%n", n, Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20, warm ? "after " + WARM_ROUNDS + " unmeasured rounds per kind" : "cold");
        List<String> table = new ArrayList<>();
        double worst = -1;
        for (Row r : rows) {
            if (only != null && !only.contains(r.key)) {
                continue;
            }
            double bytes = measure(r.kind);
            table.add(String.format(Locale.ROOT, "| %-38s | %,20.0f B |", r.label, bytes));
            if (r.goroutine) {
                worst = Math.max(worst, bytes);
            }
        }
        System.out.println();
        System.out.println("| parked entity (shallow stack)          | retained heap per entity |");
        System.out.println("|----------------------------------------|-------------------------:|");
        table.forEach(System.out::println);
        if (worst >= 0) {
            System.out.printf(Locale.ROOT, "target: <= %d B per parked goroutine: %s (%.2fx the target)%n",
                    TARGET_BYTES_PER_G, worst <= TARGET_BYTES_PER_G ? "MET" : "MISSED", worst / TARGET_BYTES_PER_G);
        }
    }

    /** One kind's figure: {@code kind} measured once, after {@link #WARM_ROUNDS} unmeasured rounds with {@code --warm}. */
    private static double measure(Kind kind) throws Exception {
        if (warm) {
            boolean h = histogram;
            histogram = false;
            PrintStream out = System.out;
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                for (int i = 0; i < WARM_ROUNDS; i++) {
                    kind.run();
                }
            } finally {
                System.setOut(out);
                histogram = h;
            }
        }
        return kind.run();
    }

    @FunctionalInterface
    private interface Kind {
        double run() throws Exception;
    }

    private static Scheduler scheduler() {
        return Scheduler.builder().procs(Runtime.getRuntime().availableProcessors()).name("memory-probe")
                // parked on purpose, woken by this thread: no "all goroutines are asleep" report
                .deadlockPolicy(DeadlockPolicy.IGNORE).build();
    }

    private static double parkedGoroutines(int n) throws Exception {
        Waiter[] parked = new Waiter[n];
        AtomicInteger arrived = new AtomicInteger();
        boolean[] released = new boolean[1];
        try (Scheduler s = scheduler()) {
            Map<String, long[]> h0 = histogram();
            long before = usedAfterGc();
            for (int i = 0; i < n; i++) {
                int slot = i;
                s.go(() -> {
                    parked[slot] = Parking.currentWaiter();
                    arrived.incrementAndGet();
                    while (!isReleased(released)) {
                        Parking.park(WaitReason.PARK);
                    }
                });
            }
            awaitArrivals(arrived::get, n);
            long after = usedAfterGc();
            Map<String, long[]> h1 = histogram();
            synchronized (released) {
                released[0] = true;
            }
            for (Waiter w : parked) {
                w.unpark();
            }
            return report("gmpj goroutines", n, before, after, h0, h1);
        }
    }

    private static double goroutinesOnWaitGroup(int n) throws Exception {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        try (Scheduler s = scheduler()) {
            Map<String, long[]> h0 = histogram();
            long before = usedAfterGc();
            for (int i = 0; i < n; i++) {
                s.go(wg::await);
            }
            awaitArrivals(wg::waiters, n);
            long after = usedAfterGc();
            Map<String, long[]> h1 = histogram();
            wg.done();
            return report("gmpj on a WaitGroup", n, before, after, h0, h1);
        }
    }

    private static double parkedVirtualThreads(int n) throws Exception {
        Thread[] threads = new Thread[n];
        AtomicInteger arrived = new AtomicInteger();
        boolean[] released = new boolean[1];
        Map<String, long[]> h0 = histogram();
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            threads[i] = Thread.startVirtualThread(() -> {
                arrived.incrementAndGet();
                while (!isReleased(released)) {
                    LockSupport.park();
                }
            });
        }
        awaitArrivals(arrived::get, n);
        long after = usedAfterGc();
        Map<String, long[]> h1 = histogram();
        synchronized (released) {
            released[0] = true;
        }
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return report("virtual threads", n, before, after, h0, h1);
    }

    private static double virtualThreadsOnLatch(int n) throws Exception {
        Thread[] threads = new Thread[n];
        AtomicInteger arrived = new AtomicInteger();
        CountDownLatch latch = new CountDownLatch(1);
        Map<String, long[]> h0 = histogram();
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            threads[i] = Thread.startVirtualThread(() -> {
                arrived.incrementAndGet();
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        awaitArrivals(arrived::get, n);
        long after = usedAfterGc();
        Map<String, long[]> h1 = histogram();
        latch.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return report("vthreads on a latch", n, before, after, h0, h1);
    }

    private static double yieldedContinuations(int n) throws Exception {
        Continuation[] continuations = new Continuation[n];
        Map<String, long[]> h0 = histogram();
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            Continuation c = new Continuation(SCOPE, () -> Continuation.yield(SCOPE));
            c.run();
            continuations[i] = c;
        }
        long after = usedAfterGc();
        Map<String, long[]> h1 = histogram();
        double perEntity = report("bare continuations", n, before, after, h0, h1);
        for (Continuation c : continuations) {
            c.run(); // to completion, so that none is left mounted-looking
        }
        return perEntity;
    }

    private static boolean isReleased(boolean[] released) {
        synchronized (released) {
            return released[0];
        }
    }

    /** Waits until every entity has reached its park, plus a moment for the last ones to unmount. */
    private static void awaitArrivals(IntSupplier arrived, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (arrived.getAsInt() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + arrived.getAsInt() + " of " + n + " reached their park in 120 s");
            }
            Thread.sleep(10);
        }
        Thread.sleep(500);
    }

    /** Heap in use after full collections have stopped shrinking it. */
    private static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long now = MEMORY.getHeapMemoryUsage().getUsed();
            if (now >= used - (1 << 16)) {
                return Math.min(now, used);
            }
            used = Math.min(used, now);
        }
        return used;
    }

    /** Instances and bytes per live class ({@code GC.class_histogram}), or null without {@code --histogram}. */
    private static Map<String, long[]> histogram() throws Exception {
        if (!histogram) {
            return null;
        }
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.find()) {
                classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return classes;
    }

    private static double report(String kind, int n, long before, long after,
                                 Map<String, long[]> h0, Map<String, long[]> h1) {
        double perEntity = (double) (after - before) / n;
        System.out.printf(Locale.ROOT, "  %-20s heap %,d -> %,d KiB after GC: %.0f B each%n",
                kind, before >> 10, after >> 10, perEntity);
        if (h0 != null) {
            printHistogramDelta(n, h0, h1);
        }
        return perEntity;
    }

    /** The classes whose live bytes grew by at least a tenth of a byte per entity, largest first. */
    private static void printHistogramDelta(int n, Map<String, long[]> h0, Map<String, long[]> h1) {
        record Delta(String name, long instances, long bytes) {}
        List<Delta> rows = new ArrayList<>();
        for (Map.Entry<String, long[]> e : h1.entrySet()) {
            long[] was = h0.getOrDefault(e.getKey(), new long[2]);
            long bytes = e.getValue()[1] - was[1];
            if (Math.abs(bytes) * 10 >= n) {
                rows.add(new Delta(e.getKey(), e.getValue()[0] - was[0], bytes));
            }
        }
        rows.sort(Comparator.comparingLong(Delta::bytes).reversed());
        long total = 0;
        System.out.println("      instances/entity   bytes/entity  class (histogram difference)");
        for (Delta r : rows) {
            total += r.bytes;
            System.out.printf(Locale.ROOT, "      %16.2f %14.1f  %s%n", (double) r.instances / n, (double) r.bytes / n, r.name);
        }
        System.out.printf(Locale.ROOT, "      %16s %14.1f  (sum of the rows above)%n", "", (double) total / n);
    }
}
