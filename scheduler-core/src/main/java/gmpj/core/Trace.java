package gmpj.core;

import java.util.List;
import java.util.Map;

/**
 * A recorded execution trace of one scheduler: every goroutine run, park, wake-up, steal and
 * carrier state change in a stretch of time, as {@link TraceEvent}s in time order. Taken by
 * {@link Scheduler#stopTrace()} (a window) or {@link Scheduler#flightRecording()} (the last
 * seconds kept by the flight recorder). Go's {@code runtime/trace}, viewed in Perfetto or in
 * gmpj's own viewer instead of {@code go tool trace}.
 *
 * <p>Immutable plain data, safe to share between goroutines and threads. The accessors never
 * block. The writers do file or stream I/O on the caller: from a goroutine, call them inside
 * {@link Gmp#blocking Gmp.blocking} so that the processor is not held meanwhile.
 */
public final class Trace {
    private final String scheduler;
    private final int procs;
    private final long startNanos;
    private final long durationNanos;
    private final List<TraceEvent> events;
    private final Map<Long, String> names;
    private final long dropped;
    private final boolean flight;

    Trace(String scheduler, int procs, long startNanos, long durationNanos, List<TraceEvent> events,
          Map<Long, String> names, long dropped, boolean flight) {
        this.scheduler = scheduler;
        this.procs = procs;
        this.startNanos = startNanos;
        this.durationNanos = durationNanos;
        this.events = events;
        this.names = names;
        this.dropped = dropped;
        this.flight = flight;
    }

    /**
     * The name of the scheduler it was recorded on.
     *
     * @return the scheduler's name
     */
    public String scheduler() {
        return scheduler;
    }

    /**
     * The scheduler's number of processors.
     *
     * @return the number of processors
     */
    public int procs() {
        return procs;
    }

    /**
     * When the trace begins, on the {@code System.nanoTime} clock; event times count from here.
     *
     * @return the start time in {@code System.nanoTime} nanoseconds
     */
    public long startNanos() {
        return startNanos;
    }

    /**
     * How long a stretch of time it covers, in nanoseconds.
     *
     * @return the duration in nanoseconds
     */
    public long durationNanos() {
        return durationNanos;
    }

    /**
     * The events, in time order (unmodifiable).
     *
     * @return the events in time order
     */
    public List<TraceEvent> events() {
        return events;
    }

    /**
     * The name of goroutine {@code id} if it was created with one while recording, else null.
     *
     * @param id the goroutine's id
     * @return the goroutine's name, or null
     */
    public String goroutineName(long id) {
        return names.get(id);
    }

    /**
     * Events lost because the recording reached its memory limit (0 when none were).
     *
     * @return the number of events dropped
     */
    public long droppedEvents() {
        return dropped;
    }

    /**
     * Whether it came from the flight recorder (the last seconds) rather than a window recording.
     *
     * @return whether the flight recorder made it
     */
    public boolean isFlightRecording() {
        return flight;
    }

    /**
     * Writes the trace in the Chrome trace-event JSON format: open it in Perfetto
     * ({@code ui.perfetto.dev}, "Open trace file") or {@code chrome://tracing}. A track per
     * processor and per carrier, a slice per goroutine run, arrows for wake-ups and steals, counter
     * tracks for the run queues, idle processors and spinning carriers.
     *
     * @param file the file to write, replaced if it exists
     * @throws java.io.IOException if the file cannot be written
     */
    public void writeJson(java.nio.file.Path file) throws java.io.IOException {
        try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(file)) {
            ChromeTrace.write(this, w);
        }
    }

    /**
     * {@link #writeJson(java.nio.file.Path)} to any writer (not closed).
     *
     * @param out the writer the JSON goes to
     * @throws java.io.IOException if {@code out} fails
     */
    public void writeJson(java.io.Writer out) throws java.io.IOException {
        ChromeTrace.write(this, out);
    }

    /**
     * Writes gmpj's timeline viewer: one self-contained HTML file (no network) with the trace in
     * it, to open in any browser.
     *
     * @param file the file to write, replaced if it exists
     * @throws java.io.IOException if the file cannot be written
     */
    public void writeHtml(java.nio.file.Path file) throws java.io.IOException {
        TraceViewer.write(this, file);
    }

    @Override
    public String toString() {
        return "Trace[" + scheduler + ", " + events.size() + " events in " + durationNanos / 1_000 + " µs"
                + (dropped > 0 ? ", " + dropped + " dropped" : "") + "]";
    }
}
