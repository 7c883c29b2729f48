package gmpj.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long a cache line takes to go from one core to another and back, measured on the machine
 * that runs the benchmarks: the floor under every wake-up that crosses processors. Two platform
 * threads take turns writing one volatile counter: ping writes an odd value and spins until it
 * reads the next even one, which pong writes as soon as it reads the odd one. One round trip is the
 * line's journey to pong's core and back.
 *
 * <p>Runs of {@value #ROUNDS_PER_RUN} round trips back to back for {@value #MEASURE_MILLIS} ms (at
 * least {@value #MIN_RUNS} runs), after {@value #WARMUP_MILLIS} ms of warm-up; the result is the
 * median of the runs' nanoseconds per round trip, so the runs that the operating system disturbed
 * (a thread moved or preempted) do not decide it unless they are most of them. About a quarter of
 * a second, plus the JVM's start.
 *
 * <p>The threads are not pinned ({@code gmpj.core}'s affinity support is not public): the
 * operating system places them. Two spinning threads on a machine with two idle CPUs or more land on
 * two of them, but they may be two hardware threads of one core, which share their caches, and
 * then the figure is that core's, lower; on a busy machine they may share one CPU, and then a
 * waiting side yields after {@value #SPINS_BEFORE_YIELD} fruitless reads, so that a round trip
 * costs two thread switches rather than two time slices (such a figure is microseconds, and shows
 * the machine was busy).
 *
 * <p>Usage: {@code CrossCoreProbe [<machine.properties> <when>]}. Prints one line: the median, the
 * spread and how it was measured. With a file, also appends {@code crosscore.<when>.ns=<median>}
 * and {@code crosscore.method=<how>} to it, for the reports' machine table ({@code when} is a word
 * such as {@code start} or {@code end}). On a machine with one CPU there is no second core: it says
 * so and writes {@code n/a}.
 */
public final class CrossCoreProbe {
    static final int ROUNDS_PER_RUN = 1_000;
    static final int WARMUP_MILLIS = 50;
    static final int MEASURE_MILLIS = 200;
    static final int MIN_RUNS = 5;
    /** Room for runs of 20 ns a round trip, far below any two cores' figure. */
    private static final int MAX_RUNS = MEASURE_MILLIS * 1_000_000 / (20 * ROUNDS_PER_RUN);
    /** Fruitless reads before a waiting side yields its CPU: microseconds, above any two cores' round trip. */
    static final int SPINS_BEFORE_YIELD = 1 << 12;
    /** Written to the counter to end pong; every other value it holds is a round's. */
    private static final long STOP = -1;
    /**
     * The counter is the middle slot of an array with {@value #PAD} unused longs (64 bytes) on
     * either side, so that nothing else written lives in its cache line.
     */
    private static final int PAD = 8;
    private static final int SLOT = PAD;

    private final AtomicLongArray cell = new AtomicLongArray(2 * PAD + 1);
    /** The even value ping last read back; the counter starts at 0. Ping's alone. */
    private long next;

    private CrossCoreProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 0 && args.length != 2) {
            System.err.println("usage: CrossCoreProbe [<machine.properties> <when>]");
            System.exit(2);
        }
        if (args.length == 2 && !args[1].matches("[a-z]+")) {
            throw new IllegalArgumentException("when must be a lower-case word such as start or end, got '" + args[1] + "'");
        }
        String value;
        String line;
        String method;
        if (Runtime.getRuntime().availableProcessors() < 2) {
            value = "n/a";
            method = "one CPU: no second core to bounce a cache line to";
            line = "cross-core round trip: n/a (" + method + ")";
        } else {
            double[] ns = new CrossCoreProbe().measure();
            double median = median(ns);
            value = String.format(Locale.ROOT, "%.1f", median);
            method = "two platform threads bouncing a volatile counter, not pinned; median of the runs of "
                    + ROUNDS_PER_RUN + " round trips in " + MEASURE_MILLIS + " ms";
            line = String.format(Locale.ROOT,
                    "cross-core round trip: %s ns (%s; %d runs, the fastest %.1f ns, the slowest %.1f ns)", value, method,
                    ns.length, Arrays.stream(ns).min().orElseThrow(), Arrays.stream(ns).max().orElseThrow());
        }
        System.out.println(line);
        if (args.length == 2) {
            Files.writeString(Path.of(args[0]), "crosscore." + args[1] + ".ns=" + value + "\ncrosscore.method=" + method + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** Nanoseconds per round trip of each measured run. */
    private double[] measure() throws InterruptedException {
        Thread pong = Thread.ofPlatform().name("cross-core-pong").daemon().start(this::pong);
        long warm = System.nanoTime() + WARMUP_MILLIS * 1_000_000L;
        while (System.nanoTime() - warm < 0) {
            run();
        }
        double[] ns = new double[MAX_RUNS];
        int runs = 0;
        long end = System.nanoTime() + MEASURE_MILLIS * 1_000_000L;
        do {
            long start = System.nanoTime();
            run();
            ns[runs++] = (double) (System.nanoTime() - start) / ROUNDS_PER_RUN;
        } while (runs < MAX_RUNS && (runs < MIN_RUNS || System.nanoTime() - end < 0));
        cell.set(SLOT, STOP);
        pong.join();
        return Arrays.copyOf(ns, runs);
    }

    /** {@value #ROUNDS_PER_RUN} round trips, from ping's side. */
    private void run() {
        for (int i = 0; i < ROUNDS_PER_RUN; i++) {
            cell.set(SLOT, next + 1);
            next += 2;
            await(next);
        }
    }

    /** Answers every odd value with the next even one, until {@link #STOP}. */
    private void pong() {
        for (long expected = 1; ; expected += 2) {
            if (!await(expected)) {
                return;
            }
            cell.set(SLOT, expected + 1);
        }
    }

    /** Spins until the counter holds {@code value} (true) or {@link #STOP} (false), yielding now and then. */
    private boolean await(long value) {
        int spins = 0;
        for (;;) {
            long v = cell.get(SLOT);
            if (v == value) {
                return true;
            }
            if (v == STOP) {
                return false;
            }
            if (++spins == SPINS_BEFORE_YIELD) {
                spins = 0;
                Thread.yield();
            }
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
