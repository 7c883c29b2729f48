package gmpj.core;

import java.time.Duration;
import java.util.Objects;
import jdk.internal.vm.Continuation;

/**
 * What a goroutine may ask of the runtime about itself: Go's {@code runtime.Gosched},
 * {@code time.Sleep}, and friends. Every method also works from a plain thread.
 *
 * <h2>Thread safety</h2>
 * Static methods about the caller: any number of goroutines and threads may call them at once.
 *
 * <h2>Goroutines and plain threads</h2>
 * In a goroutine, {@link #sleep} parks it on a timer and {@link #yield()} puts it back in its
 * processor's queue, both freeing the carrier; {@link #blocking} keeps the carrier, and the
 * processor goes to another carrier if the call lasts. On a plain thread, {@code sleep} blocks in {@code LockSupport}
 * (uninterruptibly: the full time, with the interrupt flag kept), {@code yield} is
 * {@link Thread#yield()}, {@code blocking} and {@link #checkpoint()} just run the call or do
 * nothing, and the queries ({@link #goid()}, {@link #currentScheduler()}...) answer "no
 * goroutine". {@code sleep} on a carrier thread outside any goroutine throws
 * {@link IllegalStateException}: a carrier must never block.
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

    /**
     * {@code true} when called from inside a goroutine.
     *
     * @return whether the caller is a goroutine
     */
    public static boolean inGoroutine() {
        return currentG() != null;
    }

    /**
     * The id of the calling goroutine, or -1 outside any goroutine.
     *
     * @return the goroutine's id, or -1
     */
    public static long goid() {
        G g = currentG();
        return g == null ? -1 : g.id;
    }

    /**
     * The name of the calling goroutine, or null (no goroutine, or started without a name).
     *
     * @return the goroutine's name, or null
     */
    public static String goroutineName() {
        G g = currentG();
        return g == null ? null : g.name();
    }

    /**
     * A seed for a randomized choice that is not about security (which ready case a select tries
     * first, Go's {@code fastrand}): in a {@link Synctest} bubble's goroutine it comes from the
     * bubble's seeded schedule, so the choice replays with the seed; elsewhere it mixes the clock
     * with {@code salt}'s identity hash.
     *
     * @param salt an object whose identity hash varies the seed outside a bubble
     * @return the seed
     */
    public static long randomSeed(Object salt) {
        G g = currentG();
        if (g != null && g.scheduler.bubble != null) {
            return g.scheduler.bubble.schedule.rng.nextLong();
        }
        return System.nanoTime() ^ ((long) System.identityHashCode(salt) << 32);
    }

    /**
     * Go's {@code runtime.NumGoroutine}: the goroutines of this process that have been spawned
     * and not yet finished, summed over every scheduler of the JVM that started its threads (each
     * one's {@link Scheduler#liveGoroutines()}). Works from any thread.
     *
     * <p>A racy snapshot: each scheduler's count is read in turn while goroutines are spawned and
     * finish, so it is exact only while the process is quiet (nothing spawning or finishing). A
     * {@link Synctest} bubble's goroutines are not counted: a bubble is a scheduler private to the
     * test that drives it, not part of the process's runtime.
     *
     * @return the number of live goroutines in the process
     */
    public static long numGoroutine() {
        long n = 0;
        for (Scheduler s : Scheduler.all()) {
            n += s.liveGoroutines();
        }
        return n;
    }

    /**
     * The scheduler running the calling goroutine, or null outside any goroutine.
     *
     * @return the current scheduler, or null
     */
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
        yieldAs(g, G.YIELD_RUNNABLE);
    }

    /** Yields goroutine {@code g} (the caller), as {@code kind}: a plain yield or a preempted one. */
    private static void yieldAs(G g, byte kind) {
        if (g.scheduler.checkMonitors && CarrierProbe.holdsMonitor(g.m)) {
            return; // it must stay on the carrier that holds the monitor (see Parking.parkG)
        }
        g.yieldKind = kind;
        if (!Continuation.yield(G.SCOPE)) {
            g.yieldKind = G.YIELD_NONE;
        }
    }

    /**
     * A block of code with no result that may throw {@code E}: what the no-result form of
     * {@link #blocking(ThrowingRunnable)} runs. The compiler infers {@code E} from the block, so
     * {@code Gmp.blocking(() -> Thread.sleep(5))} throws only {@link InterruptedException}, and a
     * block that throws no checked exception needs no {@code try} at all.
     *
     * <p>Runs once, on the goroutine or thread that called {@code blocking}.
     *
     * @param <E> the checked exception the block may throw ({@link RuntimeException} if none)
     */
    @FunctionalInterface
    public interface ThrowingRunnable<E extends Exception> {
        /**
         * Runs the block.
         *
         * @throws E what the block throws
         */
        void run() throws E;
    }

    /**
     * Go's entersyscall/exitsyscall: runs {@code call}, which may block its thread (file or socket
     * I/O, {@code Thread.sleep}, a JDBC call, a {@code java.util.concurrent} lock), without
     * stalling the other goroutines. The goroutine keeps its carrier for the call; if the call
     * lasts past ~20 µs and the processor has other work, sysmon hands the processor to another
     * carrier (starting one if needed, up to {@link Scheduler.Builder#maxThreads}). When the call
     * returns, the goroutine carries on at once if its processor is still there, or queues for one.
     * Outside a goroutine it just runs {@code call}. For a block without a result, whose checked
     * exception type the compiler infers, see {@link #blocking(ThrowingRunnable)}.
     *
     * @param <T>  the type of the result
     * @param call the code that may block
     * @return what {@code call} returns
     * @throws Exception whatever {@code call} throws
     */
    public static <T> T blocking(java.util.concurrent.Callable<T> call) throws Exception {
        Objects.requireNonNull(call, "call must not be null");
        return handingOff(call::call);
    }

    /**
     * {@link #blocking(java.util.concurrent.Callable)} for a block without a result: same hand-off,
     * but it throws only what the block throws, so it fits in a {@code Runnable}:
     *
     * <pre>{@code
     * scheduler.go(() -> {
     *     try {
     *         Gmp.blocking(() -> Thread.sleep(5));   // ThrowingRunnable<InterruptedException>
     *     } catch (InterruptedException e) {
     *         Thread.currentThread().interrupt();
     *     }
     *     Gmp.blocking(() -> { legacyClient.flush(); }); // no checked exception: no try
     * });
     * }</pre>
     *
     * A lambda that yields a value ({@code () -> queue.take()}) picks the {@code Callable} form, as
     * {@code ExecutorService.submit} does; write it as a block ({@code () -> { queue.take(); }}) to
     * drop the value. A method reference to an overloaded method ({@code latch::await}) fits both
     * forms and does not compile; write the lambda ({@code () -> latch.await()}).
     *
     * @param <E>   the type of exception the block throws
     * @param block the code that may block
     * @throws E whatever {@code block} throws
     */
    public static <E extends Exception> void blocking(ThrowingRunnable<E> block) throws E {
        Objects.requireNonNull(block, "block must not be null");
        handingOff(() -> {
            block.run();
            return null;
        });
    }

    /** The shared body of both {@code blocking} forms. */
    private interface BlockingBody<T, E extends Exception> {
        T run() throws E;
    }

    private static <T, E extends Exception> T handingOff(BlockingBody<T, E> body) throws E {
        G g = currentG();
        if (g == null) {
            return body.run();
        }
        if (g.scheduler.bubble != null) {
            return body.run(); // the bubble's one thread blocks: virtual time stands still meanwhile
        }
        M m = g.m;
        P p = m.p;
        if (p == null || !p.enterSyscall(m, -1)) {
            return body.run(); // no processor to give away (already handed off): just run it
        }
        g.scheduler.blockingInFlight.getAndAdd(1);
        try {
            return body.run();
        } finally {
            g.scheduler.blockingInFlight.getAndAdd(-1);
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
            Bubble b = g.scheduler.bubble;
            if (b != null) {
                b.checkpoint(g); // a bubble's goroutines keep the flag set: every checkpoint is a scheduling point
                return;
            }
            g.preempt = false;
            yieldAs(g, G.YIELD_PREEMPTED);
        }
    }

    /**
     * Go's {@code time.Sleep}: a goroutine parks on a timer and frees its carrier; a plain thread
     * blocks. A permit given to a sleeping goroutine by an {@code unpark} is kept for its next park.
     * Like every wait in gmpj, it is not interruptible: a plain thread sleeps its full time whether
     * or not it is interrupted, and its interrupt flag stays set. A zero or negative duration
     * returns at once; a duration beyond {@link Parking#MAX_WAIT_NANOS} (about 73 years) is clamped.
     *
     * @param duration how long to sleep
     * @throws NullPointerException if {@code duration} is null
     */
    public static void sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration must not be null");
        if (duration.isNegative() || duration.isZero()) {
            return;
        }
        long deadline = Parking.deadlineAfter(duration);
        G g = currentG();
        if (g == null) {
            Parking.rejectBareCarrier();
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                Parking.parkThread(WaitReason.SLEEP, left); // an unpark only makes the loop look again
            }
            return;
        }
        boolean tookPermit = false;
        while (deadline - Parking.nanoTime(g) > 0) {
            tookPermit |= Parking.parkG(g, WaitReason.SLEEP, deadline);
        }
        if (tookPermit) {
            g.unpark(); // give back the permit the sleep swallowed: it was meant for someone's park
        }
    }
}
