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
 * until unparked, instead of failing. So does the park of a goroutine that holds a monitor, on a
 * scheduler built with {@link Scheduler.Builder#checkMonitors checkMonitors(true)}.
 *
 * <h2>Thread safety</h2>
 * Static methods about the caller, callable from any number of goroutines and threads at once.
 * A park parks the caller only; {@link Waiter#unpark()} on the waiter it published may come from
 * any goroutine or thread.
 *
 * <h2>Interrupts and carriers</h2>
 * Goroutines have no interrupts. A plain thread's park is uninterruptible: an interrupt ends at
 * most the current park early (a spurious return, for the caller's loop), never makes the loop
 * spin, and the interrupt flag is still set afterwards. A carrier thread outside any goroutine may
 * not park: {@link #currentWaiter()} and the parks throw {@link IllegalStateException} there.
 */
public final class Parking {
    private Parking() {}

    /**
     * The waiter standing for the calling code: its goroutine, or its thread.
     *
     * @return the caller's waiter
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

    /**
     * The longest wait a deadline can express: about 73 years. {@code System.nanoTime()} deadlines
     * are compared by subtraction, which is only meaningful while the two values are less than
     * 2<sup>63</sup> ns apart; a quarter of that leaves room for the clock to move on while the
     * deadline is in use. Longer timeouts are clamped to it (they never end in practice).
     */
    public static final long MAX_WAIT_NANOS = Long.MAX_VALUE / 4;

    /**
     * Parks until unparked (or spuriously).
     *
     * @param reason why the caller waits, shown in dumps
     */
    public static void park(WaitReason reason) {
        Objects.requireNonNull(reason, "reason must not be null");
        G g = Gmp.currentG();
        if (g != null) {
            parkG(g, reason, 0);
        } else {
            rejectBareCarrier();
            parkThread(reason, 0);
        }
    }

    /**
     * Parks until unparked, spuriously, or until {@code nanos} have passed. A zero or negative
     * {@code nanos} returns {@code false} at once; one beyond {@link #MAX_WAIT_NANOS} is clamped to it.
     *
     * @param reason why the caller waits, shown in dumps
     * @param nanos  the longest time to wait, in nanoseconds
     * @return {@code false} if the time ran out, else {@code true}
     */
    public static boolean parkNanos(WaitReason reason, long nanos) {
        Objects.requireNonNull(reason, "reason must not be null");
        if (nanos <= 0) {
            if (Gmp.currentG() == null) {
                rejectBareCarrier();
            }
            return false;
        }
        return parkUntil(reason, deadlineAfterNanos(nanos));
    }

    /**
     * Parks until unparked, spuriously, or until {@link #nanoTime()} reaches {@code deadline}: the
     * machine's {@code System.nanoTime()}, or a {@link Synctest} bubble's virtual clock for its
     * goroutines. A deadline already passed returns {@code false} at once.
     *
     * @param reason   why the caller waits, shown in dumps
     * @param deadline the {@link #nanoTime()} at which to stop waiting
     * @return {@code false} if the deadline has passed, else {@code true}
     * @throws IllegalArgumentException if {@code deadline} is more than {@link #MAX_WAIT_NANOS} ahead
     *         of {@link #nanoTime()} (so far that it can only come from an overflow: build
     *         deadlines with {@link #deadlineAfter} or {@link #deadlineAfterNanos}, which saturate)
     */
    public static boolean parkUntil(WaitReason reason, long deadline) {
        Objects.requireNonNull(reason, "reason must not be null");
        G g = Gmp.currentG();
        if (g == null) {
            rejectBareCarrier();
        }
        long remaining = deadline - nanoTime();
        if (remaining <= 0) {
            return false;
        }
        if (remaining > MAX_WAIT_NANOS + 1_000_000_000L) { // a second of slack for the caller's own clock read
            throw new IllegalArgumentException("deadline " + deadline + " is " + remaining + " ns after Parking.nanoTime(), "
                    + "beyond the limit of " + MAX_WAIT_NANOS + " ns (about 73 years); it looks like an overflow: "
                    + "build deadlines with Parking.deadlineAfter or Parking.deadlineAfterNanos");
        }
        if (g != null) {
            parkG(g, reason, deadline == 0 ? 1 : deadline); // 0 means "no deadline" inside G
        } else {
            parkThread(reason, remaining);
        }
        return deadline - nanoTime() > 0;
    }

    /**
     * The clock deadlines are read against: {@code System.nanoTime()}, except in a goroutine of a
     * {@link Synctest} bubble, where it is the bubble's virtual clock (which moves only when every
     * goroutine of the bubble is parked). {@link #parkUntil}, {@link #deadlineAfter} and
     * {@link #deadlineAfterNanos} use it, and so should code that builds its own deadlines.
     *
     * @return the current time on that clock, in nanoseconds
     */
    public static long nanoTime() {
        return nanoTime(Gmp.currentG());
    }

    /** {@link #nanoTime()} for goroutine {@code g} (null: a plain thread). */
    static long nanoTime(G g) {
        if (g != null) {
            Bubble b = g.scheduler.bubble;
            if (b != null) {
                return b.now;
            }
        }
        return System.nanoTime();
    }

    /**
     * A deadline {@code timeout} from now, for {@link #parkUntil}. Saturates: a zero or negative
     * timeout (however large) gives a deadline that has already passed, a timeout beyond
     * {@link #MAX_WAIT_NANOS} gives one {@code MAX_WAIT_NANOS} ahead. Never overflows.
     *
     * @param timeout the time from now
     * @return the deadline on the {@link #nanoTime()} clock
     * @throws NullPointerException if {@code timeout} is null (the message names it)
     */
    public static long deadlineAfter(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        return deadlineAfterNanos(saturatedNanos(timeout));
    }

    /** {@code d} in nanoseconds, clamped to {@code [0, MAX_WAIT_NANOS]}; never throws. */
    static long saturatedNanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        if (d.getSeconds() >= MAX_WAIT_NANOS / 1_000_000_000L) {
            return MAX_WAIT_NANOS;
        }
        return d.toNanos();
    }

    /**
     * A deadline {@code nanos} from now, for {@link #parkUntil}; saturating like {@link #deadlineAfter}:
     * {@code nanos <= 0} (even {@code Long.MIN_VALUE}) is "now", and beyond {@link #MAX_WAIT_NANOS}
     * is clamped to it.
     *
     * @param nanos the time from now, in nanoseconds
     * @return the deadline on the {@link #nanoTime()} clock
     */
    public static long deadlineAfterNanos(long nanos) {
        return nanoTime() + Math.max(0, Math.min(nanos, MAX_WAIT_NANOS));
    }

    /**
     * Blocks the calling plain thread in {@link LockSupport} for at most {@code nanos} (0: until
     * unparked). Uninterruptible, like {@code CompletableFuture.join}: an interrupt neither ends
     * the wait early nor is lost. {@code LockSupport.park} returns at once while the interrupt
     * flag is set, so a caller looping on it would spin at full speed; instead the flag is taken
     * down for the park and put back afterwards. An interrupt arriving during the park ends this
     * one park (a spurious return to the caller's loop) and stays set.
     *
     * <p>Putting the flag back with {@code Thread.interrupt()} also leaves a park permit (an
     * interrupt unparks its thread), which would make the caller's next park return at once, and
     * the one after, for ever. So the permit is taken back with a one-nanosecond park: the permit
     * is consumed before the flag is looked at. An unpark that raced in just before is absorbed
     * with it, which is harmless: the caller re-checks its condition after this returns, and a
     * waker publishes its condition before it unparks.
     */
    static void parkThread(Object blocker, long nanos) {
        boolean interrupted = Thread.interrupted();
        try {
            if (nanos == 0) {
                LockSupport.park(blocker);
            } else {
                LockSupport.parkNanos(blocker, nanos);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
                LockSupport.parkNanos(1); // consumes the permit the interrupt left (see above)
            }
        }
    }

    /** What {@link #beginPark} found: a permit was there already, the park may unmount, or it must not. */
    private static final int TOOK_PERMIT = 0;
    private static final int UNMOUNT = 1;
    private static final int STAY_MOUNTED = 2;

    /**
     * Parks goroutine {@code g}, which is running this code. Returns {@code true} if it took a
     * permit (was unparked), {@code false} if it woke for another reason (its timer).
     *
     * <p>Every frame between the goroutine's entry and its yield stays in its stack chunk while
     * it is parked, and an interpreted or C1-compiled frame grows with the code of its method (the
     * atomic accesses of the permit alone, inlined by C1, double it). So this method, which is on
     * the stack during the park, does nothing but yield; {@link #beginPark} and {@link #endPark},
     * which are not on the stack then, do the rest.
     */
    static boolean parkG(G g, WaitReason reason, long deadline) {
        int start = beginPark(g, reason, deadline);
        if (start == TOOK_PERMIT) {
            return true;
        }
        boolean yielded = false;
        if (start == UNMOUNT) {
            g.yieldKind = G.YIELD_PARK;
            yielded = Continuation.yield(G.SCOPE);
        }
        return endPark(g, yielded);
    }

    /**
     * Takes a permit that is there already; otherwise records the park in {@code g}: why and since
     * when, and for a timed park its timer (before the yield, so that the carrier finds it and
     * arms it, {@link G#commitPark}; before a pinned park starts, so that the deadlock census sees
     * a pinned park as timed).
     */
    private static int beginPark(G g, WaitReason reason, long deadline) {
        if (g.consumePermit()) {
            return TOOK_PERMIT;
        }
        g.parkingFor(reason);
        if (deadline != 0) {
            g.timer = new TimerQueue.Timer(deadline, g);
        }
        // A goroutine holding a monitor, which the JVM may have recorded as owned by this carrier
        // thread, keeps its carrier: unmounted, it could not release the monitor from another
        // carrier, and other goroutines run by this carrier would enter it.
        return g.scheduler.checkMonitors && CarrierProbe.holdsMonitor(g.m) ? STAY_MOUNTED : UNMOUNT;
    }

    /**
     * After the yield ({@code yielded}), or instead of it: then the goroutine parks on its
     * carrier ({@link #parkPinned}). Disarms the timer (in the heap the carrier armed it in) and
     * clears the reason. Returns whether the goroutine took a permit.
     */
    private static boolean endPark(G g, boolean yielded) {
        boolean unparked = yielded ? g.consumePermit() : parkPinned(g);
        TimerQueue.Timer t = g.timer;
        if (t != null) {
            g.timer = null;
            if (t.heap != null) { // armed by the carrier that committed the park
                t.heap.cancel(t);
            }
        }
        g.parked();
        return unparked;
    }

    /**
     * The JVM would not unmount the continuation: block the carrier thread itself until a permit
     * arrives, or the deadline of the park's (unarmed) timer passes. {@link G#unpark()} finds the
     * carrier in {@link G#m} while {@link G#inPinnedPark} says so.
     */
    private static boolean parkPinned(G g) {
        g.yieldKind = G.YIELD_NONE;
        if (g.scheduler.bubble != null) {
            throw new IllegalStateException("goroutine " + g.id + " cannot park in a Synctest bubble while the JVM pins its "
                    + "continuation (a native frame on its stack): the bubble's one thread would block for good");
        }
        TimerQueue.Timer timer = g.timer;
        long deadline = timer == null ? 0 : timer.deadline;
        WaitReason reason = g.waitReason();
        M carrier = g.m; // not Thread.currentThread(): see Gmp.currentG()
        P p = carrier.p;
        // Like a blocking call: the processor may be handed to another carrier while we block.
        boolean inSyscall = p != null && p.enterSyscall(carrier, PCounters.PINNED_PARKS);
        g.pinnedPark(true); // volatile store, then the permit's getAndSet: Dekker with unpark
        try {
            while (!g.consumePermit()) {
                if (deadline == 0) {
                    parkThread(reason, 0);
                } else {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return false;
                    }
                    parkThread(reason, remaining);
                }
            }
            return true;
        } finally {
            g.pinnedPark(false);
            // If the processor was handed off while we blocked, exitSyscall fails: a pinned
            // continuation cannot yield to queue for a processor, so it runs on without one (its
            // spawns and readies go to the global queue) and its carrier finds out when it returns.
            if (inSyscall) {
                p.exitSyscall(carrier);
            }
        }
    }

    static void rejectBareCarrier() {
        if (Thread.currentThread() instanceof M m) {
            throw new IllegalStateException("cannot park on carrier thread " + m.getName() + " outside any goroutine: "
                    + "a carrier must never block; park from inside a goroutine or from a thread of your own");
        }
    }
}
