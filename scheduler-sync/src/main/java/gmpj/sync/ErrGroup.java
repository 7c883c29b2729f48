package gmpj.sync;

import gmpj.core.Scheduler;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A group of goroutines working on parts of one job: Go's {@code golang.org/x/sync/errgroup}.
 * {@link #go} starts a goroutine; {@link #await()} waits for all of them and reports the first
 * failure. A group made {@link #withContext with a context} cancels that context as soon as one
 * goroutine fails, so the others can stop early (by selecting on {@code ctx.done()} or checking
 * {@code ctx.isDone()}), and again when {@code await()} returns.
 *
 * <pre>{@code
 * ErrGroup g = ErrGroup.withContext(scheduler, Context.background());
 * for (String url : urls) {
 *     g.go(() -> fetch(g.context(), url));   // a failure cancels g.context() for the rest
 * }
 * g.await();                                  // throws ExecutionException with the first failure
 * }</pre>
 *
 * <p>{@link #limit(int)} bounds how many of the group's goroutines run at once; {@code go} then
 * waits (parks a goroutine, blocks a thread) for a free slot, and {@link #tryGo} does not.
 *
 * <h2>Thread safety</h2>
 * {@link #go}, {@link #tryGo}, {@link #await()}, {@link #failure()} and {@link #context()} may be
 * called at the same time from any goroutine or thread, including from the group's own goroutines
 * (a goroutine may start more work in its group). {@link #limit} is not meant for concurrent use:
 * call it once, before the first {@code go}; it refuses only when it sees goroutines of the group
 * running, which a {@code go} racing with it may start just after the check.
 *
 * <h2>Goroutines and plain threads</h2>
 * The group's work always runs in goroutines of the given scheduler; the caller of {@code go} and
 * {@code await} may be a goroutine (of any scheduler) or a plain thread. Waiting for a slot in
 * {@code go} and for the goroutines in {@code await} parks a goroutine and frees its carrier, or
 * blocks a plain thread, uninterruptibly: a thread's interrupt neither ends the wait nor is lost.
 * A goroutine of the group must not {@code await} its own group: it would wait for itself.
 */
public final class ErrGroup {
    /**
     * Work for a goroutine of the group; may throw anything, which fails the group. Each
     * {@code Work} passed to {@link #go} runs once, in its own goroutine.
     */
    @FunctionalInterface
    public interface Work {
        /**
         * Does the work, in a goroutine of the group.
         *
         * @throws Exception any failure; the first one fails the group
         */
        void run() throws Exception;
    }

    private final Scheduler scheduler;
    private final Context.Cancellable context;
    private final WaitGroup running = new WaitGroup();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    /** Null: no limit. Set only while no goroutine of the group runs. */
    private volatile Semaphore slots;

    private ErrGroup(Scheduler scheduler, Context.Cancellable context) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
        this.context = context;
    }

    /**
     * A group without a context: failures are only collected.
     *
     * @param scheduler where the group's goroutines run
     * @return the new group
     */
    public static ErrGroup of(Scheduler scheduler) {
        return new ErrGroup(scheduler, null);
    }

    /**
     * A group with a context derived from {@code parent}: it is cancelled by the first failure, by
     * {@link #await()} returning, or with {@code parent}. Hand {@link #context()} to the work.
     *
     * @param scheduler where the group's goroutines run
     * @param parent    the context the group's context derives from
     * @return the new group
     */
    public static ErrGroup withContext(Scheduler scheduler, Context parent) {
        Objects.requireNonNull(parent, "parent context must not be null; use Context.background() for none");
        return new ErrGroup(scheduler, parent.withCancel());
    }

    /**
     * The group's context.
     *
     * @return the context cancelled by the first failure or by {@link #await()}
     * @throws IllegalStateException if the group was made without one ({@link #of})
     */
    public Context context() {
        if (context == null) {
            throw new IllegalStateException("this ErrGroup has no context; create it with ErrGroup.withContext(scheduler, parent)");
        }
        return context;
    }

    /**
     * At most {@code n} of the group's goroutines run at once; negative means no limit (Go's
     * {@code SetLimit}).
     *
     * @param n the most goroutines of the group running at once, or negative for no limit
     * @return this group
     * @throws IllegalArgumentException if {@code n} is 0 (no goroutine could ever start)
     * @throws IllegalStateException    if goroutines of the group are running
     */
    public ErrGroup limit(int n) {
        if (n == 0) {
            throw new IllegalArgumentException("limit 0 would make every go() wait forever; use a positive limit, "
                    + "or a negative one for none");
        }
        if (running.counter() != 0) {
            throw new IllegalStateException("limit changed while " + running.counter() + " goroutines of the group "
                    + "are running; set the limit before the first go()");
        }
        slots = n < 0 ? null : new Semaphore(n);
        return this;
    }

    /**
     * Starts {@code work} as a goroutine of the group, first waiting for a free slot if the group
     * has a {@link #limit}.
     *
     * @param work what the goroutine runs
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is shut down
     */
    public void go(Work work) {
        Objects.requireNonNull(work, "work must not be null");
        Semaphore s = slots;
        if (s != null) {
            s.acquire();
        }
        start(work, s);
    }

    /**
     * Starts {@code work} only if the group's {@link #limit} leaves a slot free now (always, with no
     * limit).
     *
     * @param work what the goroutine runs
     * @return {@code true} if started
     */
    public boolean tryGo(Work work) {
        Objects.requireNonNull(work, "work must not be null");
        Semaphore s = slots;
        if (s != null && !s.tryAcquire(1)) {
            return false;
        }
        start(work, s);
        return true;
    }

    private void start(Work work, Semaphore s) {
        running.add(1);
        try {
            scheduler.go(() -> {
                try {
                    work.run();
                } catch (Throwable t) {
                    if (firstFailure.compareAndSet(null, t) && context != null) {
                        context.cancel(t);
                    }
                } finally {
                    if (s != null) {
                        s.release();
                    }
                    running.done();
                }
            });
        } catch (RuntimeException | Error e) {
            if (s != null) {
                s.release();
            }
            running.done();
            throw e;
        }
    }

    /**
     * Waits until every goroutine started by {@link #go} has finished, then cancels the group's
     * context (if any).
     *
     * @throws ExecutionException wrapping the first failure, if any goroutine failed
     */
    public void await() throws ExecutionException {
        running.await();
        if (context != null) {
            context.cancel();
        }
        Throwable t = firstFailure.get();
        if (t != null) {
            throw new ExecutionException("a goroutine of the group failed: " + t, t);
        }
    }

    /**
     * The first failure so far, or null.
     *
     * @return what the first goroutine to fail threw, or null if none has failed
     */

    public Throwable failure() {
        return firstFailure.get();
    }

    @Override
    public String toString() {
        Throwable t = firstFailure.get();
        return "ErrGroup[running=" + running.counter() + (t != null ? ", failed: " + t : "") + "]";
    }
}
