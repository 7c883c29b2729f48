package gmpj.bench;

import gmpj.bench.BenchReport.Interval;
import gmpj.bench.JmhResults.Parsed;
import gmpj.bench.JmhResults.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns the runs of {@code compare-jars.sh}, the same benchmarks from an old and a new
 * {@code benchmarks.jar} in alternating forks, into a markdown report: per benchmark and
 * parameters, the median over forks of each side, new / old, that ratio's interval and, at one
 * processor, a verdict.
 *
 * <p>Usage: {@code CompareReport <runs folder> <compare.md>}. The folder holds one JMH JSON result
 * per fork and side, named {@code old-f<fork>-<anything>.json} or {@code new-f<fork>-<anything>.json}
 * (each from a JMH run with {@code -f 1}, so its score is that fork's mean over its measured
 * iterations), and {@code compare.properties}: the machine keys the scripts write (see
 * {@link JmhResults#machineRows}) and {@code old}, {@code new} (what each side was built from) and
 * {@code jmh.args}.
 *
 * <p>The interval is for the median of the paired ratios {@code new_i / old_i}, fork {@code i} of
 * each side having run one after the other: the distribution-free interval of a median (the sign
 * test's), between two order statistics of the paired ratios, the widest pair whose coverage is
 * still at least {@value #COVERAGE} (see {@link #medianInterval}); with 5 forks that is the
 * smallest to the largest ratio, covering 93.75 %. A verdict reads the interval against a band of
 * ±{@value #BAND_PERCENT} %: see {@link #verdict}.
 */
public final class CompareReport {
    /** The least coverage asked of a median's interval when there are forks enough to give it. */
    static final double COVERAGE = 0.90;
    /** How far from 1 a ratio may be and still count as no change, in percent. */
    static final int BAND_PERCENT = 5;

    private static final Pattern RUN_FILE = Pattern.compile("(old|new)-f(\\d+)-.*\\.json");

    /** An interval and how often such an interval covers the true median: 0.9375 for [min, max] of 5. */
    record MedianInterval(Interval interval, double coverage) {}

    /** One benchmark with one set of parameters: each side's score by fork. */
    record Row(String name, String params, String mode, String unit, Map<Integer, Double> old,
               Map<Integer, Double> neu) {}

    private CompareReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CompareReport <runs folder> <compare.md>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Path md = Path.of(args[1]);
        Map<String, Row> rows = new TreeMap<>();
        Map<String, Object> first = null;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> RUN_FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds no run files (old-f<fork>-*.json, new-f<fork>-*.json)");
        }
        for (Path f : files) {
            Matcher m = RUN_FILE.matcher(f.getFileName().toString());
            m.matches();
            boolean old = m.group(1).equals("old");
            int fork = Integer.parseInt(m.group(2));
            Parsed parsed = JmhResults.read(f);
            if (first == null) {
                first = parsed.first();
            }
            for (Result r : parsed.results()) {
                Row row = rows.computeIfAbsent(r.name() + " " + r.paramText(),
                        k -> new Row(r.name(), r.paramText(), r.mode(), r.unit(), new TreeMap<>(), new TreeMap<>()));
                (old ? row.old : row.neu).put(fork, r.score());
            }
        }
        Properties props = JmhResults.machine(dir.resolve("compare.properties"));
        if (md.toAbsolutePath().getParent() != null) {
            Files.createDirectories(md.toAbsolutePath().getParent());
        }
        String text = markdown(first, props, new ArrayList<>(rows.values()));
        Files.writeString(md, text);
        System.out.printf("CompareReport: %s -> %s%n", summary(new ArrayList<>(rows.values())), md);
    }

    // ------------------------------------------------------------------ statistics

    /** The median of {@code values} (the mean of the middle two for an even count). */
    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /**
     * The distribution-free interval for the median of the population {@code values} come from:
     * the {@code k}-th smallest to the {@code k}-th largest, which misses the median only when at
     * least {@code n - k + 1} values fall on one side of it, so it covers the median with
     * probability {@code 1 - 2 P(B <= k - 1)}, B binomial(n, 1/2). Takes the largest {@code k} whose
     * coverage is at least {@link #COVERAGE}; with fewer than 5 values no {@code k} reaches it, and
     * the interval is the smallest to the largest value, with its lower coverage (87.5 % for 4, 75 %
     * for 3, 50 % for 2, 0 for 1).
     */
    static MedianInterval medianInterval(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the interval of a median of no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        int k = 1;
        while (k + 1 <= (n + 1) / 2 && coverage(n, k + 1) >= COVERAGE) {
            k++;
        }
        return new MedianInterval(new Interval(v[k - 1], v[n - k]), coverage(n, k));
    }

    /** {@code 1 - 2 P(B <= k - 1)} for B binomial(n, 1/2): the coverage of the k-th order statistics' interval. */
    static double coverage(int n, int k) {
        double tail = 0;
        double c = 1; // n choose i
        for (int i = 0; i <= k - 1; i++) {
            tail += c;
            c = c * (n - i) / (i + 1);
        }
        return Math.max(0, 1 - 2 * tail / Math.pow(2, n));
    }

    // ------------------------------------------------------------------ verdicts

    /** Whether a higher score means slower: JMH's time modes; throughput ({@code thrpt}) is the other way. */
    static boolean higherIsSlower(String mode) {
        return !mode.equals("thrpt");
    }

    /**
     * The verdict on {@code new / old} at one processor. Read as a factor of time (the ratio
     * itself for a time per operation, its reciprocal for a throughput): "within 5 %" when the
     * whole interval lies in [0.95, 1.05]; "slower by X %" when it lies wholly above 1.05 and
     * "faster by X %" when wholly below 0.95, X from the ratio itself; otherwise "inconclusive",
     * with the range of change the interval allows. A missing interval (one fork) is inconclusive.
     */
    static String verdict(double ratio, Interval interval, String mode) {
        double band = BAND_PERCENT / 100.0;
        double factor = higherIsSlower(mode) ? ratio : 1 / ratio;
        Interval f = higherIsSlower(mode) ? interval : ScalingReport.invert(interval);
        if (!f.known()) {
            return "inconclusive: no interval";
        }
        if (f.low() >= 1 - band && f.high() <= 1 + band) {
            return "within " + BAND_PERCENT + " %";
        }
        if (f.low() > 1 + band) {
            return String.format(Locale.ROOT, "**slower by %.0f %%** (at least %.0f %%)", 100 * (factor - 1), 100 * (f.low() - 1));
        }
        if (f.high() < 1 - band) {
            return String.format(Locale.ROOT, "faster by %.0f %% (at least %.0f %%)", 100 * (1 - factor), 100 * (1 - f.high()));
        }
        return String.format(Locale.ROOT, "inconclusive: %s to %s", change(f.low()), change(f.high()));
    }

    /** A time factor as a change: {@code 3 % faster}, {@code 8 % slower}, {@code no change}. */
    private static String change(double factor) {
        if (Double.isInfinite(factor)) {
            return "unboundedly slower";
        }
        long pct = Math.round(100 * (factor - 1));
        return pct == 0 ? "no change" : Math.abs(pct) + (pct < 0 ? " % faster" : " % slower");
    }

    /** The processor count of a row's parameters: its {@code procs}, or 1 for a benchmark that takes none. */
    static int procs(String params) {
        for (String kv : params.split(", ")) {
            if (kv.startsWith("procs=")) {
                return Integer.parseInt(kv.substring("procs=".length()));
            }
        }
        return 1;
    }

    /** One row's figures: medians, ratio, the interval of the paired ratios, and the verdict. */
    record Figures(int pairs, double oldMedian, double newMedian, double ratio, MedianInterval interval,
                   String verdict) {}

    static Figures figures(Row row) {
        List<Double> paired = new ArrayList<>();
        row.old.forEach((fork, o) -> {
            Double n = row.neu.get(fork);
            if (n != null) {
                paired.add(n / o);
            }
        });
        double oldMedian = median(row.old.values().stream().mapToDouble(Double::doubleValue).toArray());
        double newMedian = median(row.neu.values().stream().mapToDouble(Double::doubleValue).toArray());
        double ratio = newMedian / oldMedian;
        MedianInterval mi = paired.isEmpty() ? new MedianInterval(new Interval(Double.NaN, Double.NaN), 0)
                : medianInterval(paired.stream().mapToDouble(Double::doubleValue).toArray());
        int procs = procs(row.params);
        String verdict = procs == 1 ? verdict(ratio, mi.interval, row.mode) : "reported only (procs=" + procs + ")";
        return new Figures(paired.size(), oldMedian, newMedian, ratio, mi, verdict);
    }

    // ------------------------------------------------------------------ markdown

    private static String summary(List<Row> rows) {
        Map<String, Integer> n = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.old.isEmpty() || r.neu.isEmpty()) {
                n.merge("on one side only", 1, Integer::sum);
                continue;
            }
            String v = figures(r).verdict.replace("**", "");
            n.merge(v.startsWith("slower") ? "slower" : v.startsWith("faster") ? "faster"
                    : v.startsWith("inconclusive") ? "inconclusive" : v.startsWith("reported") ? "reported only" : v,
                    1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        n.forEach((k, v) -> parts.add(v + " " + k));
        return rows.size() + (rows.size() == 1 ? " benchmark row: " : " benchmark rows: ") + String.join(", ", parts);
    }

    private static String markdown(Map<String, Object> first, Properties props, List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("# gmpj: old against new benchmarks.jar\n\n");
        sb.append("Generated by `scheduler-bench/compare-jars.sh` (`gmpj.bench.CompareReport`).\n\n");
        sb.append("| | |\n|---|---|\n");
        sb.append("| old | ").append(JmhResults.field(props, "old")).append(" |\n");
        sb.append("| new | ").append(JmhResults.field(props, "new")).append(" |\n");
        JmhResults.machineRows(sb, props);
        sb.append("| JDK | ").append(JmhResults.jdk(first)).append(" |\n");
        sb.append("| JMH | ").append(first.get("jmhVersion")).append("; ").append(JmhResults.field(props, "jmh.args"))
                .append(", one fork per JMH run |\n\n");
        sb.append("## Summary\n\n").append(summary(rows)).append(".\n\n");
        sb.append("The two jars ran interleaved: for each benchmark, old fork 1, new fork 1, old fork 2, new fork 2 ")
                .append("and so on, so that drift of the machine (load, heat, other work) reaches both sides alike. ")
                .append("A fork's score is JMH's mean over its measured iterations; each side's figure is the median ")
                .append("of its forks, and new / old is the ratio of the two medians. The interval is for the median ")
                .append("of the paired ratios new_i / old_i (fork i of each side, run one after the other): the ")
                .append("distribution-free (sign-test) interval between two order statistics of those ratios, the ")
                .append("narrowest with a coverage of at least ").append(Math.round(COVERAGE * 100))
                .append(" % (with 5 forks: the smallest to the largest ratio, 93.75 %), its coverage beside it. ")
                .append("At one processor (`procs=1`, or a benchmark without `procs`) the verdict is **within ")
                .append(BAND_PERCENT).append(" %** when the whole interval lies within ±").append(BAND_PERCENT)
                .append(" % of 1, **slower** or **faster** when it lies wholly beyond, and **inconclusive** ")
                .append("otherwise (more forks narrow it); rows with more processors are reported without one.\n\n");
        sb.append("| benchmark | params | forks (old / new) | old median | new median | new / old | interval (coverage) | verdict |\n");
        sb.append("|---|---|--:|--:|--:|--:|--:|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.name).append(" | ").append(r.params).append(" | ").append(r.old.size()).append(" / ")
                    .append(r.neu.size()).append(" | ");
            if (r.old.isEmpty() || r.neu.isEmpty()) {
                sb.append(r.old.isEmpty() ? "n/a" : medianText(r.old, r.unit)).append(" | ")
                        .append(r.neu.isEmpty() ? "n/a" : medianText(r.neu, r.unit))
                        .append(" | n/a | n/a | only in the ").append(r.old.isEmpty() ? "new" : "old").append(" jar |\n");
                continue;
            }
            Figures f = figures(r);
            sb.append(JmhResults.fmt(f.oldMedian)).append(' ').append(r.unit).append(" | ")
                    .append(JmhResults.fmt(f.newMedian)).append(' ').append(r.unit).append(" | **")
                    .append(String.format(Locale.ROOT, "%.3f", f.ratio)).append("** | ")
                    .append(f.interval.interval().known() ? String.format(Locale.ROOT, "%.3f – %.3f (%.1f %%)",
                            f.interval.interval().low(), f.interval.interval().high(), 100 * f.interval.coverage()) : "n/a")
                    .append(" | ").append(f.verdict).append(" |\n");
        }
        sb.append("\n## Every fork\n\n| benchmark | params | side | scores by fork |\n|---|---|---|---|\n");
        for (Row r : rows) {
            for (boolean old : new boolean[] {true, false}) {
                Map<Integer, Double> m = old ? r.old : r.neu;
                sb.append("| ").append(r.name).append(" | ").append(r.params).append(" | ").append(old ? "old" : "new")
                        .append(" | ").append(String.join(", ", m.entrySet().stream()
                                .map(e -> e.getKey() + ": " + JmhResults.fmt(e.getValue())).toList()))
                        .append(' ').append(r.unit).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String medianText(Map<Integer, Double> scores, String unit) {
        return JmhResults.fmt(median(scores.values().stream().mapToDouble(Double::doubleValue).toArray())) + " " + unit;
    }
}
