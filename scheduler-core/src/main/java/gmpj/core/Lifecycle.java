package gmpj.core;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Shutting a scheduler down and deciding that it terminated.
 *
 * <h2>The protocol</h2>
 * Three flags, each set once and never cleared, in this order:
 * <ol>
 *   <li>{@link #shutdown}: no goroutine from outside any more ({@link Scheduler#shutdown()}).
 *       Goroutines already live may go on spawning: they are live, so termination cannot race them.</li>
 *   <li>{@link #stopping}: carriers must leave their loops. Written while holding the idle lock and
 *       the carriers' lock, so a decision taken under either (a processor going idle, a hand-off)
 *       sees it. Set by the termination decision, or by {@link #stopNow} (close timed out,
 *       {@code shutdownNow}).</li>
 *   <li>{@link #terminated}: every goroutine finished or was abandoned; set once by
 *       {@link #announceTermination}, which then wakes every carrier, sysmon, and whoever waits.</li>
 * </ol>
 * <b>The decision</b> ({@link #decideLocked}) is taken under the idle lock: shut down, not yet
 * stopping, every processor idle (so no carrier is touching its processor's counters, and their
 * writes are visible through the lock) and no goroutine live. It is checked where either half can
 * become true: when the last processor goes idle ({@link Idle#park}), when {@link #shutdown()} is
 * called, and when a goroutine finishes on a carrier without a processor.
 *
 * <p><b>Spawn from outside versus shutdown.</b> An outside spawner counts its goroutine first and
 * then reads {@link #shutdown}; the terminator writes {@link #shutdown} first and then reads the
 * count. Both are sequentially consistent (volatile), so one sees the other: a goroutine is either
 * counted as live before termination is decided, or rejected by its spawner.
 *
 * <p><b>Giving up</b> ({@link #stopNow}): stopping, joining the carriers, then abandoning every
 * goroutine that will never run (queued and parked ones). A goroutine readied after that reads
 * {@link #abandoning} after queueing itself, and we read the queues after setting it (full fences
 * both), so either it is drained here or it drains itself.
 */
final class Lifecycle {
    private final Scheduler s;
    private final Config c;
    volatile boolean shutdown;
    volatile boolean stopping;
    private volatile boolean terminated;
    /** Set once, when {@link #stopNow} starts abandoning: goroutines readied after it are abandoned at once. */
    volatile boolean abandoning;
    private final CountDownLatch terminatedLatch = new CountDownLatch(1);
    /** Threads (or goroutines of other schedulers) blocked in {@link Task#join()} on one of ours. */
    private final Set<Waiter> externalWaiters = ConcurrentHashMap.newKeySet();

    /** How long close waits, past its timeout, for carriers that were told to stop to end. */
    static final long CARRIER_EXIT_GRACE_MILLIS = 100;

    Lifecycle(Scheduler s, Config c) {
        this.s = s;
        this.c = c;
    }

    boolean isTerminated() {
        return terminated;
    }

    void shutdown() {
        shutdown = true;
        maybeTerminate();
    }

    boolean awaitTermination(Duration timeout) throws InterruptedException {
        rejectOwnGoroutine("awaitTermination");
        return terminatedLatch.await(Parking.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    }

    void close(Duration timeout) {
        rejectOwnGoroutine("close");
        long deadline = Parking.deadlineAfter(timeout);
        shutdown();
        boolean interrupted = false;
        try {
            boolean finished;
            for (;;) {
                try {
                    finished = terminatedLatch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // kept for the caller; the wait goes on
                }
            }
            long joinBy = Math.max(deadline, System.nanoTime()) + CARRIER_EXIT_GRACE_MILLIS * 1_000_000L;
            if (finished) {
                s.carriers.join(joinBy, s.sysmon); // terminated: every carrier is on its way out
                return;
            }
            List<CloseTimeoutException.Unfinished> unfinished = snapshotUnfinished();
            stopNow(joinBy);
            throw new CloseTimeoutException(c.name, timeout, unfinished, s.carriers.stuck());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    int shutdownNow() {
        rejectOwnGoroutine("shutdownNow");
        int abandoned = stopNow(Parking.deadlineAfter(c.closeTimeout));
        List<String> stuck = s.carriers.stuck();
        if (!stuck.isEmpty()) {
            throw new IllegalStateException("scheduler " + c.name + ": carrier(s) " + stuck + " did not stop within "
                    + c.closeTimeout + "; a goroutine there never yields (a CPU loop or a blocking call)");
        }
        return abandoned;
    }

    /** Sets {@link #stopping} under both locks that decisions read it under (see the class comment). */
    private void markStopping() {
        s.idle.lock.lock();
        try {
            s.carriers.lock.lock();
            try {
                stopping = true;
            } finally {
                s.carriers.lock.unlock();
            }
        } finally {
            s.idle.lock.unlock();
        }
    }

    /**
     * Stops the carriers, joins them until {@code joinBy}, then abandons every goroutine that will
     * never run: the queued ones, and the parked ones. Returns how many queued ones were abandoned.
     */
    private int stopNow(long joinBy) {
        shutdown = true;
        markStopping();
        s.carriers.wakeAll();
        LockSupport.unpark(s.sysmon);
        s.carriers.join(joinBy, s.sysmon);
        abandoning = true;
        VarHandle.fullFence(); // see the class comment: the flag before the drain
        int abandoned = drainAbandon();
        s.forEachLive(G::abandonWaiting);
        abandoned += drainAbandon(); // any that a waker readied while we marked the parked ones
        announceTermination();
        return abandoned;
    }

    /** Abandons every queued goroutine; returns how many. */
    int drainAbandon() {
        int n = 0;
        for (G g; (g = s.global.poll()) != null; n++) {
            g.abandon();
        }
        for (P p : s.ps) {
            for (G g; (g = p.runq.pollRunnext()) != null || (g = p.runq.poll()) != null; n++) {
                g.abandon();
            }
        }
        return n;
    }

    /** The goroutines not yet finished, with what they were doing, for a close that gives up. */
    private List<CloseTimeoutException.Unfinished> snapshotUnfinished() {
        List<CloseTimeoutException.Unfinished> out = new ArrayList<>();
        long now = System.nanoTime();
        s.forEachLive(g -> {
            int st = g.state();
            if (st == G.DEAD) {
                return;
            }
            M carrier = g.m;
            WaitReason reason = st == G.WAITING ? g.waitReason() : null;
            out.add(new CloseTimeoutException.Unfinished(g, G.stateName(st), reason,
                    reason == null ? 0 : g.waitingNanos(now),
                    st == G.RUNNING && carrier != null ? carrier : null));
        });
        out.sort(Comparator.comparingLong(u -> u.g().id));
        return out;
    }

    private void rejectOwnGoroutine(String what) {
        G g = Gmp.currentG();
        if (g != null && g.scheduler == s) {
            throw new IllegalStateException(what + "() called from goroutine " + g.id + " of scheduler " + c.name
                    + ": it would wait for itself; call it from outside the scheduler");
        }
    }

    /** Checks the decision (under the idle lock) and announces it if it was taken. */
    void maybeTerminate() {
        boolean terminatedNow;
        s.idle.lock.lock();
        try {
            terminatedNow = decideLocked();
        } finally {
            s.idle.lock.unlock();
        }
        if (terminatedNow) {
            announceTermination();
        }
    }

    /**
     * The termination decision, under the idle lock (see the class comment). Returns true if this
     * call took it; the caller then runs {@link #announceTermination()} after releasing the lock (it
     * wakes waiters that may belong to other schedulers, whose locks must not nest inside ours).
     */
    boolean decideLocked() {
        if (!shutdown || stopping || !s.idle.allIdleLocked() || s.liveGoroutines() != 0) {
            return false;
        }
        s.carriers.lock.lock();
        try {
            stopping = true;
        } finally {
            s.carriers.lock.unlock();
        }
        return true;
    }

    /** Wakes every carrier (they leave their loops), then everybody waiting for termination. */
    void announceTermination() {
        s.closeNetpoll(); // closing the scheduler closes what it owns: its sockets wake their waiters with "closed"
        Tracer t = s.tracer;
        if (t != null) {
            t.stopGcWatch(); // nothing runs any more: a trace or the flight recorder gets no more collections
        }
        s.carriers.wakeAll();
        LockSupport.unpark(s.sysmon);
        terminated = true;
        terminatedLatch.countDown();
        for (Waiter w : externalWaiters) {
            w.unpark();
        }
    }

    void registerExternalWaiter(Waiter w) {
        externalWaiters.add(w);
    }

    void unregisterExternalWaiter(Waiter w) {
        externalWaiters.remove(w);
    }

    /** Unparks every thread or foreign goroutine waiting on one of our tasks (a deadlock verdict for them to read). */
    void wakeExternalWaiters() {
        for (Waiter w : externalWaiters) {
            w.unpark();
        }
    }
}
