package gmpj.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the deadlock detector sees and says (sysmon drives it: {@link Sysmon}'s checkDeadlock).
 *
 * <p>A scheduler is <em>stalled</em> when nothing of it can move by itself and goroutines are
 * parked: every processor in use idle, nothing queued, no timer armed, nothing running or in a blocking
 * call ({@link #idleOnTheSurface}), and every live goroutine in a park without a deadline
 * ({@link #census}). It is <em>deadlocked</em> when it has been stalled for the grace and so has
 * every other scheduler of the JVM ({@link #others}): nothing in gmpj can wake the parked
 * goroutines. Only a plain thread still could, and the report says how many wait on something a
 * plain thread may release.
 */
final class Deadlocks {
    private final Scheduler s;
    private final Config c;
    private final AtomicLong deadlocks = new AtomicLong();
    /** The report of the deadlock in progress, for {@link DeadlockPolicy#FAIL_JOINERS}; else null. */
    private volatile String report;
    /**
     * Goroutines of this scheduler parked in {@link Task#join()} on a task of another scheduler: a
     * wait that the other scheduler ends. Added by the goroutine before it parks, so the detector,
     * which reads the goroutine's state first, sees the entry.
     */
    private final Set<G> foreignJoins = ConcurrentHashMap.newKeySet();

    Deadlocks(Scheduler s, Config c) {
        this.s = s;
        this.c = c;
    }

    /**
     * What the detector sees of one scheduler's goroutines, from racy reads (see {@link #census()}).
     * A goroutine is <em>active</em> when something will make it run without anybody's help: it is
     * runnable (queued, or on its way to a queue), running (also on a carrier that lost its
     * processor to a hand-off, or inside a blocking call), or in a timed park (its timer armed in
     * a heap, or a pinned park with a deadline, whose carrier wakes itself). It is <em>parked</em>
     * when it waits with no deadline, pinned or not: only an unpark ends that.
     */
    static final class Census {
        int active;
        int parked;
        /** Parked in {@link Task#join()}: ended only when a goroutine finishes, never by a plain unpark. */
        int joins;
        /** Of those, joining a task of another scheduler. */
        int foreignJoins;
    }

    /**
     * The cheap half of "nothing here can move by itself": every processor in use idle, nothing queued
     * globally, no timer in any heap, no goroutine in {@link Gmp#blocking}. A goroutine running on
     * a carrier without a processor, or in a pinned park, hides from these; {@link #census()}
     * finds it.
     */
    boolean idleOnTheSurface() {
        Netpoll np = s.netpoll;
        return s.idle.allIdle() && s.blockingInFlight.get() == 0 && s.global.isEmpty()
                && s.timers.earliest() == Long.MAX_VALUE && (np == null || np.waiters() == 0);
    }

    /**
     * Looks at every live goroutine. Each goroutine's state is read first (a volatile read); the
     * fields read after it were written by the goroutine or its carrier before the state they
     * belong to: the timer of a timed park before the goroutine yields (so before {@code WAITING})
     * or starts a pinned park ({@link Parking#parkG}). A goroutine caught between two states
     * is counted active, never parked.
     */
    Census census() {
        Census census = new Census();
        s.forEachLive(g -> {
            int st = g.state();
            if (st == G.DEAD) {
                return;
            }
            boolean untimedPark = (st == G.WAITING || st == G.RUNNING && g.inPinnedPark()) && g.timer == null;
            if (!untimedPark) {
                census.active++;
                return;
            }
            census.parked++;
            if (g.waitReason() == WaitReason.JOIN) {
                census.joins++;
                if (foreignJoins.contains(g)) {
                    census.foreignJoins++;
                }
            }
        });
        return census;
    }

    /** Stalled: the census, or null when it is not stalled. */
    Census stalled() {
        if (!idleOnTheSurface() || s.liveGoroutines() <= 0) {
            return null;
        }
        Census census = census();
        return census.active == 0 && census.parked > 0 ? census : null;
    }

    /** The other schedulers of this JVM, as {@link #others()} sees them. */
    static final class Others {
        /** Whether none can move by itself (idle, stalled, or terminated). */
        boolean quiet = true;
        /** The sum of their {@link Scheduler#progress()} counts. */
        long progress;
        /** The names of those that can. */
        final List<String> active = new ArrayList<>();
    }

    /** Looks at every other scheduler that has not terminated (racy reads, as {@link #census()}). */
    Others others() {
        Others o = new Others();
        for (Scheduler x : Scheduler.all()) {
            if (x == s || x.isTerminated()) {
                continue;
            }
            long before = x.progress();
            boolean quiet = x.deadlocks.idleOnTheSurface() && x.deadlocks.census().active == 0 && x.progress() == before;
            o.progress += before;
            if (!quiet) {
                o.quiet = false;
                o.active.add(x.name());
            }
        }
        return o;
    }

    /**
     * Sysmon: this scheduler has been stalled for the grace, and so has every other one: nothing in
     * gmpj can wake the parked goroutines. Only a plain thread still could, and the report says
     * how many of them wait on something a plain thread can release.
     */
    void detected(Census census) {
        StringBuilder sb = new StringBuilder("all goroutines are asleep - deadlock! (scheduler ").append(c.name)
                .append(": every processor idle, no timer armed, nothing running, queued or in a blocking call, here or in ")
                .append("any other gmpj scheduler of this JVM; ").append(census.parked)
                .append(" goroutine(s) parked that nothing in gmpj can wake");
        if (census.foreignJoins > 0) {
            sb.append("; ").append(census.foreignJoins).append(" of them join(s) a task of another scheduler, stalled too");
        }
        int primitives = census.parked - census.joins;
        if (primitives > 0) {
            sb.append(". ").append(primitives).append(" of them wait(s) on primitives (channels, locks, parks) that a thread ")
                    .append("outside gmpj may still release: if one does, this was a stall, not a deadlock");
        }
        String text = sb.append(")\n\n").append(s.diag.dump()).toString();
        s.diag.diagnose(System.Logger.Level.WARNING, text);
        deadlocks.incrementAndGet(); // after the report, so whoever sees the count can read the report
        if (s.observing != 0) {
            Tracing.deadlock(s, census.parked);
        }
        s.flightDump("deadlock");
        if (c.deadlockPolicy == DeadlockPolicy.FAIL_JOINERS) {
            report = text;
            s.lifecycle.wakeExternalWaiters();
        }
    }

    /**
     * Sysmon: this scheduler has been stalled for the grace, but another scheduler is active and
     * may still wake the goroutines that wait on primitives: not a deadlock (nobody's join fails),
     * said once per stall.
     */
    void stallNoted(Census census, Others others, long stalledNanos) {
        int maybeWoken = census.parked - census.foreignJoins;
        s.diag.diagnose(System.Logger.Level.WARNING, "gmpj: scheduler " + c.name + " is stalled, not deadlocked: for "
                + stalledNanos / 1_000_000 + " ms every goroutine of this scheduler has been parked and nothing inside it "
                + "can wake them (every processor idle, no timer armed, nothing running or in a blocking call); "
                + maybeWoken + " of the " + census.parked + " wait on primitives that other threads or schedulers may still wake "
                + "(channels, locks, parks, joins of this scheduler's tasks), and scheduler(s) " + others.active
                + " are active\n\n" + s.diag.dump());
    }

    /** The deadlock is over (a goroutine ran, or somebody outside woke one). */
    void cleared() {
        report = null;
    }

    /** The report of a deadlock in progress under {@link DeadlockPolicy#FAIL_JOINERS}, else null. */
    String report() {
        return report;
    }

    long count() {
        return deadlocks.get();
    }

    /** Goroutine {@code g} of this scheduler is about to wait for a task of another scheduler. */
    void foreignJoinStarts(G g) {
        foreignJoins.add(g);
    }

    void foreignJoinEnds(G g) {
        foreignJoins.remove(g);
    }
}
