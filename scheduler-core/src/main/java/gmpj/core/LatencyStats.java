package gmpj.core;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * A distribution of durations in nanoseconds: the schedule latencies or the run slices that a
 * scheduler recorded while {@link Scheduler#recordLatency latency recording} was on (see
 * {@link SchedulerStats#scheduleLatency()} and {@link SchedulerStats#runSlice()}).
 *
 * <p>Percentiles and the maximum are accurate to 1 % (two significant digits), and values beyond
 * 60 s count as 60 s. {@link #NONE} (count 0) stands for a scheduler that has never recorded, or a
 * processor that has mounted nothing while recording was on.
 *
 * <p>Immutable plain data: a summary computed when it was asked for, safe to share between
 * goroutines and threads; no method blocks.
 *
 * @param count      values recorded
 * @param meanNanos  their mean
 * @param p50Nanos   the median
 * @param p90Nanos   the 90th percentile
 * @param p99Nanos   the 99th percentile
 * @param p999Nanos  the 99.9th percentile
 * @param maxNanos   the largest value
 */
public record LatencyStats(long count, long meanNanos, long p50Nanos, long p90Nanos, long p99Nanos, long p999Nanos,
                           long maxNanos) {
    /** Nothing recorded. */
    public static final LatencyStats NONE = new LatencyStats(0, 0, 0, 0, 0, 0, 0);

    static LatencyStats of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return NONE;
        }
        return new LatencyStats(h.getTotalCount(), Math.round(h.getMean()), h.getValueAtPercentile(50),
                h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /** {@code n=1200 mean=14us p50=9.8us p90=31us p99=120us p99.9=410us max=2.1ms}, or {@code n=0}. */
    @Override
    public String toString() {
        if (count == 0) {
            return "n=0";
        }
        return "n=" + count + " mean=" + format(meanNanos) + " p50=" + format(p50Nanos) + " p90=" + format(p90Nanos)
                + " p99=" + format(p99Nanos) + " p99.9=" + format(p999Nanos) + " max=" + format(maxNanos);
    }

    /** A duration in the largest unit that keeps it at 1 or more, with up to three significant digits: {@code 850ns}, {@code 12.3us}, {@code 4.5ms}, {@code 1.2s}. */
    static String format(long nanos) {
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return scaled(nanos, 1_000) + "us";
        }
        if (nanos < 1_000_000_000) {
            return scaled(nanos, 1_000_000) + "ms";
        }
        return scaled(nanos, 1_000_000_000) + "s";
    }

    private static String scaled(long nanos, long unit) {
        double v = (double) nanos / unit;
        String s = v >= 100 ? String.valueOf(Math.round(v)) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }
}
