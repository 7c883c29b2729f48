package gmpj.sync;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs an action exactly once: Go's {@code sync.Once}, and {@code sync.OnceValue} as
 * {@link #value(Supplier)}.
 *
 * <p>The first {@link #run(Runnable)} runs its action; every other call, concurrent or later, runs
 * nothing and returns only once the action has finished, seeing everything it wrote. Callers that
 * arrive while the action runs park (goroutines, freeing their carriers) or block (threads).
 *
 * <p>If the action throws, the {@code Once} still counts as done (Go's rule: it will not be tried
 * again), the exception reaches the caller that ran it, and the others return normally. An action
 * that calls {@code run} on its own {@code Once} would wait for itself forever; that call throws
 * {@link IllegalStateException} instead.
 *
 * <h2>Thread safety</h2>
 * {@link #run}, {@link #isDone()} and the suppliers made by {@link #value} may be called at the
 * same time from any goroutine (of any scheduler) or plain thread; that is what they are for.
 *
 * <h2>Goroutines and plain threads</h2>
 * The action runs on the first caller, goroutine or thread. The callers that wait for it park
 * (goroutines, showing {@code sync.Once.Do} in dumps) or block in {@code LockSupport} (threads),
 * uninterruptibly: a thread's interrupt neither ends the wait nor is lost. Once the action has
 * finished, {@code run} is one memory read and never waits. On a carrier thread outside any
 * goroutine (a steal policy, a diagnostics sink), the first caller runs the action; one that would
 * have to wait throws {@link IllegalStateException}, since blocking there would stall a processor.
 */
public final class Once {
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Once.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** NEW, RUNNING, DONE; only ever moves forward. Through {@link #STATE}. */
    @SuppressWarnings("unused")
    private volatile int state;
    /**
     * Who runs the action: its goroutine's {@link Waiter} (a goroutine may move between carriers),
     * or else its thread. Written before the action runs, read to catch recursion.
     */
    private volatile Object runner;
    private final WaitQueue queue = new WaitQueue();

    /** A Once whose action has not run. */
    public Once() {}

    /**
     * Runs {@code action} if no action of this Once has run yet; otherwise waits until that one has
     * finished. See the class comment for exceptions.
     *
     * @param action what to run the first time
     * @throws IllegalStateException if called from inside this Once's own action, or, on a carrier
     *                               thread outside any goroutine, if it would have to wait
     */
    public void run(Runnable action) {
        Objects.requireNonNull(action, "action must not be null");
        if ((int) STATE.getAcquire(this) != DONE) { // acquire: pairs with the release of DONE, sees the action's writes
            runSlow(action);
        }
    }

    /**
     * Whether the action has run to its end (normally or by an exception).
     *
     * @return {@code true} once the action has finished
     */
    public boolean isDone() {
        return (int) STATE.getAcquire(this) == DONE; // acquire: see run()
    }

    private void runSlow(Runnable action) {
        // Not a Waiter for a thread: a carrier thread outside any goroutine (a steal policy, a
        // diagnostics sink) has none, and the first caller never waits.
        Object me = Gmp.inGoroutine() ? Parking.currentWaiter() : Thread.currentThread();
        if (STATE.compareAndSet(this, NEW, RUNNING)) { // volatile CAS: exactly one caller wins
            runner = me;
            try {
                action.run();
            } finally {
                runner = null;
                finish();
            }
            return;
        }
        if (runner == me) {
            throw new IllegalStateException("Once.run called from inside its own action: it would wait for itself "
                    + "forever; do the nested work directly instead of through the same Once");
        }
        Gmp.checkpoint();
        WaitNode node = new WaitNode(Parking.currentWaiter());
        queue.lock();
        try {
            // Under the lock: finish() sets DONE before it takes the lock to grant the queue, so
            // either we see DONE here or our node is linked before it grants.
            if ((int) STATE.getVolatile(this) == DONE) {
                return;
            }
            queue.addLast(node);
        } finally {
            queue.unlock();
        }
        node.await(WaitReason.ONCE, false, 0L, false); // untimed, uninterruptible: returns GRANTED only
    }

    private void finish() {
        STATE.setRelease(this, DONE); // release: publishes the action's writes to getAcquire readers
        WaitNode first;
        queue.lock();
        try {
            first = queue.grantAll();
        } finally {
            queue.unlock();
        }
        WaitNode.unparkChain(first);
    }

    /**
     * Go's {@code sync.OnceValue}: a supplier that calls {@code supplier} once, on its first
     * {@code get()}, and returns its result to every caller. If {@code supplier} throws, every
     * {@code get()} throws that same exception.
     *
     * @param <T>      the result's type
     * @param supplier what computes the result, on the first {@code get()}
     * @return a supplier that computes the result once and then returns it to every caller
     */

    public static <T> Supplier<T> value(Supplier<? extends T> supplier) {
        Objects.requireNonNull(supplier, "supplier must not be null");
        return new OnceValue<>(supplier);
    }

    @Override
    public String toString() {
        return switch ((int) STATE.getVolatile(this)) {
            case NEW -> "Once[not run]";
            case RUNNING -> "Once[running]";
            default -> "Once[done]";
        };
    }

    private static final class OnceValue<T> implements Supplier<T> {
        private final Once once = new Once();
        /** Cleared once called, so the supplier and what it captures can be collected. */
        private Supplier<? extends T> supplier;
        // Written by the running caller before the Once's release of DONE, read after its acquire.
        private T value;
        private RuntimeException failure;
        private Error error;

        OnceValue(Supplier<? extends T> supplier) {
            this.supplier = supplier;
        }

        @Override
        public T get() {
            once.run(this::compute);
            if (failure != null) {
                throw failure;
            }
            if (error != null) {
                throw error;
            }
            return value;
        }

        private void compute() {
            Supplier<? extends T> s = supplier;
            supplier = null;
            try {
                value = s.get();
            } catch (RuntimeException e) {
                failure = e;
            } catch (Error e) {
                error = e;
            }
        }

        @Override
        public String toString() {
            return "Once.value[" + (once.isDone() ? (failure != null || error != null ? "failed" : "done") : "not run") + "]";
        }
    }
}
