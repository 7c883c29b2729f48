package gmpj.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The carrier threads ({@link M}): creating them, the spares that wait for a processor, handing a
 * processor from a stuck carrier to another (sysmon's hand-off), replacing a carrier that died,
 * pinning them to CPUs, and joining them at the end.
 *
 * <p>{@link #lock} guards the spare list, the orphan list and the hand-over of a processor to a
 * carrier ({@link M#handOver}); it is a cold lock (hand-offs, failures), apart from the idle lock
 * of the hot path. {@link Lifecycle} writes {@code stopping} while holding it, so a hand-off
 * decided under it never gives a processor away after the scheduler began to stop.
 */
final class Carriers {
    private final Scheduler s;
    private final Config c;
    /** Every carrier started and not yet ended or retired, in start order; the first {@code procs} held the processors in use at first. */
    private final CopyOnWriteArrayList<M> ms = new CopyOnWriteArrayList<>();
    final SpinLock lock = new SpinLock(); // ownerless: taken from goroutine code too (a failing carrier)
    /** Carriers without a processor, waiting for a hand-off. Guarded by {@link #lock}. */
    private final ArrayDeque<M> spares = new ArrayDeque<>();
    /**
     * Processors whose carrier died and for which no new carrier could be started yet; sysmon
     * retries every round ({@link #adoptOrphans}). Guarded by {@link #lock}; the count is a copy
     * readable without it.
     */
    private final ArrayDeque<P> orphans = new ArrayDeque<>();
    volatile int orphanCount;
    private final AtomicInteger nextMid = new AtomicInteger();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong sparesRetired = new AtomicLong();
    private final AtomicLong handoffs = new AtomicLong();
    /** Carrier threads started, the first {@code procs} included. */
    private final AtomicLong starts = new AtomicLong();
    private final AtomicBoolean threadStartReported = new AtomicBoolean();
    private final AtomicBoolean threadLimitReported = new AtomicBoolean();
    private final AtomicBoolean pinningReported = new AtomicBoolean();

    Carriers(Scheduler s, Config c) {
        this.s = s;
        this.c = c;
    }

    /** Creates (does not start) a carrier holding {@code p}. */
    M create(P p) {
        int mid = nextMid.getAndIncrement();
        M m = new M(s, mid, p, c.carrierPrefix + mid, c.carrierStackSize);
        m.setDaemon(c.daemon);
        p.hold(m);
        ms.add(m);
        return m;
    }

    /** Starts every carrier created so far, adding each to {@code started}; throws as the thread starter throws. */
    void startAll(List<Thread> started) {
        for (M m : ms) {
            c.threadStarter.accept(m);
            starts.incrementAndGet();
            started.add(m);
        }
    }

    /**
     * Starts a carrier without a processor, reserved for the caller, who then gives it one or lists
     * it as a spare. Returns null (reported once) if the thread cannot be started: nothing was
     * committed, so the caller just tries again later.
     */
    private M startReserved() {
        int mid = nextMid.getAndIncrement();
        M m = new M(s, mid, null, c.carrierPrefix + mid, c.carrierStackSize);
        m.setDaemon(c.daemon);
        m.reserved = true; // published to the new thread by Thread.start
        ms.add(m);
        try {
            c.threadStarter.accept(m);
            starts.incrementAndGet();
            return m;
        } catch (RuntimeException | Error e) {
            ms.remove(m);
            if (threadStartReported.compareAndSet(false, true)) {
                s.diag.diagnose(System.Logger.Level.ERROR, "gmpj: scheduler " + c.name + " could not start a carrier thread ("
                        + e + ") with " + ms.size() + " running; the processor stays where it is and the start is "
                        + "retried later. Lower the number of threads in this JVM, or the stack size (Builder.carrierStackSize)");
            }
            return null;
        }
    }

    /** A carrier without a processor lists itself as a spare, unless its starter reserved it or it is listed already. */
    void addSpare(M m) {
        lock.lock();
        try {
            if (!m.reserved && !m.listed && m.p == null) {
                spares.push(m);
                m.listed = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes a spare off the list (under {@link #lock}), or null. */
    private M popSpareLocked() {
        M m = spares.poll();
        if (m != null) {
            m.listed = false;
        }
        return m;
    }

    /**
     * A spare that waited {@link Config#spareKeepAliveNanos} without being needed leaves: off the
     * spare list and out of the carriers. False if it was handed a processor meanwhile (it must not go).
     */
    boolean retireSpare(M m) {
        lock.lock();
        try {
            if (m.p != null || !m.listed) {
                return false;
            }
            spares.remove(m);
            m.listed = false;
            ms.remove(m);
        } finally {
            lock.unlock();
        }
        sparesRetired.incrementAndGet();
        return true;
    }

    /**
     * Sysmon: takes {@code p} from a holder seen in state {@code seen} (stuck in a blocking call,
     * or in a goroutine that never yields) and gives it to a spare carrier, or a new one while
     * there are fewer than {@code maxThreads}. Returns true if it did.
     *
     * <p>Handing off to a carrier that must be started first takes two steps ({@link P}'s
     * {@code HANDING_OFF}): the processor is reserved, the thread started, and only then is the
     * processor given to it; if the thread cannot start (the native thread limit) the reservation
     * is rolled back and the holder keeps its processor. Taking it outright and then failing to
     * start stranded the processor's goroutines with a carrier that never ran.
     */
    boolean handOff(P p, long seen) {
        M m;
        lock.lock();
        try {
            if (s.lifecycle.stopping) {
                return false;
            }
            m = popSpareLocked();
            if (m != null) {
                if (!p.handOff(seen)) {
                    spares.push(m); // the holder came back just now
                    m.listed = true;
                    return false;
                }
                m.handOver(p);
            }
        } finally {
            lock.unlock();
        }
        if (m == null) {
            if (ms.size() >= c.maxThreads) {
                if (threadLimitReported.compareAndSet(false, true)) {
                    s.diag.diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + c.name + " has " + ms.size() + " carrier "
                            + "threads, its maxThreads limit, so processor " + p.id + " stays with its blocked carrier and "
                            + "its goroutines wait; raise Builder.maxThreads or make fewer blocking calls at once");
                }
                return false;
            }
            if (!p.beginHandOff(seen)) {
                return false; // the holder came back just now
            }
            m = startReserved();
            if (m == null) {
                p.rollBackHandOff(seen); // nothing taken: the holder keeps its processor
                return false;
            }
            lock.lock();
            try {
                m.reserved = false;
                m.handOver(p); // commits: the waiting holder sees another carrier's word and knows it lost
            } finally {
                lock.unlock();
            }
        }
        handoffs.incrementAndGet();
        m.wake();
        return true;
    }

    /**
     * Carrier {@code m} is ending because carrier code (not goroutine code) threw {@code t}: see
     * {@link M#run()}. Releases its spinning role, queues the goroutine it had taken but not yet
     * run, hands its processor to another carrier (a spare, a new one, or, if none can be started
     * now, sysmon retries), and reports the failure, once per carrier.
     */
    void failed(M m, G inHand, Throwable t) {
        failures.incrementAndGet();
        P p = m.p;
        if (p != null) {
            // Off the idle set if it is there (it must not be woken through the dead carrier), or,
            // if wakep took it meanwhile, the spinning role it handed, dropped with ours below.
            s.idle.wokeUp(m);
        }
        s.idle.dropSpinning(m); // before anything is queued: a dead spinner must not keep submitters from waking a live carrier
        m.p = null;
        ms.remove(m);
        String fate = "";
        if (inHand != null) {
            if (inHand.state() == G.RUNNABLE) {
                s.readyGlobal(inHand);
                fate = "; goroutine " + inHand.id + ", taken but not yet run, was queued again";
            } else {
                fate = "; goroutine " + inHand.id + " was being switched (" + G.stateName(inHand.state())
                        + ") and may not run again";
            }
        }
        StringBuilder sb = new StringBuilder("gmpj: carrier ").append(m.getName()).append(" of scheduler ").append(c.name)
                .append(" failed outside any goroutine and ends: ").append(t).append(fate);
        if (p != null) {
            sb.append("; its processor ").append(p.id).append(" goes to another carrier");
            giveToNew(p);
        }
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("\n\tat ").append(e);
        }
        s.diag.diagnose(System.Logger.Level.ERROR, sb.toString());
    }

    /**
     * Gives an ownerless processor (its carrier died, or {@link Scheduler#setProcs} brought it into
     * use) to a spare or a new carrier; if neither can be had now, sysmon retries.
     */
    void giveToNew(P p) {
        M m;
        lock.lock();
        try {
            if (s.lifecycle.stopping) {
                return;
            }
            m = popSpareLocked();
        } finally {
            lock.unlock();
        }
        if (m == null) {
            m = startReserved();
        }
        lock.lock();
        try {
            if (m == null) {
                orphans.add(p);
                orphanCount = orphans.size();
                return;
            }
            m.reserved = false;
            m.handOver(p);
        } finally {
            lock.unlock();
        }
        m.wake();
    }

    /** Sysmon: retries giving a carrier to a processor whose carrier died. */
    void adoptOrphans() {
        P p;
        lock.lock();
        try {
            p = orphans.poll();
            orphanCount = orphans.size();
        } finally {
            lock.unlock();
        }
        if (p != null) {
            giveToNew(p);
        }
    }

    /** Pins carrier {@code m} to one of the CPUs this process may use; reports once if it cannot. */
    void pin(M m) {
        if (!CpuAffinity.supported()) {
            if (pinningReported.compareAndSet(false, true)) {
                s.diag.diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + c.name + " cannot pin carriers to CPUs: "
                        + CpuAffinity.unsupportedReason() + "; carrying on unpinned");
            }
            return;
        }
        int[] cpus = CpuAffinity.allowedCpus();
        if (cpus.length == 0) {
            return;
        }
        try {
            CpuAffinity.pinCurrentThread(cpus[m.p.id % cpus.length]);
        } catch (RuntimeException e) {
            if (pinningReported.compareAndSet(false, true)) {
                s.diag.diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + c.name + " cannot pin carriers to CPUs: "
                        + e.getMessage() + "; carrying on unpinned");
            }
        }
    }

    /** Wakes every carrier from its park (they see the scheduler stopping and leave their loops). */
    void wakeAll() {
        for (M m : ms) {
            m.wake();
        }
    }

    /** Waits, until {@code deadline} at most, for every carrier thread and {@code also} to end. Not interruptible (the flag is kept). */
    void join(long deadline, Thread also) {
        boolean interrupted = false;
        List<Thread> threads = new ArrayList<>(ms);
        threads.add(also);
        for (Thread t : threads) {
            for (;;) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !t.isAlive()) {
                    break;
                }
                try {
                    t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Carriers still alive, each with the goroutine it runs. */
    List<String> stuck() {
        List<String> stuck = new ArrayList<>();
        for (M m : ms) {
            if (m.isAlive()) {
                G g = m.curg;
                stuck.add(m.getName() + (g != null ? " running goroutine " + g.id : ""));
            }
        }
        return stuck;
    }

    /** The carrier whose thread id is {@code tid}, or null. */
    M byThreadId(long tid) {
        for (M m : ms) {
            if (m.threadId() == tid) {
                return m;
            }
        }
        return null;
    }

    /** Every carrier, in start order (a snapshot). */
    List<M> all() {
        return ms;
    }

    long failures() {
        return failures.get();
    }

    long sparesRetired() {
        return sparesRetired.get();
    }

    long handoffs() {
        return handoffs.get();
    }

    long started() {
        return starts.get();
    }
}
