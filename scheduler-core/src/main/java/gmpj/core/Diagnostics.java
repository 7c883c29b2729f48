package gmpj.core;

import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a scheduler tells about itself: its diagnostics (sysmon's reports of hogs and blocked
 * carriers, failures, schedtrace and scheddetail lines), goroutine dumps, and the assembly of
 * {@link SchedulerStats}. Everything here reads the running machine racily and writes nothing the
 * scheduling paths read.
 */
final class Diagnostics {
    private static final System.Logger LOG = System.getLogger("gmpj.scheduler");

    private final Scheduler s;
    private final Config c;
    private final AtomicLong hogs = new AtomicLong();
    private final AtomicBoolean monitorBlockReported = new AtomicBoolean();

    Diagnostics(Scheduler s, Config c) {
        this.s = s;
        this.c = c;
    }

    /** Sends a diagnostic to the builder's sink, or to the System.Logger {@code gmpj.scheduler}. */
    void diagnose(System.Logger.Level level, String text) {
        if (c.diagnosticsSink != null) {
            try {
                c.diagnosticsSink.accept(text);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "diagnostics sink of scheduler " + c.name + " threw", e);
            }
        } else {
            LOG.log(level, text);
        }
    }

    // ------------------------------------------------------------------ failures

    void uncaught(G g, Throwable e) {
        try {
            c.handler.uncaughtException(g.id, g.name(), e);
        } catch (Throwable secondary) {
            System.err.println("gmpj: the uncaught-exception handler of scheduler " + c.name + " threw while handling "
                    + "an exception of goroutine " + g.id + "; both follow");
            e.printStackTrace();
            secondary.printStackTrace();
        }
    }

    void internalError(G g, Throwable t) {
        System.err.println("gmpj: internal error while running goroutine " + g.id + " on scheduler " + c.name
                + "; the goroutine is dropped and the carrier goes on");
        t.printStackTrace();
    }

    /** The default uncaught-exception handler: prints like the JDK does for a thread. */
    static void printUncaught(long id, String gname, Throwable e) {
        System.err.print("Exception in " + G.label(id, gname) + " ");
        e.printStackTrace();
    }

    // ------------------------------------------------------------------ sysmon's reports

    /**
     * Sysmon: goroutine {@code g} kept its processor for two time slices without yielding, and its
     * carrier computed meanwhile. Counts it, and tells once per goroutine. {@code frames} is the
     * carrier's stack sampled while {@code g} still held the processor (null once it was reported);
     * {@code cpuNanos} of CPU time were used in the last {@code windowNanos} (-1: not measured).
     */
    void hogDetected(G g, StackTraceElement[] frames, long ranNanos, long cpuNanos, long windowNanos, boolean handedOff) {
        hogs.incrementAndGet();
        if (g == null || g.hogReported || frames == null) {
            return;
        }
        g.hogReported = true;
        StringBuilder sb = reportLine(g).append(" ran ").append(ranNanos / 1_000_000).append(" ms");
        if (cpuNanos >= 0) {
            sb.append(" (on a CPU for ").append(cpuNanos / 1_000_000).append(" of the last ")
                    .append(windowNanos / 1_000_000).append(" ms)");
        }
        sb.append(" without yielding or parking, while other goroutines waited for its processor: a loop without ")
                .append("Gmp.checkpoint()? ")
                .append(handedOff ? "Its processor was handed to another carrier (HogPolicy.HAND_OFF)."
                        : "It keeps its processor, and the goroutines queued there wait (HogPolicy.REPORT_ONLY).")
                .append(" It was at:");
        diagnose(System.Logger.Level.WARNING, appendFrames(sb, frames).toString());
    }

    long hogs() {
        return hogs.get();
    }

    /**
     * Sysmon: goroutine {@code g} blocked its carrier in a call gmpj cannot see (the carrier's
     * thread is {@code WAITING} or {@code TIMED_WAITING} in goroutine code), and its processor was
     * handed to another carrier. Tells once per goroutine; {@code frames} as for {@link #hogDetected}.
     */
    void blockedCallDetected(G g, M carrier, Thread.State state, StackTraceElement[] frames, long blockedNanos) {
        if (g == null || g.hogReported || frames == null) {
            return;
        }
        g.hogReported = true;
        StringBuilder sb = reportLine(g).append(" blocked its carrier thread ").append(carrier.getName())
                .append(" for ").append(blockedNanos / 1_000_000).append(" ms in a call gmpj cannot see (thread state ")
                .append(state).append(": Thread.sleep, Object.wait, LockSupport.park, a java.util.concurrent lock or ")
                .append("queue...); its processor was handed to another carrier. Use Gmp.sleep and the gmpj.sync types, ")
                .append("or wrap the call in Gmp.blocking. It was at:");
        diagnose(System.Logger.Level.WARNING, appendFrames(sb, frames).toString());
    }

    /**
     * Sysmon: goroutine {@code g} blocked its carrier thread entering a monitor ({@code BLOCKED}),
     * and its processor was handed to another carrier. Tells once per scheduler, with the monitor
     * and its owner where the JVM knows them ({@code info}); {@code frames} as for {@link #hogDetected}.
     */
    void monitorBlocked(G g, M carrier, ThreadInfo info, StackTraceElement[] frames, long blockedNanos) {
        if (g == null || frames == null || !monitorBlockReported.compareAndSet(false, true)) {
            return;
        }
        String lock = info == null || info.getLockName() == null ? "a monitor" : "the monitor of " + info.getLockName();
        long ownerId = info == null ? -1 : info.getLockOwnerId();
        String owner;
        if (ownerId < 0) {
            owner = "whose owner the JVM does not know: most likely a goroutine that parked while holding it, and it "
                    + "stays locked until that goroutine runs again";
        } else {
            M om = s.carriers.byThreadId(ownerId);
            G running = om == null ? null : om.curg;
            owner = om == null ? "held by thread " + info.getLockOwnerName()
                    : "held by carrier " + om.getName() + (running != null ? ", now running goroutine " + running.id
                    : ", now between goroutines (a goroutine parked while holding it)");
        }
        StringBuilder sb = reportLine(g).append(" blocked its carrier thread ").append(carrier.getName())
                .append(" for ").append(blockedNanos / 1_000_000).append(" ms entering ").append(lock).append(", ")
                .append(owner).append("; its processor was handed to another carrier. A goroutine waiting for a monitor ")
                .append("holds a carrier thread (up to maxThreads)")
                .append(c.checkMonitors ? "; use gmpj.sync.Mutex in goroutines instead."
                        : ", and one that parks while holding a monitor can leave it locked or let other goroutines in: use "
                        + "gmpj.sync.Mutex in goroutines, or build the scheduler with checkMonitors(true).")
                .append(" Reported once per scheduler. It was at:");
        diagnose(System.Logger.Level.WARNING, appendFrames(sb, frames).toString());
    }

    /** Whether {@link #monitorBlocked} has told already (sysmon then samples no stack for it). */
    boolean monitorBlockReported() {
        return monitorBlockReported.get();
    }

    /** The head of a report about one goroutine. */
    private StringBuilder reportLine(G g) {
        return new StringBuilder("gmpj: ").append(G.label(g.id, g.name())).append(" of scheduler ").append(c.name);
    }

    private static StringBuilder appendFrames(StringBuilder sb, StackTraceElement[] frames) {
        for (StackTraceElement e : goroutineFrames(frames)) {
            sb.append("\n\tat ").append(e);
        }
        return sb;
    }

    // ------------------------------------------------------------------ schedtrace, stats, dumps

    /** One schedtrace line (and, with scheddetail, the per-P, per-M and per-goroutine lines). */
    void emitTrace(long sinceStartNanos) {
        StringBuilder sb = new StringBuilder("SCHED ").append(sinceStartNanos / 1_000_000).append("ms: ")
                .append(stats().traceLine());
        if (c.scheddetail) {
            sb.append(detailLines());
        }
        diagnose(System.Logger.Level.INFO, sb.toString());
    }

    /** Go's scheddetail: a line per processor, per carrier and per live goroutine. */
    String detailLines() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = s.procsHighWater; i < n; i++) {
            P p = s.ps[i];
            M holder = p.m;
            String status = P.statusOf(p.state()) == P.RETIRED ? "retired" : s.idle.isIdle(p) ? "idle"
                    : p.id >= s.procs ? "retiring" : "running";
            sb.append("\n  P").append(p.id).append(": status=").append(status)
                    .append(" schedtick=").append(p.schedtick()).append(" m=").append(holder == null ? "-" : holder.getName())
                    .append(" runqsize=").append(p.runq.size()).append(" timers=").append(p.timers.size());
        }
        for (M m : s.carriers.all()) {
            G g = m.curg;
            P held = m.p;
            sb.append("\n  M").append(m.mid).append(": thread=").append(m.getName()).append(" p=").append(held == null ? -1 : held.id)
                    .append(" curg=").append(g == null ? -1 : g.id).append(" spinning=").append(m.spinning)
                    .append(" state=").append(m.getState());
        }
        sb.append("\n  ").append(s.goroutineCounts());
        s.forEachLive(g -> {
            int st = g.state();
            M carrier = g.m;
            sb.append("\n  G").append(g.id).append(": status=").append(G.stateName(st));
            WaitReason reason = st == G.WAITING ? g.waitReason() : null;
            if (reason != null) {
                sb.append('(').append(reason.label()).append(')');
            }
            sb.append(" m=").append(st == G.RUNNING && carrier != null ? carrier.getName() : "-");
        });
        return sb.toString();
    }

    SchedulerStats stats() {
        int procs = s.procs;
        int shown = s.procsHighWater;
        List<SchedulerStats.ProcStats> per = new ArrayList<>(shown);
        Latency latency = s.latency;
        boolean latencyOn = (s.observing & Tracing.LATENCY) != 0;
        int alive = 0;
        int extraRunning = 0;
        for (M m : s.carriers.all()) {
            alive += m.isAlive() ? 1 : 0;
            extraRunning += runsWithoutProcessor(m) ? 1 : 0;
        }
        int retiring = 0;
        for (int i = 0; i < shown; i++) {
            P p = s.ps[i];
            PCounters pc = p.counters;
            LatencyStats[] lat = latency == null ? NO_LATENCY : latency.snapshot(p.id);
            boolean retired = P.statusOf(p.state()) == P.RETIRED;
            if (!retired && p.id >= procs) {
                retiring++;
            }
            per.add(new SchedulerStats.ProcStats(p.id, s.idle.isIdle(p), retired, p.runq.size(),
                    pc.get(PCounters.SPAWNS), pc.get(PCounters.RUNS), pc.get(PCounters.YIELDS), pc.get(PCounters.PARKS),
                    pc.get(PCounters.READIES), pc.get(PCounters.STEALS), pc.get(PCounters.STOLEN),
                    pc.get(PCounters.GLOBAL_TAKES), pc.get(PCounters.OVERFLOWS), pc.get(PCounters.EXITS),
                    pc.get(PCounters.RUNNEXT_PICKS), pc.get(PCounters.TIMERS_FIRED), pc.get(PCounters.PINNED_PARKS),
                    pc.get(PCounters.WAKEUPS), pc.get(PCounters.FUTILE_WAKEUPS), pc.get(PCounters.RUNNEXT_STEALS),
                    pc.get(PCounters.RUNNEXT_SPARED), pc.get(PCounters.CROSS_READIES), pc.get(PCounters.LINGERS),
                    lat[0], lat[1]));
        }
        LatencyStats[] all = latency == null ? NO_LATENCY : latency.merged();
        return new SchedulerStats(c.name, procs, s.ps.length, retiring, s.stealPolicy.name(), s.idle.idleCount(), s.idle.spinningCount(), alive,
                s.global.size(), s.timers.count(), s.liveGoroutines(), s.externalSpawns(), s.externalReadies.sum(),
                s.preemptRequests.sum(), s.deadlocks.count(), (int) s.blockingInFlight.get(), s.carriers.handoffs(), hogs(),
                s.orphanExits.sum(), extraRunning, s.carriers.failures(), s.carriers.sparesRetired(), s.carriers.started(),
                s.sysmon.rounds(), netpollStats(), latencyOn, all[0], all[1], per);
    }

    private static final LatencyStats[] NO_LATENCY = {LatencyStats.NONE, LatencyStats.NONE};

    private SchedulerStats.NetpollStats netpollStats() {
        Netpoll np = s.netpoll;
        return np == null ? SchedulerStats.NetpollStats.NONE : np.stats();
    }

    /**
     * Whether carrier {@code m} runs goroutine code right now without holding a processor: its
     * processor was handed off while its goroutine ran (a hog, or a blocking call that returned),
     * and its thread is on a CPU or ready for one. Racy reads of owner fields: a snapshot.
     */
    private static boolean runsWithoutProcessor(M m) {
        P held = m.p;
        return m.curg != null && (held == null || held.m != m) && m.getState() == Thread.State.RUNNABLE;
    }

    List<GoroutineInfo> goroutines() {
        List<GoroutineInfo> out = new ArrayList<>();
        long now = System.nanoTime();
        s.forEachLive(g -> out.add(describe(g, now)));
        out.sort(Comparator.comparingLong(GoroutineInfo::id));
        return out;
    }

    String dump() {
        StringBuilder sb = new StringBuilder();
        for (GoroutineInfo g : goroutines()) {
            sb.append(g).append('\n');
        }
        return sb.toString();
    }

    private static GoroutineInfo describe(G g, long now) {
        int state = g.state();
        M carrier = g.m;
        WaitReason reason = state == G.WAITING ? g.waitReason() : null;
        java.time.Duration waiting = reason != null ? java.time.Duration.ofNanos(g.waitingNanos(now)) : null;
        StackTraceElement[] frames;
        try {
            frames = state == G.RUNNING && carrier != null ? carrier.getStackTrace() : g.getStackTrace();
        } catch (RuntimeException e) {
            frames = new StackTraceElement[0]; // mounted or unmounted while we looked
        }
        return new GoroutineInfo(g.id, g.name(), G.stateName(state), reason, waiting,
                state == G.RUNNING && carrier != null ? carrier.getName() : null, goroutineFrames(frames));
    }

    /**
     * The goroutine's own frames: everything above its entry point into the continuation, less
     * the runtime's frames right above that entry (finding the body, handing on an uncaught
     * exception).
     */
    static List<StackTraceElement> goroutineFrames(StackTraceElement[] frames) {
        int end = 0;
        while (end < frames.length && !G.isEntryFrame(frames[end])) {
            end++;
        }
        if (end < frames.length) {
            while (end > 0 && G.isRuntimeFrame(frames[end - 1])) {
                end--;
            }
        }
        return new ArrayList<>(Arrays.asList(frames).subList(0, end));
    }
}
