package gmpj.core;

import java.time.Duration;
import java.util.Objects;
import jdk.internal.vm.Continuation;

/**
 * What a goroutine may ask of the runtime about itself: Go's {@code runtime.Gosched},
 * {@code time.Sleep}, and friends. Every method also works from a plain thread.
 */
public final class Gmp {
    private Gmp() {}

    /**
     * The goroutine running the calling code, or null outside any goroutine.
     *
     * <p>Found through the mounted continuation, not through {@code Thread.currentThread()}: a
     * goroutine's compiled code may keep a {@code currentThread()} value from before a yield, and
     * after the goroutine migrates to another carrier that value names the old carrier (seen on
     * JDK 25 C2). The continuation object is the goroutine itself and never changes.
     */
    static G currentG() {
        return Continuation.getCurrentContinuation(G.SCOPE) instanceof G g ? g : null;
    }

    /** {@code true} when called from inside a goroutine. */
    public static boolean inGoroutine() {
        return currentG() != null;
    }

    /** The id of the calling goroutine, or -1 outside any goroutine. */
    public static long goid() {
        G g = currentG();
        return g == null ? -1 : g.id;
    }

    /** The name of the calling goroutine, or null (no goroutine, or started without a name). */
    public static String goroutineName() {
        G g = currentG();
        return g == null ? null : g.name;
    }

    /** The scheduler running the calling goroutine, or null outside any goroutine. */
    public static Scheduler currentScheduler() {
        G g = currentG();
        return g == null ? null : g.scheduler;
    }

    /**
     * Go's {@code runtime.Gosched}: lets the other goroutines of this processor run, then carries
     * on. From a plain thread, {@link Thread#yield()}. If the JVM pins the continuation, or the
     * goroutine holds a monitor on a scheduler built with
     * {@link Scheduler.Builder#checkMonitors checkMonitors(true)}, returns at once.
     */
    public static void yield() {
        G g = currentG();
        if (g == null) {
            Thread.yield();
            return;
        }
        if (g.scheduler.checkMonitors && CarrierProbe.holdsMonitor(g.m)) {
            return; // it must stay on the carrier that holds the monitor (see Parking.parkG)
        }
        g.yieldKind = G.YIELD_RUNNABLE;
        if (!Continuation.yield(G.SCOPE)) {
            g.yieldKind = G.YIELD_NONE;
            g.pinned = false;
        }
    }

    /**
     * Go's entersyscall/exitsyscall: runs {@code call}, which may block its thread (file or socket
     * I/O, {@code Thread.sleep}, a JDBC call, a {@code java.util.concurrent} lock), without
     * stalling the other goroutines. The goroutine keeps its carrier for the call; if the call
     * lasts past ~20 µs and the processor has other work, sysmon hands the processor to another
     * carrier (starting one if needed, up to {@link Scheduler.Builder#maxThreads}). When the call
     * returns, the goroutine carries on at once if its processor is still there, or queues for one.
     * Outside a goroutine it just runs {@code call}.
     *
     * @throws Exception whatever {@code call} throws
     */
    public static <T> T blocking(java.util.concurrent.Callable<T> call) throws Exception {
        Objects.requireNonNull(call, "call");
        G g = currentG();
        if (g == null) {
            return call.call();
        }
        M m = g.m;
        P p = m.p;
        if (p == null || !p.enterSyscall(m, -1)) {
            return call.call(); // no processor to give away (already handed off): just run it
        }
        g.scheduler.blockingInFlight.incrementAndGet();
        try {
            return call.call();
        } finally {
            g.scheduler.blockingInFlight.decrementAndGet();
            if (!p.exitSyscall(m)) {
                // The processor went to another carrier while we blocked: queue for one. The
                // carrier sees it lost the processor when this yield returns to it.
                Gmp.yield();
            }
        }
    }

    /**
     * A cheap point where a long-running goroutine lets others run if the runtime asked it to
     * (its time slice is used up): then it yields, otherwise it returns at once. Call it in long
     * loops that neither park nor yield. Every blocking primitive calls it too. Outside a goroutine
     * it does nothing.
     */
    public static void checkpoint() {
        G g = currentG();
        if (g != null && g.preempt) {
            g.preempt = false;
            Gmp.yield();
        }
    }

    /**
     * Go's {@code time.Sleep}: a goroutine parks on a timer and frees its carrier; a plain thread
     * sleeps. A permit given to a sleeping goroutine by an {@code unpark} is kept for its next park.
     * A thread interrupted while sleeping returns early with its interrupt flag set.
     */
    public static void sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            return;
        }
        long deadline = Parking.deadlineAfter(duration);
        G g = currentG();
        if (g == null) {
            try {
                long left;
                while ((left = deadline - System.nanoTime()) > 0) {
                    Thread.sleep(Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        boolean tookPermit = false;
        while (deadline - System.nanoTime() > 0) {
            tookPermit |= Parking.parkG(g, WaitReason.SLEEP, deadline);
        }
        if (tookPermit) {
            g.unpark(); // give back the permit the sleep swallowed: it was meant for someone's park
        }
    }
}
