package gmpj.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import jdk.internal.vm.Continuation;

/**
 * The parking API that every blocking primitive builds on ({@code gmpj.sync} among them).
 *
 * <p>Works the same from a goroutine and from a plain thread: a parked goroutine is unmounted and
 * its carrier runs other goroutines; a parked thread blocks in {@link LockSupport}. The protocol is
 * LockSupport's: publish {@link #currentWaiter()} where the waker will find it, re-check the
 * condition, then park in a loop until the condition holds.
 *
 * <pre>{@code
 * Waiter me = Parking.currentWaiter();
 * waiters.add(me);
 * while (!ready) {
 *     Parking.park(WaitReason.PARK);
 * }
 * }</pre>
 *
 * <p>An {@link Waiter#unpark()} before the park makes the park return at once: no wake-up is ever
 * lost. A park may also return spuriously, so callers always re-check their condition.
 *
 * <p>If the JVM pins the goroutine's continuation (a native frame on its stack, or
 * {@code Continuation.pin()}), the goroutine cannot be unmounted; the park then blocks its carrier
 * until unparked, instead of failing.
 */
public final class Parking {
    private Parking() {}

    /**
     * The waiter standing for the calling code: its goroutine, or its thread.
     *
     * @throws IllegalStateException on a carrier thread outside any goroutine, which must never block
     */
    public static Waiter currentWaiter() {
        G g = Gmp.currentG();
        if (g != null) {
            return g;
        }
        rejectBareCarrier();
        return ThreadWaiter.current();
    }

    /** Parks until unparked (or spuriously). */
    public static void park(WaitReason reason) {
        Objects.requireNonNull(reason, "reason");
        G g = Gmp.currentG();
        if (g != null) {
            parkG(g, reason, 0);
        } else {
            rejectBareCarrier();
            LockSupport.park(reason);
        }
    }

    /**
     * Parks until unparked, spuriously, or until {@code nanos} have passed.
     *
     * @return {@code false} if the time ran out, else {@code true}
     */
    public static boolean parkNanos(WaitReason reason, long nanos) {
        return parkUntil(reason, System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4));
    }

    /**
     * Parks until unparked, spuriously, or until {@code System.nanoTime()} reaches {@code deadline}.
     *
     * @return {@code false} if the deadline has passed, else {@code true}
     */
    public static boolean parkUntil(WaitReason reason, long deadline) {
        Objects.requireNonNull(reason, "reason");
        G g = Gmp.currentG();
        if (g == null) {
            rejectBareCarrier();
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        if (g != null) {
            parkG(g, reason, deadline == 0 ? 1 : deadline); // 0 means "no deadline" inside G
        } else {
            LockSupport.parkNanos(reason, remaining);
        }
        return deadline - System.nanoTime() > 0;
    }

    /** A deadline {@code timeout} from now, for {@link #parkUntil}; saturates for huge timeouts. */
    public static long deadlineAfter(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = timeout.isNegative() ? 0 : Long.MAX_VALUE; // beyond ±292 years: now, or never
        }
        return System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4);
    }

    /**
     * Parks goroutine {@code g}, which is running this code. Returns {@code true} if it took a
     * permit (was unparked), {@code false} if it woke for another reason (its timer).
     */
    static boolean parkG(G g, WaitReason reason, long deadline) {
        if (g.consumePermit()) {
            return true;
        }
        g.waitReason = reason;
        g.waitSince = System.nanoTime();
        g.parkDeadline = deadline;
        g.yieldKind = G.YIELD_PARK;
        boolean unparked;
        if (Continuation.yield(G.SCOPE)) {
            unparked = g.consumePermit();
            TimerQueue.Timer t = g.timer;
            if (t != null) {
                g.timer = null;
                t.heap.cancel(t);
            }
        } else {
            g.yieldKind = G.YIELD_NONE;
            unparked = parkPinned(g, deadline);
        }
        g.parkDeadline = 0;
        g.waitReason = null;
        return unparked;
    }

    /**
     * The JVM would not unmount the continuation: block the carrier thread itself until a permit
     * arrives. {@link G#unpark()} finds the carrier in {@link G#pinnedCarrier}.
     */
    private static boolean parkPinned(G g, long deadline) {
        g.pinned = false;
        M carrier = g.m; // not Thread.currentThread(): see Gmp.currentG()
        P p = carrier.p;
        // Like a blocking call: the processor may be handed to another carrier while we block.
        boolean inSyscall = p != null && p.enterSyscall(carrier, PCounters.PINNED_PARKS);
        g.pinnedCarrier = carrier; // volatile store, then the permit's getAndSet: Dekker with unpark
        try {
            while (!g.consumePermit()) {
                if (deadline == 0) {
                    LockSupport.park(g.waitReason);
                } else {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(g.waitReason, remaining);
                }
            }
            return true;
        } finally {
            g.pinnedCarrier = null;
            // If the processor was handed off while we blocked, exitSyscall fails: a pinned
            // continuation cannot yield to queue for a processor, so it runs on without one (its
            // spawns and readies go to the global queue) and its carrier finds out when it returns.
            if (inSyscall) {
                p.exitSyscall(carrier);
            }
        }
    }

    private static void rejectBareCarrier() {
        if (Thread.currentThread() instanceof M m) {
            throw new IllegalStateException("cannot park on carrier thread " + m.getName() + " outside any goroutine: "
                    + "a carrier must never block; park from inside a goroutine or from a thread of your own");
        }
    }
}
