package gmpj.sync;

import gmpj.core.Parking;
import gmpj.core.SpinLock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * Cancellation and deadlines in the spirit of Go's {@code context} package: a token passed down a
 * call tree that says when the work should stop.
 *
 * <ul>
 *   <li>{@link #background()} is the root: never cancelled, no deadline.</li>
 *   <li>{@link #withCancel()}, {@link #withTimeout(Duration)} and {@link #withDeadline(Instant)}
 *       derive a {@link Cancellable} child. Cancelling a context cancels all its descendants;
 *       cancelling a child never touches its parent. A child's deadline is never later than its
 *       parent's.</li>
 *   <li>{@link #done()} is a channel that is closed when the context is cancelled, so it can be a
 *       case of a {@link Select} next to real work, or simply received from. {@link #err()} says
 *       why ({@link Err#CANCELED} or {@link Err#DEADLINE_EXCEEDED}), {@link #cause()} carries the
 *       cause given to {@link Cancellable#cancel(Throwable)}.</li>
 *   <li>{@link #withValue(Object, Object)} attaches a request-scoped value.</li>
 * </ul>
 *
 * <pre>{@code
 * try (Context.Cancellable ctx = Context.background().withTimeout(Duration.ofSeconds(2))) {
 *     scheduler.go(() -> produce(ctx, out));         // selects on ctx.done() next to out.send
 *     ...
 * }                                                   // close() cancels: the producer stops
 * }</pre>
 *
 * <h2>Deadlines without a timer thread</h2>
 * A deadline is observed wherever the context is looked at: {@link #isDone()}, {@link #err()},
 * a receive from {@link #done()} and a select with a {@code done()} case all check the clock
 * first, and a goroutine or thread waiting on {@code done()} parks no longer than the deadline
 * (a goroutine on its scheduler's timers, so the deadlock detector knows the wait will end), then
 * cancels the context itself. A context nobody looks at is cancelled lazily; nothing can tell the
 * difference, because looking is the only way to find out. Deadlines are read on
 * {@link Parking#nanoTime()}: in a {@code gmpj.core.Synctest} bubble, that is the bubble's virtual
 * clock, so a context made there expires at an exact virtual time.
 *
 * <h2>Thread safety and ordering</h2>
 * All methods may be called from any goroutine or thread. Cancellation is decided under the
 * context's spin lock, once; {@link #err()} is then published by a volatile write after the cause,
 * and the done channel is closed after that, so whoever sees the channel closed or {@code err()}
 * set sees the cause and everything the canceller did before cancelling. {@link #background()} and
 * the contexts made by {@link #withValue} hold no state of their own beyond their key and value:
 * the latter report their nearest {@link Cancellable} ancestor's.
 *
 * <h2>Goroutines and plain threads</h2>
 * No method of a context waits: cancelling, {@link #err()}, {@link #isDone()} and the others only
 * take the context's spin lock for a few field writes. Waiting is done on {@link #done()}, a
 * {@link Chan}, with the channel's rules: a goroutine parks and frees its carrier, a plain thread
 * blocks, uninterruptibly. A context made in a goroutine may be watched or cancelled by a thread,
 * and the other way round.
 */
public class Context {
    /**
     * Why a context is done: Go's {@code context.Canceled} and {@code context.DeadlineExceeded}.
     * Constants: plain data, safe everywhere.
     */
    public enum Err {
        /** {@link Cancellable#cancel()} was called on the context or an ancestor. */
        CANCELED("context canceled"),
        /** The context's deadline (or an ancestor's) passed. */
        DEADLINE_EXCEEDED("context deadline exceeded");

        private final String message;

        Err(String message) {
            this.message = message;
        }

        /**
         * Go's error text, e.g. {@code "context canceled"}.
         *
         * @return the text, as Go's {@code ctx.Err().Error()} gives it
         */
        public String message() {
            return message;
        }
    }

    private static final Context BACKGROUND = new Context(null, null, null, false);

    private final Context parent;
    /** The nearest cancellable context at or above this one: whose state this one reports. Null for background. */
    private final Cancellable canceller;
    private final Object key;
    private final Object value;

    private Context(Context parent, Object key, Object value, boolean cancellable) {
        this.parent = parent;
        this.canceller = cancellable ? (Cancellable) this : parent == null ? null : parent.canceller;
        this.key = key;
        this.value = value;
    }

    /**
     * The root context: never cancelled, no deadline, no values.
     *
     * @return the one background context
     */
    public static Context background() {
        return BACKGROUND;
    }

    /**
     * A child that is cancelled by {@link Cancellable#cancel()}, or with this context.
     *
     * @return the new child; cancel it when its work is done
     */
    public Cancellable withCancel() {
        return new Cancellable(this, 0L);
    }

    /**
     * A child that is cancelled when {@code timeout} has passed ({@link Err#DEADLINE_EXCEEDED}), by
     * {@link Cancellable#cancel()}, or with this context.
     *
     * @param timeout how long from now until the child is cancelled; zero or less cancels it at once
     * @return the new child; cancel it when its work is done
     */
    public Cancellable withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        long deadline = Parking.deadlineAfter(timeout); // saturating: negative is now, beyond ~73 years is clamped
        return new Cancellable(this, deadline == 0 ? 1 : deadline); // 0 means "no deadline"
    }

    /**
     * Like {@link #withTimeout(Duration)}, with the deadline as a wall-clock instant (converted once, now).
     *
     * @param deadline when the child is cancelled; a past instant cancels it at once
     * @return the new child; cancel it when its work is done
     */
    public Cancellable withDeadline(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        Instant now = Instant.now();
        return withTimeout(deadline.isAfter(now) ? Duration.between(now, deadline) : Duration.ZERO);
    }

    /**
     * A child carrying {@code value} under {@code key} (compared with {@code equals}); it is
     * cancelled exactly when this context is.
     *
     * @param key   what {@link #value(Object)} looks the value up by; never null
     * @param value the value the child carries; may be null
     * @return the new child
     */
    public Context withValue(Object key, Object value) {
        Objects.requireNonNull(key, "key must not be null");
        return new Context(this, key, value, false);
    }

    /**
     * The value for {@code key} from this context or its nearest ancestor that has one; null if none.
     *
     * @param key the key given to {@link #withValue(Object, Object)}
     * @return the nearest value under {@code key}, or null
     */
    public Object value(Object key) {
        for (Context c = this; c != null; c = c.parent) {
            if (c.key != null && c.key.equals(key)) {
                return c.value;
            }
        }
        return null;
    }

    /**
     * A channel closed when this context is cancelled; it never carries a value. Receive from it or
     * select on it. For {@link #background()} it is never closed. The channel cannot be closed by
     * hand ({@link Chan#close()} throws): cancel the context instead.
     *
     * @return the done channel, the same one on every call
     */
    public Chan<Void> done() {
        return canceller == null ? Never.DONE : canceller.doneChannel();
    }

    /**
     * Whether this context is cancelled (or its deadline has passed, which cancels it now).
     *
     * @return {@code true} once cancelled
     */
    public boolean isDone() {
        return err() != null;
    }

    /**
     * Why this context is done, or null while it is not. Checks the deadline first.
     *
     * @return {@link Err#CANCELED}, {@link Err#DEADLINE_EXCEEDED}, or null
     */
    public Err err() {
        if (canceller == null) {
            return null;
        }
        canceller.expireIfDue();
        return canceller.err;
    }

    /**
     * What cancelled this context: the cause given to {@link Cancellable#cancel(Throwable)}, else a
     * {@link CancellationException} whose message is {@link #err()}'s; null while not done.
     *
     * @return the cause of the cancellation, or null
     */
    public Throwable cause() {
        return err() == null ? null : canceller.cause;
    }

    /**
     * Throws if this context is done; a checkpoint for loops that do not select on {@link #done()}.
     *
     * @throws CancellationException with {@link #err()}'s message and {@link #cause()} as its cause
     *                               (when that is a user-supplied cause)
     */
    public void throwIfDone() {
        Err e = err();
        if (e != null) {
            CancellationException ex = new CancellationException(e.message());
            Throwable c = canceller.cause;
            if (!(c instanceof CancellationException)) {
                ex.initCause(c);
            }
            throw ex;
        }
    }

    /**
     * The time left until the deadline (zero once passed), or empty if there is none.
     *
     * @return the time left, or empty for a context without a deadline
     */
    public Optional<Duration> remaining() {
        long d = deadlineNanos();
        return d == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, d - Parking.nanoTime())));
    }

    /** The effective deadline (on the {@link Parking#nanoTime()} clock), 0 if none. */
    long deadlineNanos() {
        return canceller == null ? 0L : canceller.deadline;
    }

    /** Cancels now if the deadline has passed. */
    void checkDeadline() {
        if (canceller != null) {
            canceller.expireIfDue();
        }
    }

    /** Whether cancelled already, without checking the clock. */
    boolean cancelled() {
        return canceller != null && canceller.err != null;
    }

    @Override
    public String toString() {
        Err e = err();
        long d = deadlineNanos();
        return (canceller == null ? "Context.background" : "Context")
                + (key != null ? "[" + key + "=" + value + "]" : "")
                + (d != 0 ? "[deadline in " + Duration.ofNanos(d - Parking.nanoTime()) + "]" : "")
                + (e != null ? "[" + e.message() + "]" : "");
    }

    /**
     * A context its creator can cancel: Go's {@code ctx, cancel := context.WithCancel(parent)} in
     * one object. Pass it on as a plain {@link Context} to code that should only watch it.
     * {@link #close()} cancels, so try-with-resources gives Go's {@code defer cancel()}: always
     * cancel a context when its work is over, which also unlinks it from its parent.
     *
     * <p>{@link #cancel()}, {@link #cancel(Throwable)} and {@link #close()} may be called from any
     * goroutine or thread, any number of times, at the same time: the first one decides the
     * {@link #err()} and the {@link #cause()}, the others do nothing. None of them waits.
     */
    public static final class Cancellable extends Context implements AutoCloseable {
        private final SpinLock lock = new SpinLock();
        /** The nearest cancellable ancestor, which cancels this one with it; null under background. */
        private final Cancellable parentCanceller;
        /** The effective deadline: the earlier of this one's and the parent's; 0 if none. */
        private final long deadline;
        /** Written once, under the lock, after {@link #cause}; read anywhere. */
        private volatile Err err;
        private volatile Throwable cause;
        /** Created on first {@link #done()}; guarded by the lock. */
        private Chan<Void> done;
        /** Children to cancel with this one; guarded by the lock; null once cancelled. */
        private Set<Cancellable> children = new HashSet<>(4);

        private Cancellable(Context parent, long ownDeadline) {
            super(parent, null, null, true);
            this.parentCanceller = parent.canceller;
            this.deadline = Chan.earliest(ownDeadline, parent.deadlineNanos());
            Cancellable p = parentCanceller;
            if (p != null) {
                Err inherited;
                Throwable inheritedCause;
                p.lock.lock();
                try {
                    inherited = p.err;
                    inheritedCause = p.cause;
                    if (inherited == null) {
                        p.children.add(this);
                    }
                } finally {
                    p.lock.unlock();
                }
                if (inherited != null) {
                    cancel(inherited, inheritedCause);
                }
            }
        }

        /** Cancels this context and its descendants with {@link Err#CANCELED}; does nothing if done already. */
        public void cancel() {
            cancel(Err.CANCELED, null);
        }

        /**
         * Like {@link #cancel()}, recording {@code cause} as what {@link #cause()} reports.
         *
         * @param cause why the context is cancelled; never null
         */

        public void cancel(Throwable cause) {
            cancel(Err.CANCELED, Objects.requireNonNull(cause, "cause must not be null; use cancel() for none"));
        }

        /** Cancels: Go's {@code defer cancel()}. */
        @Override
        public void close() {
            cancel();
        }

        private void cancel(Err why, Throwable givenCause) {
            Set<Cancellable> kids;
            Chan<Void> ch;
            lock.lock();
            try {
                if (err != null) {
                    return;
                }
                cause = givenCause != null ? givenCause : new CancellationException(why.message());
                err = why; // volatile store after the cause: whoever sees err sees the cause
                kids = children;
                children = null;
                ch = done;
            } finally {
                lock.unlock();
            }
            if (ch != null) {
                ch.closeIfOpen(); // after err: a receiver woken by the close sees err set
            }
            for (Cancellable k : kids) {
                k.cancel(why, givenCause);
            }
            Cancellable p = parentCanceller;
            if (p != null) {
                p.lock.lock();
                try {
                    if (p.children != null) {
                        p.children.remove(this);
                    }
                } finally {
                    p.lock.unlock();
                }
            }
        }

        void expireIfDue() {
            long d = deadline;
            if (d != 0 && err == null && Parking.nanoTime() - d >= 0) {
                cancel(Err.DEADLINE_EXCEEDED, null);
            }
        }

        Chan<Void> doneChannel() {
            lock.lock();
            try {
                if (done == null) {
                    done = new Chan<>(0, this);
                    if (err != null) {
                        done.closeIfOpen(); // context lock, then channel lock: the only nesting, so no cycle
                    }
                }
                return done;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Background's done channel: never closed (its owner is background, so {@code close()} refuses). */
    private static final class Never {
        static final Chan<Void> DONE = new Chan<>(0, BACKGROUND);
    }
}
