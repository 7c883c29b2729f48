package gmpj.core;

import gmpj.core.TraceEvent.Kind;
import gmpj.core.TraceEvent.ReadySource;
import gmpj.core.TraceEvent.StopReason;

/**
 * The runtime's observation points: every place the scheduler does something a trace shows calls
 * one of these, and only after reading {@link Scheduler#observing} as non-zero, so that a scheduler
 * nobody observes pays one field read per point and nothing else. Each point feeds whichever
 * observers are on: the execution trace ({@link Tracer}, bit {@link #TRACE}), the JDK Flight
 * Recorder's events ({@link JfrEvents}, bit {@link #JFR}) and the latency histograms
 * ({@link Latency}, bit {@link #LATENCY}).
 *
 * <p>Which buffer an event goes to: a carrier's own ({@link M#traceWriter}) when a carrier of this
 * scheduler records it (its own run loop, or goroutine code running on it), sysmon's when sysmon
 * does, else the shared outside writer under its monitor.
 */
final class Tracing {
    /** {@link Scheduler#observing}: an execution trace or flight recorder is recording. */
    static final int TRACE = 1;
    /** {@link Scheduler#observing}: a JDK Flight Recorder recording is running (see {@link JfrGate}). */
    static final int JFR = 2;
    /** {@link Scheduler#observing}: schedule-latency and run-slice histograms are recording ({@link Scheduler#recordLatency}). */
    static final int LATENCY = 4;

    private Tracing() {
    }

    /**
     * Scheduler {@code s} has started and joined {@link Scheduler#all()}: {@link JfrGate} turns
     * {@link #JFR} on for it while a recording runs. A runtime image without the {@code jdk.jfr}
     * module has no recordings: nothing to do.
     */
    static void attachJfr(Scheduler s) {
        try {
            JfrGate.attach(s);
        } catch (LinkageError noJfrModule) {
            // no jdk.jfr in this runtime: the JFR bit stays off
        }
    }

    private static void record(M m, Kind kind, int proc, long goroutine, long arg, long arg2) {
        Tracer t = m.scheduler().tracer;
        if (t != null) {
            m.traceWriter(t).record(kind.ordinal(), proc, goroutine, arg, arg2);
        }
    }

    private static void recordSysmon(Scheduler s, Kind kind, int proc, long goroutine, long arg, long arg2) {
        Tracer t = s.tracer;
        if (t != null) {
            t.sysmon.record(kind.ordinal(), proc, goroutine, arg, arg2);
        }
    }

    private static void recordOutside(Scheduler s, Kind kind, int proc, long goroutine, long arg, long arg2) {
        Tracer t = s.tracer;
        if (t != null) {
            if (Thread.currentThread() == s.sysmon) {
                t.sysmon.record(kind.ordinal(), proc, goroutine, arg, arg2);
                return;
            }
            synchronized (t.outside) {
                t.outside.record(kind.ordinal(), proc, goroutine, arg, arg2);
            }
        }
    }

    private static int procOf(P p) {
        return p == null ? -1 : p.id;
    }

    /** Goroutine {@code g} was created by {@code parent} (null: from outside) on carrier {@code m} (null: none of ours). */
    static void goCreate(Scheduler s, M m, P p, G g, G parent, String name) {
        if ((s.observing & LATENCY) != 0) {
            Latency.stampRunnable(g);
        }
        Tracer t = s.tracer;
        if (t != null && name != null) {
            t.names.put(g.id, name);
        }
        long by = parent == null ? 0 : parent.id;
        if (m != null) {
            record(m, Kind.GO_CREATE, procOf(p), g.id, by, 0);
        } else {
            recordOutside(s, Kind.GO_CREATE, -1, g.id, by, 0);
        }
        if ((s.observing & JFR) != 0) {
            JfrEvents.goCreate(s, procOf(p), g.id, by, name);
        }
    }

    /** Carrier {@code m} mounts {@code g} on {@code p}. */
    static void goStart(M m, P p, G g) {
        Scheduler s = m.scheduler();
        Latency l = s.latency;
        if ((s.observing & LATENCY) != 0 && l != null) {
            long now = System.nanoTime();
            l.mounted(g, p.id, now);
            m.mountedOn = p;
            m.mountedAt = now;
        } else {
            g.runnableSince = 0;
            m.mountedOn = null;
        }
        record(m, Kind.GO_START, p.id, g.id, p.runq.size(), 0);
        if ((s.observing & JFR) != 0) {
            JfrEvents.goStart(s, p.id, g.id);
        }
    }

    /** {@code g} came off carrier {@code m} ({@code p} null if the carrier lost its processor meanwhile). */
    static void goStop(M m, P p, G g, StopReason why, WaitReason reason) {
        Scheduler s = m.scheduler();
        Latency l = s.latency;
        P on = m.mountedOn;
        m.mountedOn = null;
        if ((s.observing & LATENCY) != 0 && l != null) {
            long now = System.nanoTime();
            if (on != null) {
                l.ranFor(on.id, m.mountedAt, now);
            }
            if (why == StopReason.YIELD || why == StopReason.PREEMPTED) {
                int stamp = (int) now; // requeued: runnable from now
                g.runnableSince = stamp == 0 ? 1 : stamp;
            } else {
                g.runnableSince = 0; // parked or done: whatever makes it runnable again stamps it
            }
        }
        record(m, Kind.GO_STOP, procOf(p), g.id, why.ordinal(), reason == null ? 0 : reason.ordinal() + 1);
        Tracer t = s.tracer;
        if (why == StopReason.EXIT && t != null && t.windowNanos > 0 && t.names.containsKey(g.id)) {
            t.exited.add(new long[] {System.nanoTime(), g.id}); // forgotten a window later (Tracer.names)
        }
        if ((s.observing & JFR) != 0) {
            JfrEvents.goStop(s, procOf(p), g.id, why, reason);
        }
    }

    /** {@code g} was made runnable from carrier {@code m} (holding {@code p}, or null) by {@code by}. */
    static void goReady(M m, P p, G g, ReadySource source, G by) {
        if ((m.scheduler().observing & LATENCY) != 0) {
            Latency.stampRunnable(g);
        }
        record(m, Kind.GO_READY, procOf(p), g.id, source.ordinal(), by == null ? 0 : by.id);
    }

    /** {@code g} was made runnable by a thread that is not one of this scheduler's carriers (sysmon: its poll). */
    static void goReadyOutside(Scheduler s, G g) {
        if ((s.observing & LATENCY) != 0) {
            Latency.stampRunnable(g);
        }
        ReadySource src = Thread.currentThread() == s.sysmon ? ReadySource.POLLER : ReadySource.OUTSIDE;
        recordOutside(s, Kind.GO_READY, -1, g.id, src.ordinal(), 0);
    }

    /** Carrier {@code m} on {@code p} stole {@code count} goroutines from processor {@code victim}, and runs {@code g}. */
    static void steal(M m, P p, int victim, int count, G g) {
        record(m, Kind.STEAL, p.id, g.id, victim, count);
        Scheduler s = m.scheduler();
        if ((s.observing & JFR) != 0) {
            JfrEvents.steal(s, p.id, victim, count, g.id);
        }
    }

    static void globalTake(M m, P p, int count) {
        record(m, Kind.GLOBAL_TAKE, p.id, 0, count, 0);
    }

    /** The owner of {@code p} spilled {@code count} goroutines of its ring to the global queue. */
    static void globalSpill(P p, int count) {
        M m = p.m;
        if (m != null) {
            record(m, Kind.GLOBAL_SPILL, p.id, 0, count, 0);
        }
    }

    /** The owner of {@code into} fired a timer of {@code g}'s; {@code woke}: it readied {@code g}. */
    static void timerFired(Scheduler s, P into, G g, boolean woke) {
        if (woke && (s.observing & LATENCY) != 0) {
            Latency.stampRunnable(g);
        }
        M m = into.m;
        if (m != null) {
            record(m, Kind.TIMER_FIRED, into.id, g.id, 0, 0);
            if (woke) {
                record(m, Kind.GO_READY, into.id, g.id, ReadySource.TIMER.ordinal(), 0);
            }
        }
    }

    /** The network poller readied {@code g} onto {@code into}, whose carrier is {@code m} (null: none at the moment). */
    static void polled(Scheduler s, M m, P into, G g) {
        if ((s.observing & LATENCY) != 0) {
            Latency.stampRunnable(g);
        }
        if (m != null) {
            record(m, Kind.GO_READY, into.id, g.id, ReadySource.POLLER.ordinal(), 0);
        }
    }

    static void carrierSpin(M m, P p) {
        record(m, Kind.CARRIER_SPIN, procOf(p), 0, 0, m.scheduler().idle.lvWord());
    }

    /** {@code spare}: parked without a processor, waiting for a hand-off; else idle. */
    static void carrierPark(M m, P p, boolean spare) {
        record(m, Kind.CARRIER_PARK, procOf(p), 0, spare ? 1 : 0, m.scheduler().idle.lvWord());
    }

    static void carrierWake(M m, P p) {
        record(m, Kind.CARRIER_WAKE, procOf(p), 0, 0, m.scheduler().idle.lvWord());
    }

    /** Sysmon handed {@code p} away from carrier {@code from}, stuck in {@code g} (or null). */
    static void handoff(Scheduler s, P p, M from, G g) {
        recordSysmon(s, Kind.HANDOFF, p.id, g == null ? 0 : g.id, from == null ? -1 : from.mid, 0);
        if ((s.observing & JFR) != 0) {
            JfrEvents.handoff(s, p.id, from == null ? -1 : from.mid, g == null ? 0 : g.id);
        }
    }

    /** {@link Scheduler#setProcs} changed the number of processors from {@code from} to {@code to}. */
    static void procsChanged(Scheduler s, int from, int to) {
        recordOutside(s, Kind.PROCS, -1, 0, from, to);
    }

    /** Carrier {@code m} let removed processor {@code p} go, moving {@code drained} goroutines to the global queue. */
    static void procRetired(M m, P p, int drained) {
        record(m, Kind.PROC_RETIRED, p.id, 0, drained, 0);
    }

    /** Sysmon reported {@code g} as a hog on {@code p} after {@code ranNanos}. */
    static void hog(Scheduler s, P p, G g, long ranNanos) {
        recordSysmon(s, Kind.HOG, procOf(p), g.id, ranNanos, 0);
        if ((s.observing & JFR) != 0) {
            JfrEvents.hog(s, procOf(p), g, ranNanos);
        }
    }

    /** The deadlock detector reported {@code goroutines} goroutines deadlocked. */
    static void deadlock(Scheduler s, long goroutines) {
        recordSysmon(s, Kind.DEADLOCK, -1, 0, goroutines, 0);
        if ((s.observing & JFR) != 0) {
            JfrEvents.deadlock(s, goroutines);
        }
    }

    /** Sysmon samples the run queues, the idle processors and the spinning carriers. */
    static void counters(Scheduler s) {
        Tracer t = s.tracer;
        if (t == null) {
            return;
        }
        for (int i = 0, n = s.procsHighWater; i < n; i++) {
            t.sysmon.record(Kind.COUNTERS.ordinal(), i, 0, s.ps[i].runq.size(), 0);
        }
        t.sysmon.record(Kind.COUNTERS.ordinal(), -1, s.global.size(), s.idle.idleCount(), s.idle.spinningCount());
    }
}
