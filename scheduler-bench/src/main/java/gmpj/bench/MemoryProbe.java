package gmpj.bench;

import gmpj.core.DeadlockPolicy;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * How much heap one parked goroutine keeps alive, next to a parked virtual thread and a bare
 * continuation that has yielded once: not a JMH benchmark but a measurement of retained memory.
 *
 * <p>For each kind, N entities (default {@value #DEFAULT_N}; the first argument changes it) are
 * brought to rest with a shallow stack: a goroutine parked with {@link Parking#park}, a virtual
 * thread parked with {@link LockSupport#park()}, a {@link Continuation} run once to its first
 * yield. Heap in use is read after full GCs before they start and again once all are at rest;
 * the difference over N is the bytes each retains (its continuation's stack chunk, its object, its
 * task, and whatever the runtime keeps to find it again). The arrays that hold the handles are
 * allocated before the first reading, so they are not counted. Every kind is released and
 * collected before the next one is measured.
 *
 * <p>Run with a heap big enough for a million of each, e.g.
 * {@code java -Xms8g -Xmx8g --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -cp benchmarks.jar gmpj.bench.MemoryProbe [N]}.
 */
public final class MemoryProbe {
    static final int DEFAULT_N = 1_000_000;
    /** The project's target for a parked goroutine with a shallow stack. */
    static final long TARGET_BYTES_PER_G = 400;
    private static final ContinuationScope SCOPE = new ContinuationScope("memory-probe");
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private MemoryProbe() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : DEFAULT_N;
        System.out.printf("MemoryProbe: N=%,d per kind, JDK %s, max heap %d MiB%n",
                n, Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
        double g = parkedGoroutines(n);
        double vt = parkedVirtualThreads(n);
        double c = yieldedContinuations(n);
        System.out.println();
        System.out.println("| parked entity (shallow stack)       | retained heap per entity |");
        System.out.println("|-------------------------------------|-------------------------:|");
        System.out.printf(Locale.ROOT, "| gmpj goroutine (Parking.park)       | %,20.0f B |%n", g);
        System.out.printf(Locale.ROOT, "| virtual thread (LockSupport.park)   | %,20.0f B |%n", vt);
        System.out.printf(Locale.ROOT, "| bare continuation, yielded once     | %,20.0f B |%n", c);
        System.out.printf(Locale.ROOT, "target: <= %d B per parked goroutine: %s (%.1fx the target)%n",
                TARGET_BYTES_PER_G, g <= TARGET_BYTES_PER_G ? "MET" : "MISSED", g / TARGET_BYTES_PER_G);
    }

    private static double parkedGoroutines(int n) throws InterruptedException {
        Waiter[] parked = new Waiter[n];
        AtomicInteger arrived = new AtomicInteger();
        boolean[] released = new boolean[1];
        try (Scheduler s = Scheduler.builder().procs(Runtime.getRuntime().availableProcessors()).name("memory-probe")
                // parked on purpose, woken by this thread: no "all goroutines are asleep" report
                .deadlockPolicy(DeadlockPolicy.IGNORE).build()) {
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
            awaitArrivals(arrived, n);
            long after = usedAfterGc();
            synchronized (released) {
                released[0] = true;
            }
            for (Waiter w : parked) {
                w.unpark();
            }
            return report("gmpj goroutines", n, before, after);
        }
    }

    private static double parkedVirtualThreads(int n) throws InterruptedException {
        Thread[] threads = new Thread[n];
        AtomicInteger arrived = new AtomicInteger();
        boolean[] released = new boolean[1];
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            threads[i] = Thread.startVirtualThread(() -> {
                arrived.incrementAndGet();
                while (!isReleased(released)) {
                    LockSupport.park();
                }
            });
        }
        awaitArrivals(arrived, n);
        long after = usedAfterGc();
        synchronized (released) {
            released[0] = true;
        }
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return report("virtual threads", n, before, after);
    }

    private static double yieldedContinuations(int n) {
        Continuation[] continuations = new Continuation[n];
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            Continuation c = new Continuation(SCOPE, () -> Continuation.yield(SCOPE));
            c.run();
            continuations[i] = c;
        }
        long after = usedAfterGc();
        double perEntity = report("bare continuations", n, before, after);
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
    private static void awaitArrivals(AtomicInteger arrived, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (arrived.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + arrived.get() + " of " + n + " reached their park in 120 s");
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

    private static double report(String kind, int n, long before, long after) {
        double perEntity = (double) (after - before) / n;
        System.out.printf(Locale.ROOT, "  %-20s heap %,d -> %,d KiB after GC: %.0f B each%n",
                kind, before >> 10, after >> 10, perEntity);
        return perEntity;
    }
}
