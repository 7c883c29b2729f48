package gmpj.core;

import gmpj.core.TraceEvent.Kind;
import java.io.IOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link Trace} in the Chrome trace-event JSON format, which Perfetto
 * ({@code ui.perfetto.dev}) and {@code chrome://tracing} open.
 *
 * <p>The layout: process 1 has one track per processor ({@code P0}, {@code P1}...), process 2 one
 * per carrier ({@code M0}...) plus sysmon and the outside threads. Each goroutine run is a complete
 * slice ({@code "ph":"X"}) named after the goroutine, on its processor's track and on its carrier's,
 * with why it stopped in its arguments. A carrier's track also shows its spinning and parked
 * stretches. Wake-ups and steals are flow arrows ({@code "ph":"s"/"f"}) from the slice that readied
 * or gave up the goroutine to the slice where it next runs. Run-queue lengths, the global queue,
 * idle processors and spinning carriers are counter tracks ({@code "ph":"C"}), written where they
 * change: a processor's run queue at every goroutine start on it, the idle processors and
 * spinning carriers at every carrier spin, park and wake-up, all of them at sysmon's samples. Every other event
 * is an instant ({@code "ph":"i"}) on the track it happened on. Times are microseconds from the
 * start of the trace.
 */
final class ChromeTrace {
    static final int PROCS_PID = 1;
    static final int CARRIERS_PID = 2;
    /** Carrier-track ids of sysmon and of the outside writer (carriers count up from 0). */
    static final int SYSMON_TID = 100_000;
    static final int OUTSIDE_TID = 100_001;

    private final Trace trace;
    private final Writer out;
    private boolean first = true;
    private long flowIds;

    private ChromeTrace(Trace trace, Writer out) {
        this.trace = trace;
        this.out = out;
    }

    static void write(Trace trace, Writer out) throws IOException {
        new ChromeTrace(trace, out).write();
    }

    /** An open slice: a goroutine running since {@code start} on a processor and carrier. */
    private record Run(long goroutine, long start, int proc, int carrier) {}

    private void write() throws IOException {
        out.write("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"scheduler\":");
        str(trace.scheduler());
        out.write(",\"procs\":" + trace.procs() + ",\"droppedEvents\":" + trace.droppedEvents()
                + ",\"flightRecording\":" + trace.isFlightRecording() + "},\"traceEvents\":[\n");
        meta(PROCS_PID, -1, "process_name", "gmpj " + trace.scheduler() + ": processors");
        meta(CARRIERS_PID, -1, "process_name", "gmpj " + trace.scheduler() + ": carriers");
        for (int p = 0; p < trace.procs(); p++) {
            meta(PROCS_PID, p, "thread_name", "P" + p);
            metaSort(PROCS_PID, p, p);
        }
        java.util.TreeSet<Integer> carriers = new java.util.TreeSet<>();
        for (TraceEvent e : trace.events()) {
            carriers.add(e.carrier());
        }
        for (int c : carriers) {
            int tid = carrierTid(c);
            meta(CARRIERS_PID, tid, "thread_name", c == TraceEvent.SYSMON ? "sysmon" : c == TraceEvent.OUTSIDE ? "outside" : "M" + c);
            metaSort(CARRIERS_PID, tid, tid);
        }

        Map<Integer, Run> running = new HashMap<>(); // by carrier
        Map<Integer, long[]> carrierState = new HashMap<>(); // carrier -> {since, state: 1 spinning, 2 parked}
        Map<Long, Long> pendingFlow = new HashMap<>(); // goroutine -> flow id waiting for its next start
        long end = trace.durationNanos();
        for (TraceEvent e : trace.events()) {
            long t = e.timeNanos();
            int c = e.carrier();
            switch (e.kind()) {
                case GO_START -> {
                    counter("run queue P" + e.proc(), "goroutines", e.arg(), t);
                    closeCarrierState(carrierState, c, t);
                    running.put(c, new Run(e.goroutine(), t, e.proc(), c));
                    Long flow = pendingFlow.remove(e.goroutine());
                    if (flow != null) {
                        flow("f", flow, t, PROCS_PID, e.proc());
                    }
                }
                case GO_STOP -> {
                    Run r = running.remove(c);
                    if (r != null && r.goroutine == e.goroutine()) {
                        slice(r, t, e);
                    }
                }
                case GO_READY -> {
                    long id = ++flowIds;
                    if (running.containsKey(c) && e.proc() >= 0) {
                        flow("s", id, t, PROCS_PID, e.proc());
                    } else {
                        // No goroutine slice to start the arrow from: a short one on the recorder's track.
                        begin("X", "ready " + goroutineLabel(e.goroutine()), t, CARRIERS_PID, carrierTid(c));
                        out.write(",\"dur\":0.001,\"cat\":\"ready\"}");
                        flow("s", id, t, CARRIERS_PID, carrierTid(c));
                    }
                    pendingFlow.put(e.goroutine(), id);
                    instant(e, "ready " + goroutineLabel(e.goroutine()) + " by " + readier(e));
                }
                case STEAL -> {
                    long id = ++flowIds;
                    flow("s", id, t, PROCS_PID, (int) e.arg());
                    pendingFlow.put(e.goroutine(), id);
                    instant(e, "steal " + e.arg2() + " from P" + e.arg());
                }
                case CARRIER_SPIN -> {
                    idleCounters(e, t);
                    openCarrierState(carrierState, c, t, 1);
                }
                case CARRIER_PARK -> {
                    idleCounters(e, t);
                    openCarrierState(carrierState, c, t, 2);
                }
                case CARRIER_WAKE -> {
                    idleCounters(e, t);
                    closeCarrierState(carrierState, c, t);
                }
                case COUNTERS -> counters(e, t);
                case GC -> {
                    begin("X", "GC", t, CARRIERS_PID, OUTSIDE_TID);
                    out.write(",\"dur\":" + us(e.arg()) + ",\"cat\":\"gc\"}");
                }
                default -> instant(e, describe(e));
            }
        }
        for (Run r : running.values()) {
            slice(r, end, null);
        }
        for (int c : new java.util.ArrayList<>(carrierState.keySet())) {
            closeCarrierState(carrierState, c, end);
        }
        out.write("\n]}\n");
        out.flush();
    }

    private void slice(Run r, long end, TraceEvent stop) throws IOException {
        String name = goroutineLabel(r.goroutine);
        String args = "{\"goroutine\":" + r.goroutine + ",\"carrier\":" + r.carrier
                + (stop == null ? ",\"stop\":\"running at the end\"" : ",\"stop\":\"" + stopText(stop) + "\"") + "}";
        if (r.proc >= 0) {
            begin("X", name, r.start, PROCS_PID, r.proc);
            out.write(",\"dur\":" + us(end - r.start) + ",\"cat\":\"goroutine\",\"args\":" + args + "}");
        }
        begin("X", name, r.start, CARRIERS_PID, carrierTid(r.carrier));
        out.write(",\"dur\":" + us(end - r.start) + ",\"cat\":\"goroutine\",\"args\":" + args + "}");
    }

    private static String stopText(TraceEvent stop) {
        TraceEvent.StopReason why = stop.stopReason();
        WaitReason w = stop.waitReason();
        return switch (why) {
            case PARK -> "park" + (w == null ? "" : ": " + w);
            case YIELD -> "yield";
            case PREEMPTED -> "preempted";
            case EXIT -> "exit";
        };
    }

    private void openCarrierState(Map<Integer, long[]> states, int c, long t, int state) throws IOException {
        closeCarrierState(states, c, t);
        states.put(c, new long[] {t, state});
    }

    private void closeCarrierState(Map<Integer, long[]> states, int c, long t) throws IOException {
        long[] s = states.remove(c);
        if (s != null) {
            begin("X", s[1] == 1 ? "spinning" : "parked", s[0], CARRIERS_PID, carrierTid(c));
            out.write(",\"dur\":" + us(t - s[0]) + ",\"cat\":\"carrier\"}");
        }
    }

    /** Sysmon's sample: each processor's run queue, or the scheduler-wide counters. */
    private void counters(TraceEvent e, long t) throws IOException {
        if (e.proc() >= 0) {
            counter("run queue P" + e.proc(), "goroutines", e.arg(), t);
        } else {
            counter("global queue", "goroutines", e.goroutine(), t);
            idleCounters(e, t);
        }
    }

    /** The idle processors and spinning carriers an event carries. */
    private void idleCounters(TraceEvent e, long t) throws IOException {
        counter("idle processors", "processors", e.idleProcessors(), t);
        counter("spinning carriers", "carriers", e.spinningCarriers(), t);
    }

    /** The last value written per counter track: a counter is written only when it changes. */
    private final Map<String, Long> lastCounter = new HashMap<>();

    private void counter(String name, String series, long value, long t) throws IOException {
        Long last = lastCounter.put(name, value);
        if (last != null && last == value) {
            return;
        }
        begin("C", name, t, PROCS_PID, 0);
        out.write(",\"args\":{\"" + series + "\":" + value + "}}");
    }

    private void instant(TraceEvent e, String name) throws IOException {
        boolean onProc = e.proc() >= 0 && e.carrier() >= 0;
        begin("i", name, e.timeNanos(), onProc ? PROCS_PID : CARRIERS_PID, onProc ? e.proc() : carrierTid(e.carrier()));
        out.write(",\"s\":\"t\",\"cat\":\"" + e.kind().name().toLowerCase(Locale.ROOT) + "\",\"args\":{\"goroutine\":"
                + e.goroutine() + ",\"arg\":" + e.arg() + ",\"arg2\":" + e.arg2() + ",\"carrier\":" + e.carrier() + "}}");
    }

    private String describe(TraceEvent e) {
        return switch (e.kind()) {
            case GO_CREATE -> "create " + goroutineLabel(e.goroutine()) + (e.arg() == 0 ? "" : " by G" + e.arg());
            case GLOBAL_TAKE -> "take " + e.arg() + " from the global queue";
            case GLOBAL_SPILL -> "spill " + e.arg() + " to the global queue";
            case TIMER_FIRED -> "timer of " + goroutineLabel(e.goroutine());
            case HANDOFF -> "hand-off of P" + e.proc() + " from M" + e.arg();
            case HOG -> "hog " + goroutineLabel(e.goroutine()) + " (" + e.arg() / 1_000_000 + " ms)";
            case DEADLOCK -> "deadlock (" + e.arg() + " goroutines)";
            case PROCS -> "procs " + e.arg() + " -> " + e.arg2();
            case PROC_RETIRED -> "P" + e.proc() + " retired (" + e.arg() + " goroutines to the global queue)";
            default -> e.kind().name().toLowerCase(Locale.ROOT);
        };
    }

    private static String readier(TraceEvent e) {
        TraceEvent.ReadySource src = e.readySource();
        return src == TraceEvent.ReadySource.GOROUTINE ? "G" + e.arg2() : src.name().toLowerCase(Locale.ROOT);
    }

    private String goroutineLabel(long id) {
        String n = trace.goroutineName(id);
        return n == null ? "G" + id : "G" + id + " " + n;
    }

    private static int carrierTid(int carrier) {
        return carrier == TraceEvent.SYSMON ? SYSMON_TID : carrier == TraceEvent.OUTSIDE ? OUTSIDE_TID : carrier;
    }

    private void flow(String ph, long id, long t, int pid, int tid) throws IOException {
        begin(ph, "wake", t, pid, tid);
        out.write(",\"cat\":\"flow\",\"id\":" + id + ("f".equals(ph) ? ",\"bp\":\"e\"" : "") + "}");
    }

    private void meta(int pid, int tid, String name, String value) throws IOException {
        sep();
        out.write("{\"ph\":\"M\",\"pid\":" + pid + (tid >= 0 ? ",\"tid\":" + tid : "") + ",\"name\":\"" + name + "\",\"args\":{\"name\":");
        str(value);
        out.write("}}");
    }

    private void metaSort(int pid, int tid, int index) throws IOException {
        sep();
        out.write("{\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":"
                + index + "}}");
    }

    /** Opens an event object up to its common fields; the caller adds the rest and the closing brace. */
    private void begin(String ph, String name, long t, int pid, int tid) throws IOException {
        sep();
        out.write("{\"ph\":\"" + ph + "\",\"name\":");
        str(name);
        out.write(",\"ts\":" + us(t) + ",\"pid\":" + pid + ",\"tid\":" + tid);
    }

    private void sep() throws IOException {
        if (!first) {
            out.write(",\n");
        }
        first = false;
    }

    /** Nanoseconds as microseconds with three decimals, as the format wants. */
    static String us(long nanos) {
        return nanos / 1000 + "." + String.format(Locale.ROOT, "%03d", Math.abs(nanos % 1000));
    }

    /** A JSON string literal. */
    private void str(String s) throws IOException {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&' || ch == 0x2028 || ch == 0x2029) {
                        b.append(String.format("\\u%04x", (int) ch)); // also safe inside an HTML script element
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        out.write(b.append('"').toString());
    }
}
