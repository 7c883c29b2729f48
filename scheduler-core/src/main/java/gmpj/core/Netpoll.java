package gmpj.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scheduler's network poller (Go's {@code netpoll}): one NIO {@link Selector} (epoll on Linux)
 * watching every {@link PollDesc} of the scheduler, and the rules for who polls it and when.
 * Created on the first {@link PollDesc#open}; a scheduler that never touches a socket has none.
 *
 * <h2>Who polls</h2>
 * Only one thread at a time may be inside the selector (NIO serialises {@code select} calls on the
 * selector; a second caller would block behind the first), so every poll first takes
 * {@link #busy} by CAS and gives up at once if someone has it. Three kinds of poll:
 * <ul>
 *   <li><b>Non-blocking, from the run loop</b> ({@link #pollNow} in {@code M.findRunnable}, after
 *       the global queue and before stealing, as Go does): only while somebody waits on a
 *       descriptor and nobody is blocked in the selector. The goroutines it readies go to the
 *       polling carrier's own run queue; it runs the first.</li>
 *   <li><b>Blocking, by the one idle carrier that waits for time</b> ({@link #awaitAsPoller}, the
 *       {@link Timers.TimeWait} seam): a carrier going idle while somebody waits on a descriptor
 *       blocks in the selector, with the earliest timer's deadline as its timeout; every other idle
 *       carrier parks without a deadline. One that finds a non-blocking poll in the selector parks
 *       too, but asks that poll to wake it when it ends ({@link #deferred}): that poll does not
 *       stay, and the blocking poll must not be lost. {@link #blockedIn} names the blocked
 *       carrier. Waking it ({@link M#wake}, which is what {@code Idle.wakep} and an earlier timer
 *       do) breaks the poll with {@link Selector#wakeup()}, Go's {@code netpollBreak}.</li>
 *   <li><b>By sysmon</b> when nobody has polled for {@link #SYSMON_POLL_NANOS} (10 ms, Go's rule)
 *       and nobody is blocked in the selector: processors whose queues never drain would otherwise
 *       never reach the run loop's poll, and goroutines whose data has arrived would starve.</li>
 * </ul>
 *
 * <h2>Interest and wake-ups</h2>
 * NIO selectors are level-triggered. So a waiter asks for its operation to be added to the key's
 * interest, and the poller, on readiness, removes the operations that fired (else the next poll
 * would report them again while the goroutine has not read yet: a spin). Only the thread holding
 * {@link #busy} ever changes an interest set: NIO guards interest changes, and its wake-up, with
 * monitors that its {@code select} also takes, and a goroutine that blocks on a monitor blocks its
 * carrier (sysmon then hands its processor to another carrier). So a waiter records the operation
 * in its descriptor's {@link PollDesc#pendingOps} and pushes the descriptor on a lock-free stack
 * ({@link #requestInterest}); every poller drains the stack into the interest sets before it
 * selects ({@link #applyPending}). A request made while a carrier is blocked in the selector must
 * break that poll, or the new interest would not be watched until its timeout
 * ({@link #interestAdded}). The race is the usual write-then-read pair: the waiter pushes (a CAS)
 * and then reads {@link #blockedIn}; the poller writes {@link #blockedIn} and then takes the whole
 * stack (a getAndSet). Either the poller's drain sees the request, or the waiter sees the poller
 * and wakes it. Wake-ups are deduplicated ({@link #woken}): one {@code Selector.wakeup} per
 * poll at most. Every poll clears {@link #woken} before its select (a select consumes a pending
 * wake-up, so a later break must reach the selector again), and a blocking poll clears it before
 * it publishes {@link #blockedIn}: whoever sees the poller also sees the cleared flag, or a later
 * break whose wake-up reaches this select.
 *
 * <p>The pending stack: a Treiber stack through {@link PollDesc#pendingNext}, holding each
 * descriptor at most once. A waiter ORs its operation into {@code pendingOps}; the one whose OR
 * found 0 pushes (link, then CAS the head: release). The poller takes the whole stack with a
 * getAndSet (acquire) and, for each descriptor, reads its link, clears the link, and only then
 * takes {@code pendingOps} with a getAndSet to 0: a waiter can push the descriptor again only after
 * that getAndSet, so never while the poller still needs the old link.
 *
 * <h2>Closing</h2>
 * A closed channel keeps its descriptor until a {@code select} deregisters its key. So closing a
 * {@link PollDesc} flushes ({@link #flush}): it takes the selector, waking whoever is in it until
 * they leave, closes the channel while it holds it, and polls once without blocking. A listening
 * port is free again, and the peer's FIN has been sent, when the close returns (as Go's
 * {@code Close} returns once the descriptor is closed). A closer waiting for the selector yields
 * its thread between tries rather than blocking on anything: NIO's key cancellation takes a
 * monitor that a select's deregistration holds, and a goroutine blocked on a monitor would block
 * its carrier (sysmon hands its processor on, starting carriers).
 */
final class Netpoll {
    /** Sysmon polls when nobody has for this long (Go: 10 ms). */
    static final long SYSMON_POLL_NANOS = 10_000_000L;
    /**
     * A keeper whose deadline is closer than a millisecond parks with nanosecond precision instead
     * of polling: {@code select} takes its timeout in whole milliseconds.
     */
    static final long MIN_POLL_TIMEOUT_NANOS = 1_000_000L;

    private static final VarHandle BUSY;
    private static final VarHandle PENDING;
    private static final VarHandle PENDING_OPS;
    private static final VarHandle WOKEN;
    private static final VarHandle DEFERRED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            BUSY = l.findVarHandle(Netpoll.class, "busy", int.class);
            PENDING = l.findVarHandle(Netpoll.class, "pending", PollDesc.class);
            WOKEN = l.findVarHandle(Netpoll.class, "woken", boolean.class);
            PENDING_OPS = MethodHandles.privateLookupIn(PollDesc.class, l).findVarHandle(PollDesc.class, "pendingOps", int.class);
            DEFERRED = l.findVarHandle(Netpoll.class, "deferred", M.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Scheduler s;
    final Selector selector;
    /** 1 while a thread is inside the selector (any kind of poll); taken by CAS, never waited for. */
    @SuppressWarnings("unused")
    private volatile int busy;
    /** The idle carrier blocked in the selector, or null (Go: {@code lastpoll == 0}). */
    volatile M blockedIn;
    /** The top of the stack of descriptors with interest requests not yet applied. */
    @SuppressWarnings("unused")
    private volatile PollDesc pending;
    /** Set by the first {@link #breakPoll} after a poll began; cleared by the poller when its select returns. */
    @SuppressWarnings("unused")
    private volatile boolean woken;
    /**
     * An idle carrier that meant to block in the selector but found a non-blocking poll in it, and
     * parked: whoever frees the selector next wakes it ({@link #freeBusy}), so that it comes back
     * and blocks there. Without it the blocking poll could be lost to a poll that does not stay
     * (sysmon's, a close's flush): every processor idle, sysmon asleep, nobody polling. One at a
     * time: the one woken takes the blocking poll, or defers again.
     */
    @SuppressWarnings("unused")
    private volatile M deferred;
    /** When the last poll ended (System.nanoTime); sysmon polls when it is older than 10 ms. */
    volatile long lastPoll = System.nanoTime();
    /** Goroutines and threads armed on a descriptor right now (Go's {@code netpollWaiters}). */
    private final AtomicInteger waiters = new AtomicInteger();
    /** Open descriptors: what closing the scheduler closes. */
    private final SpinLock descsLock = new SpinLock(); // ownerless, safe in goroutine code (a monitor would block carriers)
    /** The open descriptors, a doubly linked list through {@link PollDesc#prevDesc}/{@link PollDesc#nextDesc}, under {@link #descsLock}. */
    private PollDesc descs;
    private int descCount;
    private volatile boolean closed;
    private final LongAdder polls = new LongAdder();
    private final LongAdder blockingPolls = new LongAdder();
    private final LongAdder readied = new LongAdder();
    private final LongAdder registrations = new LongAdder();
    /** Sysmon's scratch list (only sysmon polls through it). */
    private final List<Waiter> sysmonReady = new ArrayList<>();

    Netpoll(Scheduler s) {
        this(s, openSelector(s));
    }

    /**
     * A poller on {@code selector}. Package-private for the jcstress tests, which make one poller
     * per sample around one selector they never poll (a selector of its own per sample would hold
     * file descriptors by the ten thousand).
     */
    Netpoll(Scheduler s, Selector selector) {
        this.s = s;
        this.selector = selector;
    }

    private static Selector openSelector(Scheduler s) {
        try {
            return Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("gmpj: scheduler " + s.name() + " could not open its network poller: " + e, e);
        }
    }

    // ------------------------------------------------------------------ descriptors

    /** Registers an open descriptor; false if the poller was closed meanwhile (the scheduler terminated). */
    boolean add(PollDesc pd) {
        descsLock.lock();
        try {
            if (closed) {
                return false;
            }
            pd.nextDesc = descs;
            if (descs != null) {
                descs.prevDesc = pd;
            }
            descs = pd;
            pd.listed = true;
            descCount++;
            return true;
        } finally {
            descsLock.unlock();
        }
    }

    private void unlist(PollDesc pd) {
        descsLock.lock();
        try {
            if (!pd.listed) {
                return;
            }
            pd.listed = false;
            if (pd.prevDesc != null) {
                pd.prevDesc.nextDesc = pd.nextDesc;
            } else {
                descs = pd.nextDesc;
            }
            if (pd.nextDesc != null) {
                pd.nextDesc.prevDesc = pd.prevDesc;
            }
            pd.prevDesc = pd.nextDesc = null;
            descCount--;
        } finally {
            descsLock.unlock();
        }
    }

    /**
     * Closes a descriptor's channel and frees its descriptor before returning ({@link #flush}):
     * the channel is closed while this holds the selector, so the close's cancellation of its key
     * never waits for a select that is deregistering other keys (NIO guards both with one monitor,
     * and a goroutine blocked on a monitor blocks its carrier: thousands of connections closing at
     * once handed processors from carrier to carrier).
     */
    void close(PollDesc pd, SelectableChannel channel) throws IOException {
        unlist(pd);
        flush(channel);
    }

    /** A waiter armed itself on a descriptor. */
    void waiterArmed() {
        waiters.incrementAndGet();
    }

    /** A waiter left its descriptor (readied, timed out, or the descriptor closed). */
    void waiterLeft() {
        waiters.decrementAndGet();
    }

    /** Whether somebody needs a poll: waiters armed. */
    boolean wanted() {
        return waiters.get() > 0;
    }

    /**
     * A waiter asks for {@code op} to be added to {@code pd}'s interest. Returns false if it is
     * already pending (whoever asked first makes sure a poll applies it).
     */
    boolean requestInterest(PollDesc pd, int op) {
        int prev = (int) PENDING_OPS.getAndBitwiseOr(pd, op);
        if ((prev & op) != 0) {
            return false;
        }
        if (prev == 0) {
            for (;;) {
                PollDesc top = pending;
                pd.pendingNext = top;
                if (PENDING.compareAndSet(this, top, pd)) {
                    break;
                }
            }
        }
        return true;
    }

    /** The poller, holding {@link #busy}: applies every pending interest request (see the class comment). */
    private void applyPending() {
        PollDesc pd = (PollDesc) PENDING.getAndSet(this, null);
        while (pd != null) {
            PollDesc next = pd.pendingNext;
            pd.pendingNext = null;
            pd.applyInterest((int) PENDING_OPS.getAndSet(pd, 0));
            pd = next;
        }
    }

    /**
     * A waiter's interest request was pushed ({@link #requestInterest}). Makes sure some poll will watch it: breaks a blocked poll (see the class
     * comment), else wakes the timekeeper so it polls instead of parking, else, for a waiter the
     * scheduler's own carriers will not pass by (a plain thread, a goroutine of another
     * scheduler), wakes an idle carrier. A goroutine of this scheduler needs nothing more: its
     * carrier goes back to the run loop, which polls before it steals or goes idle.
     */
    void interestAdded(boolean ownGoroutine) {
        registrations.increment();
        // The push's CAS orders it before this read of blockedIn (see the class comment).
        if (blockedIn != null) {
            breakPoll();
            return;
        }
        wakePoller(ownGoroutine);
    }

    /**
     * A waiter the scheduler's carriers will not pass by (a plain thread, a goroutine of another
     * scheduler) armed on an operation already in the key's interest, left there by an earlier
     * wait that ended without readiness (its deadline passed). The kernel watches the operation
     * already, so a poll blocked now reports it; but if nobody is blocked in the selector, nothing
     * would poll: carriers that went idle while nobody waited park without polling, and sysmon
     * sleeps while every processor is idle. So somebody is woken to poll, as for a new interest.
     * The waiter was counted ({@link #waiterArmed}) before this reads {@link #blockedIn}: a poller
     * that leaves the selector after this read sees the waiter when it next goes idle, and polls.
     */
    void foreignWaiterArmed() {
        if (blockedIn == null) {
            wakePoller(false);
        }
    }

    /** Nobody is blocked in the selector: wakes the timekeeper so it polls, else, for a foreign waiter, an idle carrier. */
    private void wakePoller(boolean ownGoroutine) {
        M keeper = s.timers.keeper();
        if (keeper != null) {
            keeper.wake();
        } else if (!ownGoroutine) {
            s.idle.wakeIfIdle();
        }
    }

    /**
     * Ends a blocked poll early (Go's {@code netpollBreak}); only the first call per poll reaches
     * the selector. Harmless when nobody polls: the next select returns at once.
     */
    void breakPoll() {
        if (!woken && WOKEN.compareAndSet(this, false, true)) {
            selector.wakeup();
        }
    }

    // ------------------------------------------------------------------ polling

    private boolean tryBusy() {
        return busy == 0 && BUSY.compareAndSet(this, 0, 1);
    }

    /**
     * Ends a poll: frees the selector, then wakes the carrier that deferred to this poll, if any.
     * The volatile write of {@link #busy} and then the read of {@link #deferred} pair with
     * {@link #deferOrTake}'s write of {@code deferred} and then read of {@code busy}: either this
     * sees the carrier, or the carrier sees the selector free and takes it.
     */
    private void freeBusy() {
        lastPoll = System.nanoTime();
        BUSY.setVolatile(this, 0);
        M d = (M) DEFERRED.getVolatile(this);
        if (d != null && DEFERRED.compareAndSet(this, d, null)) {
            d.wake();
        }
    }

    /**
     * {@code m} is going idle and the selector is taken. If a blocking poller has it, {@code m}
     * just parks: that poller watches every descriptor. Else a non-blocking poll has it, which will
     * not stay: {@code m} asks to be woken when it ends (see {@link #freeBusy}), then tries once
     * more, since it may have ended before the request was seen. True if {@code m} took the
     * selector after all.
     */
    private boolean deferOrTake(M m) {
        if (blockedIn != null) {
            return false;
        }
        DEFERRED.setVolatile(this, m);
        if (tryBusy()) {
            DEFERRED.compareAndSet(this, m, null);
            return true;
        }
        return false;
    }

    /**
     * The readiness callback of every select: removes the operations that fired from the key's
     * interest (level-triggered: they would fire again) and hands the waiters of the ready sides
     * to {@code out}.
     */
    private static void collect(SelectionKey key, List<Waiter> out) {
        if (!key.isValid()) {
            return;
        }
        int ready = key.readyOps();
        key.interestOpsAnd(~ready);
        if (key.attachment() instanceof PollDesc pd) {
            pd.fired(ready, out);
        }
    }

    /**
     * A non-blocking poll from the run loop of carrier {@code m}, which holds {@code into}: the
     * goroutines of this scheduler it readies are queued on {@code into} (owner only), anybody
     * else is unparked. Returns how many it queued on {@code into}. Does nothing if nobody waits,
     * somebody is blocked in the selector, or another poll is under way.
     */
    int pollNow(M m, P into) {
        if (!wanted() || blockedIn != null || !tryBusy()) {
            return 0;
        }
        List<Waiter> out = m.netReady;
        try {
            selectNow(out);
        } catch (IOException | RuntimeException e) {
            pollFailed(e);
        } finally {
            freeBusy();
        }
        return dispatch(out, into);
    }

    /**
     * A non-blocking select by the holder of {@link #busy}: applies the pending interest requests,
     * then hands the waiters of the ready keys to {@code out}.
     */
    private void selectNow(List<Waiter> out) throws IOException {
        polls.increment();
        applyPending();
        woken = false; // any select consumes a pending Selector.wakeup: from here a break must reach the selector again
        selector.selectNow(k -> collect(k, out));
    }

    /**
     * The blocking poll of an idle carrier (its processor is on the idle set): waits in the
     * selector until {@code deadline} (MAX_VALUE: none), readiness, or {@link M#wake}. The
     * goroutines it readies stay in {@code m.netReady} until the carrier holds its processor
     * again ({@link #dispatchHeld}). Returns false, having done nothing, if another thread is in
     * the selector or the deadline is too close for a millisecond timeout: the caller parks (if
     * the thread in the selector is a non-blocking poll, it wakes the caller when it ends: see
     * {@link #deferOrTake}).
     */
    boolean awaitAsPoller(M m, long deadline) {
        long timeoutMillis = 0; // 0: no timeout
        if (deadline != Long.MAX_VALUE) {
            long remaining = deadline - System.nanoTime();
            if (remaining < MIN_POLL_TIMEOUT_NANOS) {
                return false;
            }
            timeoutMillis = remaining / 1_000_000L; // rounded down: the keeper comes back early, never late
        }
        if (!tryBusy() && !deferOrTake(m)) {
            return false; // parks; woken by the poll that has the selector if that one does not stay
        }
        List<Waiter> out = m.netReady;
        try {
            woken = false; // before blockIn publishes blockedIn: whoever sees the poller sees this reset or a later break, which reaches our select
            if (blockIn(m)) {
                polls.increment();
                blockingPolls.increment();
                applyPending(); // after publishing blockedIn: a request pushed later sees us and breaks the poll
                Thread.interrupted(); // a set flag makes select return at once: the idle loop would spin
                if (timeoutMillis == 0) {
                    selector.select(k -> collect(k, out));
                } else {
                    selector.select(k -> collect(k, out), timeoutMillis);
                }
            }
        } catch (IOException | RuntimeException e) {
            pollFailed(e);
        } finally {
            blockedIn = null;
            freeBusy();
        }
        m.notified = false; // a wake-up that came while we polled is consumed here, as parkCarrier does
        return true;
    }

    /**
     * The blocking poller's half of its hand-shake with {@link M#wake}: publishes {@code m} in
     * {@link #blockedIn} (volatile), then reads {@code m.notified} (volatile). True if it may block
     * in the selector: nobody woke it before it was visible there. Pairs with {@code wake}'s write
     * of {@code notified} and then read of {@code blockedIn}: either this sees the wake-up and does
     * not block, or {@code wake} sees the poller and breaks its select (jcstress:
     * {@code PollerWakeRacingBlockedPollIsNeverLost}). The caller clears {@code blockedIn} after
     * its poll.
     */
    boolean blockIn(M m) {
        blockedIn = m;
        return !m.notified && !s.lifecycle.stopping;
    }

    /**
     * After {@link #awaitAsPoller}: the carrier holds its processor again; queues what the poll
     * readied on it and wakes another carrier if there is more than one goroutine to run.
     */
    void dispatchHeld(M m, P into) {
        if (!m.netReady.isEmpty() && dispatch(m.netReady, into) > 1) {
            s.idle.wakeIfIdle();
        }
    }

    /** Sysmon's poll: nobody has polled for 10 ms and nobody is blocked in the selector. */
    void sysmonPoll(long now) {
        if (!wanted() || blockedIn != null || now - lastPoll < SYSMON_POLL_NANOS || !tryBusy()) {
            return;
        }
        try {
            selectNow(sysmonReady);
        } catch (IOException | RuntimeException e) {
            pollFailed(e);
        } finally {
            freeBusy();
        }
        dispatch(sysmonReady, null);
        handBack();
    }

    /**
     * After a poll by somebody other than a carrier's run loop (sysmon, a close): a carrier that
     * went idle while that poll held the selector could not block in it and parked; if somebody
     * still waits and nobody is blocked in the poller, wake an idle carrier to take the role. The
     * carrier wrote its idle bit (a full-fence add) before it tried {@link #busy}; this released
     * {@link #busy} before the fence and read in {@link Idle#wakeIfIdle}: one sees the other.
     */
    private void handBack() {
        if (wanted() && blockedIn == null) {
            s.idle.wakeIfIdle();
        }
    }

    /**
     * A close wants its descriptor freed before it returns: takes the selector, closes
     * {@code channel} (cancelling its key), and polls once without blocking (the select drops the
     * cancelled key and closes the descriptor; what it readies is unparked). While somebody else has the selector, breaks their poll and tries
     * again: a blocking poll ends at the wake-up, a non-blocking one soon anyway, and since a new
     * blocking poll may begin in between, every try wakes again. Once the poller is closed, its
     * own closing frees every descriptor ({@link #closeAll}).
     */
    private void flush(SelectableChannel channel) throws IOException {
        while (!tryBusy()) {
            if (closed) {
                NioBoundary.close(channel); // the selector's own close deregisters every key
                return;
            }
            selector.wakeup();
            Thread.yield();
        }
        List<Waiter> out = new ArrayList<>(0);
        IOException closeFailed = null;
        try {
            try {
                NioBoundary.close(channel);
            } catch (IOException e) {
                closeFailed = e; // still deregister what can be; the caller gets it
            }
            selectNow(out);
        } catch (IOException | RuntimeException e) {
            pollFailed(e);
        } finally {
            freeBusy();
        }
        dispatch(out, null);
        handBack();
        if (closeFailed != null) {
            throw closeFailed;
        }
    }

    /**
     * Readies the waiters a poll collected and clears the list: goroutines of this scheduler onto
     * {@code into} when given (the caller owns it), everyone else through {@link Waiter#unpark}.
     * Returns how many went onto {@code into}.
     */
    private int dispatch(List<Waiter> out, P into) {
        int n = out.size();
        if (n == 0) {
            return 0;
        }
        int queued = 0;
        for (int i = 0; i < n; i++) {
            Waiter w = out.get(i);
            if (into != null && w instanceof G g && g.scheduler == s) {
                if (g.unparkToQueue()) {
                    if (s.observing != 0) {
                        Tracing.polled(s, into.m, into, g);
                    }
                    into.put(g, false, s.global);
                    queued++;
                }
            } else {
                w.unpark();
            }
        }
        out.clear();
        readied.add(n);
        return queued;
    }

    private void pollFailed(Throwable e) {
        if (!closed) {
            s.diag.diagnose(System.Logger.Level.ERROR, "gmpj: network poll of scheduler " + s.name() + " failed: " + e);
        }
    }

    // ------------------------------------------------------------------ closing the scheduler

    /** The scheduler terminated or gave up: closes every descriptor it owns, then the selector. */
    void closeAll() {
        closed = true;
        List<PollDesc> open = new ArrayList<>();
        descsLock.lock();
        try {
            for (PollDesc pd = descs; pd != null; pd = pd.nextDesc) {
                open.add(pd);
            }
        } finally {
            descsLock.unlock();
        }
        for (PollDesc pd : open) {
            pd.closeQuietly();
        }
        try {
            selector.close();
        } catch (IOException e) {
            s.diag.diagnose(System.Logger.Level.WARNING, "gmpj: closing the network poller of scheduler " + s.name()
                    + " failed: " + e);
        }
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ counters

    SchedulerStats.NetpollStats stats() {
        return new SchedulerStats.NetpollStats(polls.sum(), blockingPolls.sum(), readied.sum(), registrations.sum(),
                descCount, waiters.get());
    }

    int waiters() {
        return waiters.get();
    }
}
