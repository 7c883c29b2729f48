package gmpj.core;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The schedule-latency and run-slice histograms of one scheduler, per processor ({@link
 * Scheduler#recordLatency}, bit {@link Tracing#LATENCY}). Created the first time recording is
 * turned on, and kept from then on: the histograms are cumulative since then, across later offs
 * and ons.
 *
 * <h2>What is measured</h2>
 * <ul>
 *   <li><em>Schedule latency</em>: from the moment a goroutine became runnable (created, readied
 *       by anyone, fired by its timer, readied by the network poller, requeued after a yield
 *       or a preemption, or run again at once by a park that found its permit) to the moment a
 *       carrier mounts it. A goroutine that parks or ends loses its stamp. The moment is stamped in
 *       {@link G#runnableSince} by whoever makes it runnable and read by the carrier that mounts
 *       it, on the processor it mounts it on.</li>
 *   <li><em>Run slice</em>: from that mount until the goroutine comes off its carrier (exit,
 *       yield, preemption or park), recorded on the processor it was mounted on.</li>
 * </ul>
 *
 * <h2>Stamps</h2>
 * {@link G#runnableSince} holds the low 32 bits of {@code System.nanoTime()}, 0 meaning
 * "unknown" (a stamp that happens to be 0 is written as 1). Latencies are computed modulo
 * 2<sup>32</sup> ns, so a goroutine that stayed runnable longer than about 4.3 s before it ran
 * shows as waiting that much less: such latencies wrap. The carrier that mounts a goroutine clears
 * its stamp; a stamp older than the moment recording was last turned on ({@link #enabledAt}) is
 * skipped, so a stamp left over from an earlier recording period (a goroutine readied while
 * recording was off, or mounted while nothing observed) never counts, unless it is also more than
 * 4.3 s old.
 *
 * <h2>Writers</h2>
 * A processor's histograms are written by the carrier that holds the processor, but not only by
 * it: a goroutine whose processor sysmon handed to another carrier while it ran (a blocking call,
 * a hog) ends its run slice on the old carrier while the new one records on the same processor.
 * So each histogram is a multi-writer {@link Recorder} (wait-free for writers), not a
 * {@code SingleWriterRecorder}. {@link #snapshot} runs on any thread, under this object's monitor:
 * it moves each recorder's interval into the processor's cumulative histogram.
 *
 * <p>Values are nanoseconds, to {@value #DIGITS} significant digits (1 %), clamped to
 * {@link #HIGHEST_NANOS} (60 s). Memory: about 250 KB per processor, allocated on the first
 * {@code recordLatency(true)}.
 */
final class Latency {
    /** The largest value a histogram tells apart; longer latencies and slices are recorded as this. */
    static final long HIGHEST_NANOS = 60_000_000_000L;
    /** Significant decimal digits of every recorded value. */
    static final int DIGITS = 2;

    private final Recorder[] schedule;
    private final Recorder[] slice;
    /** Per processor: everything recorded up to the last snapshot. Guarded by this object's monitor. */
    private final Histogram[] scheduleTotal;
    private final Histogram[] sliceTotal;
    /** Per processor: the interval histograms handed back to the recorders for reuse. Guarded likewise. */
    private final Histogram[] scheduleSpare;
    private final Histogram[] sliceSpare;

    /**
     * When recording was last turned on (System.nanoTime). Written before the bit is set in
     * {@link Scheduler#observing} (a volatile store), read by carriers after they read the bit
     * (a volatile load): they see this value or a later one.
     */
    volatile long enabledAt;

    Latency(int procs) {
        schedule = new Recorder[procs];
        slice = new Recorder[procs];
        scheduleTotal = new Histogram[procs];
        sliceTotal = new Histogram[procs];
        scheduleSpare = new Histogram[procs];
        sliceSpare = new Histogram[procs];
        for (int i = 0; i < procs; i++) {
            schedule[i] = new Recorder(HIGHEST_NANOS, DIGITS);
            slice[i] = new Recorder(HIGHEST_NANOS, DIGITS);
            scheduleTotal[i] = new Histogram(HIGHEST_NANOS, DIGITS);
            sliceTotal[i] = new Histogram(HIGHEST_NANOS, DIGITS);
        }
    }

    /** Stamps {@code g} as runnable from now on; any thread, by whoever made it runnable, before it is queued. */
    static void stampRunnable(G g) {
        int now = (int) System.nanoTime();
        g.runnableSince = now == 0 ? 1 : now;
    }

    /**
     * The carrier mounting {@code g} on processor {@code proc} at {@code now}: records how long it
     * was runnable, if its stamp is known and from this recording period, and clears the stamp.
     */
    void mounted(G g, int proc, long now) {
        int since = g.runnableSince;
        g.runnableSince = 0;
        if (since == 0) {
            return;
        }
        long waited = Integer.toUnsignedLong((int) now - since);
        if (waited > now - enabledAt) {
            return; // stamped before recording was last turned on: stale
        }
        schedule[proc].recordValue(Math.min(waited, HIGHEST_NANOS));
    }

    /** A run slice of {@code nanos} on processor {@code proc}, mounted at {@code mountedAt}; skipped if that was before recording was turned on. */
    void ranFor(int proc, long mountedAt, long now) {
        if (mountedAt - enabledAt < 0) {
            return;
        }
        slice[proc].recordValue(Math.min(now - mountedAt, HIGHEST_NANOS));
    }

    /** Processor {@code proc}'s schedule latencies and run slices so far. Any thread. */
    synchronized LatencyStats[] snapshot(int proc) {
        scheduleSpare[proc] = schedule[proc].getIntervalHistogram(scheduleSpare[proc]);
        scheduleTotal[proc].add(scheduleSpare[proc]);
        sliceSpare[proc] = slice[proc].getIntervalHistogram(sliceSpare[proc]);
        sliceTotal[proc].add(sliceSpare[proc]);
        return new LatencyStats[] {LatencyStats.of(scheduleTotal[proc]), LatencyStats.of(sliceTotal[proc])};
    }

    /** All processors merged: schedule latencies and run slices. Call after {@link #snapshot} of each, to include the last interval. */
    synchronized LatencyStats[] merged() {
        Histogram sched = new Histogram(HIGHEST_NANOS, DIGITS);
        Histogram ran = new Histogram(HIGHEST_NANOS, DIGITS);
        for (int i = 0; i < scheduleTotal.length; i++) {
            sched.add(scheduleTotal[i]);
            ran.add(sliceTotal[i]);
        }
        return new LatencyStats[] {LatencyStats.of(sched), LatencyStats.of(ran)};
    }
}
