package gmpj.core;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The result-bearing body of a goroutine started with {@link Scheduler#submit}, and its
 * {@link Task} handle.
 *
 * <p>The goroutine runs {@link #run()}, which stores the outcome and then wakes the joiners. The
 * joiners form a Treiber stack in {@link #joiners}; completion swaps in the {@link #DONE} sentinel,
 * so a joiner that pushes after completion fails its CAS, sees {@code DONE} and does not park.
 *
 * <p>Memory ordering: {@code result}/{@code failure} are plain fields written before the
 * {@code getAndSet} of {@code joiners} (volatile); readers first read {@code joiners == DONE}
 * (volatile) and so see the outcome.
 */
final class GTask<T> implements Task<T>, Runnable {
    private static final Object DONE = new Object();
    private static final VarHandle JOINERS;

    static {
        try {
            JOINERS = MethodHandles.lookup().findVarHandle(GTask.class, "joiners", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Scheduler scheduler;
    private Callable<? extends T> body;
    /** Its goroutine; written once by the spawning thread before the goroutine is queued. */
    G g;
    private T result;
    private Throwable failure;
    /** {@code null}, a {@link Node} chain of waiting joiners, or {@link #DONE}. Accessed by CAS. */
    @SuppressWarnings("unused")
    private volatile Object joiners;

    private record Node(Waiter waiter, Object next) {}

    GTask(Scheduler scheduler, Callable<? extends T> body) {
        this.scheduler = scheduler;
        this.body = body;
    }

    /** Runs inside the goroutine. Never throws: the outcome is kept for the joiners. */
    @Override
    public void run() {
        try {
            result = body.call();
        } catch (Throwable t) {
            failure = t;
        }
        complete();
    }

    /** Completes with a {@link CancellationException} a goroutine that will never run again. */
    void abandon(String why) {
        failure = new CancellationException(why);
        complete();
    }

    private void complete() {
        body = null;
        Object chain = JOINERS.getAndSet(this, DONE);
        while (chain instanceof Node n) {
            n.waiter.unpark();
            chain = n.next;
        }
    }

    @Override
    public long id() {
        return g.id;
    }

    @Override
    public String name() {
        return g.name();
    }

    @Override
    public boolean isDone() {
        return joiners == DONE;
    }

    @Override
    public T join() {
        try {
            return await(Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new AssertionError("join without a deadline timed out", e);
        }
    }

    @Override
    public T join(Duration timeout) throws TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        return await(Parking.deadlineAfter(timeout));
    }

    private T await(long deadline) throws TimeoutException {
        if (joiners != DONE) {
            if (Gmp.currentG() == g) {
                throw new IllegalStateException("goroutine " + g.id + " called join() on its own Task: it would wait for itself forever");
            }
            waitUntilDone(deadline);
        }
        if (failure instanceof CancellationException c) {
            throw c;
        }
        if (failure != null) {
            throw new CompletionException("goroutine " + g.id + " failed", failure);
        }
        return result;
    }

    private void waitUntilDone(long deadline) throws TimeoutException {
        Waiter me = Parking.currentWaiter();
        Object top;
        do {
            top = joiners;
            if (top == DONE) {
                return;
            }
        } while (!JOINERS.compareAndSet(this, top, new Node(me, top)));
        boolean external = !me.isGoroutine() || ((G) me).scheduler != scheduler;
        if (external) {
            scheduler.lifecycle.registerExternalWaiter(me);
        }
        // A goroutine of another scheduler waits for ours: its own scheduler's deadlock detector
        // must know that this scheduler, not a plain unpark, ends the wait.
        G foreign = me instanceof G joiner && joiner.scheduler != scheduler ? joiner : null;
        if (foreign != null) {
            foreign.scheduler.deadlocks.foreignJoinStarts(foreign);
        }
        try {
            while (joiners != DONE) {
                if (external && scheduler.isTerminated() && joiners != DONE) {
                    throw new CancellationException("scheduler " + scheduler.name() + " terminated before goroutine " + g.id + " finished");
                }
                String deadlock = external ? scheduler.deadlocks.report() : null;
                if (deadlock != null && joiners != DONE) {
                    throw new IllegalStateException("join of goroutine " + g.id + " cannot return: " + deadlock);
                }
                if (deadline == Long.MAX_VALUE) {
                    Parking.park(WaitReason.JOIN);
                } else if (!Parking.parkUntil(WaitReason.JOIN, deadline)) {
                    if (joiners == DONE) {
                        return;
                    }
                    throw new TimeoutException("goroutine " + g.id + " did not finish in time");
                }
            }
        } finally {
            if (foreign != null) {
                foreign.scheduler.deadlocks.foreignJoinEnds(foreign);
            }
            if (external) {
                scheduler.lifecycle.unregisterExternalWaiter(me);
            }
        }
    }

    @Override
    public String toString() {
        return "Task[goroutine " + g.id + (g.name() == null ? "" : " " + g.name()) + (isDone() ? ", done]" : "]");
    }
}
