package gmpj.bench;

import gmpj.bench.JmhResults.Parsed;
import gmpj.bench.JmhResults.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns a JMH JSON result file ({@code -rf json}) into {@code docs/benchmarks.md} and a PNG chart:
 * the machine the benchmarks ran on and the JDK first, then a summary (counts of results, ratios
 * and verdicts, and how a verdict is decided), then the ratios of gmpj to each baseline measured
 * in the same run with their intervals and the project's targets, then what a second processor
 * does to a few benchmarks ({@link #SECOND_PROCESSOR}: their time at {@code procs=2} over their
 * time at {@code procs=1}, with the same interval and verdict rules), then every absolute figure,
 * then the steal-policy table from {@link UnevenWorkBench}'s secondary results.
 *
 * <p>Usage: {@code BenchReport <jmh-result.json> <benchmarks.md> <benchmarks.png> [<machine.properties>]}.
 * Runs headless. The machine file is the one {@code run-bench.sh} writes when the benchmarks start
 * (keys {@code nproc}, {@code cpu.model}, {@code memory.kb}, {@code loadavg}, {@code started},
 * {@code finished}, and {@link CrossCoreProbe}'s {@code crosscore.start.ns},
 * {@code crosscore.end.ns} and {@code crosscore.method}); without it the report says "unknown" for
 * the machine, never describing the one the report is generated on.
 * {@code BenchReport --targeted-regex} prints a regular expression matching the full names of the
 * benchmarks that some target reads, for {@code run-bench.sh} to give them more forks.
 *
 * <p>Which result is compared with which is the explicit table {@link #PAIRS}; a pair with no
 * result in the file (a benchmark not run) is left out. A target is judged on the ratio's
 * interval, not on the ratio alone: see {@link #ratioInterval} and {@link #verdict}.
 */
public final class BenchReport {
    /**
     * One comparison: a gmpj benchmark, a baseline, and an optional target for {@code gmpj / baseline}.
     * Both sides are {@code Class.method}; {@code gmpjParams} narrows the gmpj side (e.g.
     * {@code policy=go}); the baseline row is the one whose parameters all equal the gmpj row's.
     * A target compares like with like: the same work and the same way of waiting on both sides.
     */
    record Pair(String gmpj, String gmpjParams, String baseline, double target, String targetText) {
        static Pair of(String gmpj, String baseline) {
            return new Pair(gmpj, "", baseline, Double.NaN, "");
        }

        static Pair of(String gmpj, String baseline, double target, String targetText) {
            return new Pair(gmpj, "", baseline, target, targetText);
        }

        boolean hasTarget() {
            return !Double.isNaN(target);
        }
    }

    /** The comparisons, in the report's order. Targets are the project's (lower ratio = gmpj faster). */
    static final List<Pair> PAIRS = List.of(
            Pair.of("SpawnBench.gmpjFromOutside", "SpawnBench.virtualThreadsFromOutside", 0.5, "≥ 2x faster than VTs"),
            Pair.of("SpawnBench.gmpjFromInside", "SpawnBench.virtualThreadsFromInside", 0.5, "≥ 2x faster than VTs"),
            Pair.of("SpawnBench.gmpjFromOutside", "SpawnBench.forkJoinFromOutside"),
            Pair.of("SpawnBench.gmpjFromInside", "SpawnBench.forkJoinFromInside"),
            Pair.of("SpawnBench.gmpjFromOutside", "SpawnBench.platformPoolFromOutside"),
            Pair.of("SpawnBench.gmpjFromInside", "SpawnBench.platformPoolFromInside"),
            Pair.of("SkynetBench.gmpjSubmitJoin", "SkynetBench.virtualThreadsJoin", 0.5, "≥ 2x faster than VTs"),
            Pair.of("SkynetBench.gmpjWaitGroup", "SkynetBench.virtualThreadsCountDownLatch", 0.5, "≥ 2x faster than VTs"),
            Pair.of("SkynetBench.gmpjSubmitJoin", "SkynetBench.forkJoinRecursiveTask"),
            Pair.of("PingPongBench.gmpj", "PingPongBench.virtualThreads", 0.5, "≤ half of VTs' park/unpark"),
            Pair.of("PingPongBench.gmpj", "PingPongBench.platformThreads"),
            Pair.of("PingPongBench.gmpjPairs", "PingPongBench.virtualThreadsPairs"),
            Pair.of("ChanBench.pingPongGmpj", "ChanBench.pingPongVirtualThreads"),
            Pair.of("ChanBench.producerConsumerGmpj", "ChanBench.producerConsumerVirtualThreads"),
            Pair.of("ChanBench.selectReady", "ChanBench.pollTwoQueues"),
            Pair.of("YieldBench.gmpjYield", "YieldBench.rawContinuationFloor", 1.5, "within 1.5x of the floor"),
            Pair.of("YieldBench.gmpjYield", "YieldBench.virtualThreadYield"),
            Pair.of("YieldBench.gmpjTwoYieldersOneP", "YieldBench.virtualThreadTwoYielders"),
            Pair.of("YieldBench.gmpjYieldersPerProc", "YieldBench.virtualThreadYieldersPerProc"),
            Pair.of("MutexBench.uncontendedMutexOnThread", "MutexBench.uncontendedReentrantLockOnThread"),
            Pair.of("MutexBench.contendedGmpjMutex", "MutexBench.contendedReentrantLockVirtualThreads"),
            Pair.of("MutexBench.contendedGmpjMutex", "MutexBench.contendedReentrantLockPlatformPool"),
            Pair.of("SleepersBench.gmpjSleep", "SleepersBench.virtualThreadsSleep", 1.0, "faster than VTs"),
            Pair.of("WaitGroupBench.gmpjWaitGroupFanInFromOutside", "WaitGroupBench.virtualThreadsCountDownLatch",
                    1.0, "faster than VTs"),
            Pair.of("WaitGroupBench.gmpjWaitGroupFanInFromInside", "WaitGroupBench.virtualThreadsCountDownLatchFromInside",
                    1.0, "faster than VTs"),
            Pair.of("WaitGroupBench.gmpjWaitGroupFanInFromOutside", "WaitGroupBench.platformPoolCountDownLatch"),
            Pair.of("WaitGroupBench.gmpjWaitGroupFanInFromInside", "WaitGroupBench.platformPoolCountDownLatchFromInside"),
            new Pair("UnevenWorkBench.gmpj", "policy=go", "UnevenWorkBaselines.virtualThreads", Double.NaN, ""),
            new Pair("UnevenWorkBench.gmpj", "policy=go", "UnevenWorkBaselines.forkJoin", Double.NaN, ""),
            new Pair("UnevenWorkBench.gmpj", "policy=go", "UnevenWorkBaselines.platformPool", Double.NaN, ""),
            Pair.of("RtBench.gmpjSpawnManyFromInside", "RtBench.virtualThreadsSpawnManyFromInside"),
            Pair.of("RtBench.gmpjSpawnManyFromOutside", "RtBench.virtualThreadsSpawnManyFromOutside"),
            Pair.of("RtBench.gmpjPingPong", "RtBench.virtualThreadsPingPong"),
            Pair.of("RtBench.gmpjYieldMany", "RtBench.virtualThreadsYieldMany"),
            Pair.of("RtBench.gmpjChainedSpawn", "RtBench.virtualThreadsChainedSpawn"),
            new Pair("UnevenSpeedupBench.gmpj", "procs=2", "UnevenSpeedupBench.sequential", 0.513,
                    "speed-up ≥ 1.95x over one thread"),
            Pair.of("UnevenSpeedupBench.gmpj", "UnevenSpeedupBench.virtualThreads"),
            Pair.of("UnevenSpeedupBench.gmpj", "UnevenSpeedupBench.forkJoin"),
            Pair.of("UnevenSpeedupBench.gmpj", "UnevenSpeedupBench.platformPool"),
            Pair.of("HogLatencyBench.queued", "HogLatencyBench.virtualThreadsQueued"),
            Pair.of("HogLatencyBench.dueSleeper", "HogLatencyBench.virtualThreadsDueSleeper"),
            Pair.of("EchoBench.gmpj", "EchoBench.virtualThreads"),
            Pair.of("EchoBench.gmpj", "EchoBench.platformThreads"),
            Pair.of("TraceBench.yield", "TraceBench.yieldUntraced"),
            Pair.of("TraceBench.pingPong", "TraceBench.pingPongUntraced"));

    /**
     * One benchmark compared with itself at two processors and at one: the ratio {@code P2/P1},
     * its time per operation at {@code procs=2} over its time at {@code procs=1}, with an optional
     * target, an upper bound on the ratio, strict ({@code <}) or not ({@code ≤}).
     */
    record SecondProcessor(String benchmark, double target, boolean strict, String targetText) {
        static SecondProcessor of(String benchmark) {
            return new SecondProcessor(benchmark, Double.NaN, false, "");
        }

        boolean hasTarget() {
            return !Double.isNaN(target);
        }

        /** E.g. {@code < 1.0}. */
        String bound() {
            return (strict ? "< " : "≤ ") + target;
        }
    }

    /**
     * The benchmarks whose {@code procs=2 / procs=1} ratio the report shows, each gmpj one beside its
     * virtual-thread counterpart: what a second processor does to a workload that keeps a few
     * goroutines busy handing work to each other (ping-pong over parking and over channels, a
     * contended mutex), to one that has work for both (skynet), and to TCP echo on the network
     * poller. Targets are the project's.
     */
    static final List<SecondProcessor> SECOND_PROCESSOR = List.of(
            new SecondProcessor("SkynetBench.gmpjWaitGroup", 1.0, true, "faster with a second processor"),
            SecondProcessor.of("SkynetBench.virtualThreadsCountDownLatch"),
            new SecondProcessor("PingPongBench.gmpj", 1.2, false, "at most 20% slower with a second processor"),
            SecondProcessor.of("PingPongBench.virtualThreads"),
            SecondProcessor.of("ChanBench.pingPongGmpj"),
            SecondProcessor.of("ChanBench.pingPongVirtualThreads"),
            SecondProcessor.of("MutexBench.contendedGmpjMutex"),
            SecondProcessor.of("MutexBench.contendedReentrantLockVirtualThreads"),
            SecondProcessor.of("EchoBench.gmpj"),
            SecondProcessor.of("EchoBench.virtualThreads"));

    /** The parameter whose values 1 and 2 a {@link SecondProcessor} row compares. */
    static final String PROCS = "procs";

    /**
     * The range a ratio {@code gmpj / baseline} may lie in, given each score's error: {@code low}
     * and {@code high} are NaN when an error is unknown (JMH computes none from a single measured
     * iteration), and {@code high} is infinite when the baseline's interval reaches down to 0.
     */
    record Interval(double low, double high) {
        boolean known() {
            return !Double.isNaN(low) && !Double.isNaN(high);
        }

        String text() {
            if (!known()) {
                return "n/a";
            }
            return String.format(Locale.ROOT, "%.2f – %s", low,
                    Double.isInfinite(high) ? "∞" : String.format(Locale.ROOT, "%.2f", high));
        }
    }

    /** What the run says about a target. */
    enum Verdict {
        /** The pair has no target. */
        NONE(""),
        /** The whole interval is at or below the target. */
        MET("met"),
        /** The whole interval is above the target. */
        MISSED("MISSED"),
        /** The interval straddles the target: this run cannot tell. */
        WITHIN_NOISE("within noise"),
        /** A score has no error (one measured iteration): no interval to judge. */
        NO_ERROR_ESTIMATE("no error estimate");

        final String text;

        Verdict(String text) {
            this.text = text;
        }
    }

    /** A computed {@code procs=2 / procs=1} ratio: the row at one processor, the row at two. */
    record Scaling(SecondProcessor row, Result one, Result two, double value, Interval interval, Verdict verdict) {
        /** The parameters other than {@code procs}, e.g. {@code policy=go}; empty when there are none. */
        String otherParams() {
            return String.join(", ", two.params().entrySet().stream().filter(e -> !e.getKey().equals(PROCS))
                    .map(e -> e.getKey() + "=" + e.getValue()).toList());
        }

        String verdictText() {
            return verdict == Verdict.MISSED
                    ? String.format(Locale.ROOT, "MISSED by ≥ %.2fx", interval.low / row.target)
                    : verdict.text;
        }
    }

    /** A computed ratio, for the table and the chart. */
    record Ratio(Pair pair, Result gmpj, Result baseline, double value, Interval interval, Verdict verdict) {
        String label() {
            String p = gmpj.paramText();
            return shortName(pair.gmpj) + " / " + pair.baseline.substring(pair.baseline.indexOf('.') + 1)
                    + (p.isEmpty() ? "" : " [" + p + "]");
        }

        String verdictText() {
            return verdict == Verdict.MISSED
                    ? String.format(Locale.ROOT, "MISSED by ≥ %.2fx", interval.low / pair.target)
                    : verdict.text;
        }
    }

    private BenchReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("--targeted-regex")) {
            System.out.println(targetedRegex());
            return;
        }
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: BenchReport <jmh-result.json> <benchmarks.md> <benchmarks.png> [<machine.properties>]\n"
                    + "       BenchReport --targeted-regex");
            System.exit(2);
        }
        Parsed parsed = JmhResults.read(Path.of(args[0]));
        List<Result> results = parsed.results();
        Properties machine = JmhResults.machine(args.length == 4 ? Path.of(args[3]) : null);
        List<Ratio> ratios = ratios(results);
        List<Scaling> scalings = scalings(results);
        Path md = Path.of(args[1]);
        Path png = Path.of(args[2]);
        if (md.toAbsolutePath().getParent() != null) {
            Files.createDirectories(md.toAbsolutePath().getParent());
        }
        Files.writeString(md, markdown(parsed.first(), machine, results, ratios, scalings, png, md));
        RatioChart.draw("gmpj time / baseline time (log scale; left of 1 = gmpj faster)",
                ratios.stream().map(r -> new RatioChart.Bar(r.label(), r.value, r.interval, r.pair.target)).toList(), true,
                png);
        System.out.printf("BenchReport: %s; second processor: %s -> %s, %s%n", counts(results, ratios),
                secondProcessorCounts(scalings), md, png);
    }

    // ------------------------------------------------------------------ verdicts

    /**
     * The interval of {@code g / b} when the score {@code g} may be anywhere in {@code g ± eg} and
     * {@code b} in {@code b ± eb} (JMH's {@code scoreError}: the half-width of the score's 99.9%
     * confidence interval over every measured iteration of every fork): from
     * {@code (g - eg) / (b + eb)} (at least 0) to {@code (g + eg) / (b - eb)}, infinite when
     * {@code b - eb <= 0}. Taking both intervals' extremes together makes it wider than a 99.9%
     * interval of the ratio itself: a verdict drawn from it errs on the side of "within noise".
     */
    static Interval ratioInterval(double g, double eg, double b, double eb) {
        if (Double.isNaN(eg) || Double.isNaN(eb)) {
            return new Interval(Double.NaN, Double.NaN);
        }
        if (!(g > 0) || !(b > 0) || eg < 0 || eb < 0) {
            throw new IllegalArgumentException("scores must be > 0 and errors >= 0: gmpj " + g + " ± " + eg
                    + ", baseline " + b + " ± " + eb);
        }
        double low = Math.max(0, g - eg) / (b + eb);
        double high = b - eb <= 0 ? Double.POSITIVE_INFINITY : (g + eg) / (b - eb);
        return new Interval(low, high);
    }

    /**
     * The verdict on a target, an upper bound on {@code gmpj / baseline}: met only when the whole
     * interval is at or below it, missed only when the whole interval is above it, within noise
     * when the interval straddles it.
     */
    static Verdict verdict(Interval interval, double target) {
        return verdict(interval, target, false);
    }

    /**
     * As {@link #verdict(Interval, double)}, for a target that is a strict upper bound when
     * {@code strict}: then met only when the whole interval is below it, missed when the whole
     * interval is at or above it.
     */
    static Verdict verdict(Interval interval, double target, boolean strict) {
        if (Double.isNaN(target)) {
            return Verdict.NONE;
        }
        if (!interval.known()) {
            return Verdict.NO_ERROR_ESTIMATE;
        }
        if (strict ? interval.high < target : interval.high <= target) {
            return Verdict.MET;
        }
        if (strict ? interval.low >= target : interval.low > target) {
            return Verdict.MISSED;
        }
        return Verdict.WITHIN_NOISE;
    }

    /**
     * {@code gmpj\.bench\.(?:A\.x|B\.y|...)}: the full JMH names of the benchmarks on either side of
     * a pair with a target, and of those whose {@code procs=2 / procs=1} ratio has one, sorted, for
     * {@code run-bench.sh} to anchor and give more forks.
     */
    static String targetedRegex() {
        Set<String> names = new TreeSet<>();
        for (Pair p : PAIRS) {
            if (p.hasTarget()) {
                names.add(p.gmpj);
                names.add(p.baseline);
            }
        }
        for (SecondProcessor p : SECOND_PROCESSOR) {
            if (p.hasTarget()) {
                names.add(p.benchmark);
            }
        }
        return JmhResults.PACKAGE.replace(".", "\\.") + "(?:" + String.join("|", names.stream().map(n -> n.replace(".", "\\.")).toList())
                + ")";
    }

    // ------------------------------------------------------------------ results

    private static List<Ratio> ratios(List<Result> results) {
        List<Ratio> out = new ArrayList<>();
        for (Pair pair : PAIRS) {
            for (Result g : results) {
                if (!g.name().equals(pair.gmpj) || !matches(g.params(), pair.gmpjParams)) {
                    continue;
                }
                for (Result b : results) {
                    if (b.name().equals(pair.baseline) && b.unit().equals(g.unit()) && sameWhereShared(g.params(), b.params())) {
                        Interval interval = ratioInterval(g.score(), g.error(), b.score(), b.error());
                        out.add(new Ratio(pair, g, b, g.score() / b.score(), interval, verdict(interval, pair.target)));
                    }
                }
            }
        }
        return out;
    }

    /**
     * For each benchmark of {@link #SECOND_PROCESSOR}, every result at {@code procs=2} that has a
     * result at {@code procs=1} with the same unit and the same other parameters: the ratio of the
     * first's time to the second's, with the interval and verdict rules of the gmpj / baseline
     * ratios (the {@code procs=2} score in the numerator's place).
     */
    static List<Scaling> scalings(List<Result> results) {
        List<Scaling> out = new ArrayList<>();
        for (SecondProcessor row : SECOND_PROCESSOR) {
            for (Result two : results) {
                if (!two.name().equals(row.benchmark) || !"2".equals(two.params().get(PROCS))) {
                    continue;
                }
                for (Result one : results) {
                    if (one.name().equals(row.benchmark) && one.unit().equals(two.unit())
                            && withProcs(two.params(), "1").equals(one.params())) {
                        Interval interval = ratioInterval(two.score(), two.error(), one.score(), one.error());
                        out.add(new Scaling(row, one, two, two.score() / one.score(), interval,
                                verdict(interval, row.target, row.strict)));
                    }
                }
            }
        }
        return out;
    }

    /** {@code params} with {@code procs} set to {@code procs}. */
    private static Map<String, String> withProcs(Map<String, String> params, String procs) {
        Map<String, String> out = new TreeMap<>(params);
        out.put(PROCS, procs);
        return out;
    }

    private static boolean matches(Map<String, String> params, String filter) {
        if (filter.isEmpty()) {
            return true;
        }
        String[] kv = filter.split("=", 2);
        return kv[1].equals(params.get(kv[0]));
    }

    /** The baseline's parameters all appear, with the same values, among the gmpj row's. */
    private static boolean sameWhereShared(Map<String, String> gmpj, Map<String, String> baseline) {
        for (var e : baseline.entrySet()) {
            if (!e.getValue().equals(gmpj.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** E.g. {@code 78 results, 50 ratios, 16 with a target: 3 met, 2 missed, 11 within noise}. */
    private static String counts(List<Result> results, List<Ratio> ratios) {
        return results.size() + " results, " + verdictCounts(ratios.stream().map(Ratio::verdict).toList());
    }

    /** E.g. {@code 8 ratios, 2 with a target: 1 met, 0 missed, 1 within noise}. */
    private static String secondProcessorCounts(List<Scaling> scalings) {
        return verdictCounts(scalings.stream().map(Scaling::verdict).toList());
    }

    /** E.g. {@code 50 ratios, 16 with a target: 3 met, 2 missed, 11 within noise}. */
    private static String verdictCounts(List<Verdict> verdicts) {
        Map<Verdict, Integer> byKind = new EnumMap<>(Verdict.class);
        for (Verdict v : verdicts) {
            byKind.merge(v, 1, Integer::sum);
        }
        int targeted = verdicts.size() - byKind.getOrDefault(Verdict.NONE, 0);
        List<String> kinds = new ArrayList<>();
        for (Verdict v : Verdict.values()) {
            if (v != Verdict.NONE && (byKind.containsKey(v) || v != Verdict.NO_ERROR_ESTIMATE)) {
                kinds.add(byKind.getOrDefault(v, 0) + " " + v.text.toLowerCase(Locale.ROOT));
            }
        }
        return verdicts.size() + " ratios, " + targeted + " with a target: " + String.join(", ", kinds);
    }

    // ------------------------------------------------------------------ markdown

    private static String markdown(Map<String, Object> first, Properties machine, List<Result> results, List<Ratio> ratios,
                           List<Scaling> scalings, Path png, Path md) {
        StringBuilder sb = new StringBuilder();
        sb.append("# gmpj benchmarks\n\n");
        sb.append("Generated by `scheduler-bench/run-bench.sh` (`gmpj.bench.BenchReport`) from a JMH JSON result file. ")
                .append("Every ratio compares two results of the same run: on this noisy machine only such side-by-side ")
                .append("figures mean anything (see the notes in `docs/`).\n\n");
        sb.append("## Machine and JDK (where and when the benchmarks ran)\n\n");
        sb.append("| | |\n|---|---|\n");
        JmhResults.machineRows(sb, machine);
        JmhResults.crossCoreRow(sb, machine);
        sb.append("| JDK | ").append(JmhResults.jdk(first)).append(" |\n");
        sb.append("| JMH | ").append(first.get("jmhVersion")).append("; ").append(settings(results)).append(" |\n");
        sb.append("| JVM flags | `").append(JmhResults.jvmFlags(first)).append("` |\n\n");

        sb.append("## Summary\n\n");
        sb.append(counts(results, ratios)).append(". Second processor (procs=2 / procs=1): ")
                .append(secondProcessorCounts(scalings)).append(".\n\n");
        sb.append("A target is an upper bound on the ratio gmpj / baseline. Each score carries JMH's error: the ")
                .append("half-width of its 99.9% confidence interval, over every measured iteration of every fork. ")
                .append("The ratio's interval runs from (gmpj − error) / (baseline + error) to ")
                .append("(gmpj + error) / (baseline − error), unbounded above when the baseline's error reaches 0; ")
                .append("taking both scores' extremes together makes it wider than a 99.9% interval of the ratio. ")
                .append("A target is **met** only when the whole interval is at or below it, **MISSED** only when ")
                .append("the whole interval is above it (by at least the interval's low end / target), and ")
                .append("**within noise** when the interval straddles it: the run cannot tell. ")
                .append("A score measured in one iteration has no error, so its ratio gets **no error estimate**. ")
                .append("`run-bench.sh full` runs the benchmarks a target reads in more forks than the rest, to ")
                .append("narrow their intervals; this run's forks: ").append(forks(results)).append(".\n\n");

        sb.append("## Ratios: gmpj / baseline (time per operation; below 1 means gmpj is faster)\n\n");
        Path rel = md.toAbsolutePath().getParent() == null ? png.getFileName()
                : md.toAbsolutePath().getParent().relativize(png.toAbsolutePath());
        sb.append("![gmpj / baseline ratios](").append(rel.toString().replace('\\', '/')).append(")\n\n");
        sb.append("| gmpj | baseline | params | gmpj | baseline | ratio | interval | target | verdict |\n");
        sb.append("|---|---|---|--:|--:|--:|--:|---|---|\n");
        for (Ratio r : ratios) {
            sb.append("| ").append(r.pair.gmpj).append(pair(r.pair.gmpjParams)).append(" | ").append(r.pair.baseline)
                    .append(" | ").append(r.gmpj.paramText())
                    .append(" | ").append(r.gmpj.scoreText())
                    .append(" | ").append(r.baseline.scoreText())
                    .append(" | **").append(String.format(Locale.ROOT, "%.2f", r.value)).append("**")
                    .append(" | ").append(r.interval.text())
                    .append(" | ").append(r.pair.hasTarget() ? r.pair.targetText + " (≤ " + r.pair.target + ")" : "")
                    .append(" | ").append(r.verdictText()).append(" |\n");
        }
        secondProcessorTable(sb, scalings);
        sb.append("\n## Absolute numbers\n\n");
        absoluteTable(sb, results);
        stealTable(sb, results);
        causeTable(sb, results);
        return sb.toString();
    }

    /** The {@code procs=2 / procs=1} rows, with their intervals and targets. */
    private static void secondProcessorTable(StringBuilder sb, List<Scaling> scalings) {
        sb.append("\n## Second processor: procs=2 / procs=1 (time per operation at 2 processors over time at 1; ")
                .append("below 1 means the second processor helped)\n\n");
        if (scalings.isEmpty()) {
            sb.append("No benchmark of this table ran at both procs=1 and procs=2.\n");
            return;
        }
        sb.append("The interval and the verdict follow the rules above, with the procs=2 score in gmpj's place and ")
                .append("the procs=1 score in the baseline's.\n\n");
        sb.append("| benchmark | params | procs=1 | procs=2 | P2/P1 | interval | target | verdict |\n");
        sb.append("|---|---|--:|--:|--:|--:|---|---|\n");
        for (Scaling s : scalings) {
            sb.append("| ").append(s.row.benchmark).append(" | ").append(s.otherParams())
                    .append(" | ").append(s.one.scoreText())
                    .append(" | ").append(s.two.scoreText())
                    .append(" | **").append(String.format(Locale.ROOT, "%.2f", s.value)).append("**")
                    .append(" | ").append(s.interval.text())
                    .append(" | ").append(s.row.hasTarget() ? s.row.targetText + " (" + s.row.bound() + ")" : "")
                    .append(" | ").append(s.verdictText()).append(" |\n");
        }
    }

    /** Every result as JMH gave it: benchmark, parameters, mode, forks, score, error and unit. */
    static void absoluteTable(StringBuilder sb, List<Result> results) {
        sb.append("| benchmark | params | mode | forks | score | ± error (99.9%) | unit |\n|---|---|---|--:|--:|--:|---|\n");
        for (Result r : results) {
            sb.append("| ").append(r.name()).append(" | ").append(r.paramText()).append(" | ").append(r.mode())
                    .append(" | ").append(r.forks())
                    .append(" | ").append(JmhResults.fmt(r.score())).append(" | ").append(Double.isNaN(r.error()) ? "" : JmhResults.fmt(r.error()))
                    .append(" | ").append(r.unit()).append(" |\n");
        }
    }

    /** The JMH settings and how many results ran with each, e.g. {@code forks 3, warm-up 3 × 1 s, ...: 34 results}. */
    static String settings(List<Result> results) {
        Map<String, Integer> count = new LinkedHashMap<>();
        results.stream().sorted(Comparator.comparingInt(Result::forks).reversed())
                .forEach(r -> count.merge("forks " + r.forks() + ", " + r.iterations(), 1, Integer::sum));
        return String.join("; ", count.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()
                + (e.getValue() == 1 ? " result" : " results")).toList());
    }

    /** E.g. {@code 3 for the 34 results a target reads, 1 for the other 44}. */
    private static String forks(List<Result> results) {
        Pattern targeted = Pattern.compile(targetedRegex());
        Set<Integer> forTargeted = new TreeSet<>();
        Set<Integer> forOthers = new TreeSet<>();
        int nTargeted = 0;
        for (Result r : results) {
            if (targeted.matcher(JmhResults.PACKAGE + r.name()).matches()) {
                forTargeted.add(r.forks());
                nTargeted++;
            } else {
                forOthers.add(r.forks());
            }
        }
        return forksText(forTargeted) + " for the " + nTargeted + " results a target reads, " + forksText(forOthers)
                + " for the other " + (results.size() - nTargeted);
    }

    private static String forksText(Set<Integer> forks) {
        return forks.isEmpty() ? "none" : String.join(" or ", forks.stream().map(String::valueOf).toList());
    }

    private static String pair(String params) {
        return params.isEmpty() ? "" : " (" + params + ")";
    }

    /** Policy × workload: time, and steals and goroutines stolen per invocation, with the baselines under them. */
    private static void stealTable(StringBuilder sb, List<Result> results) {
        List<Result> policies = results.stream().filter(r -> r.name().equals("UnevenWorkBench.gmpj")).toList();
        List<Result> baselines = results.stream().filter(r -> r.name().startsWith("UnevenWorkBaselines.")).toList();
        if (policies.isEmpty() && baselines.isEmpty()) {
            return;
        }
        sb.append("\n## Steal policies: uneven work (").append(UnevenWork.TASKS).append(" CPU-bound tasks from one goroutine, ")
                .append("the first half ").append(UnevenWork.HEAVY_FACTOR).append("x heavier)\n\n");
        sb.append("| runtime / policy | procs | time per invocation | steals per invocation | goroutines stolen per invocation |\n");
        sb.append("|---|--:|--:|--:|--:|\n");
        for (Result r : policies) {
            double inv = r.secondary().getOrDefault("invocations", Double.NaN);
            sb.append("| gmpj, ").append(r.params().get("policy")).append(" | ").append(r.params().get("procs"))
                    .append(" | ").append(r.scoreText())
                    .append(" | ").append(perInvocation(r.secondary().get("steals"), inv))
                    .append(" | ").append(perInvocation(r.secondary().get("stolen"), inv)).append(" |\n");
        }
        for (Result r : baselines) {
            sb.append("| ").append(shortName(r.name())).append(" | ").append(r.params().get("procs"))
                    .append(" | ").append(r.scoreText())
                    .append(" | n/a | n/a |\n");
        }
    }

    /**
     * The scheduler's counters per invocation ({@link CauseCounters}) of every gmpj benchmark that
     * records them: what the second processor costs, by cause.
     */
    static void causeTable(StringBuilder sb, List<Result> results) {
        List<Result> rows = results.stream().filter(r -> r.secondary().containsKey("futileWakeups")).toList();
        if (rows.isEmpty()) {
            return;
        }
        sb.append("\n## What the second processor costs, by cause (scheduler counters per invocation)\n\n");
        sb.append("Read from `Scheduler.stats()` around each measured invocation (`CauseCounters`). Wake-ups: idle ")
                .append("carriers woken (futile: woken to look for work, found none). Runnext steals: a busy processor's ")
                .append("just-readied goroutine taken by a thief; spared: left to its switching processor. Lingers: naps ")
                .append("of a spinning carrier waiting for such a processor instead of going idle. Cross readies: unparks ")
                .append("from goroutine code of a goroutine that last ran on another carrier.\n\n");
        sb.append("| benchmark | procs | time per operation | wake-ups (futile) | steals (of runnext) | runnext spared | lingers "
                + "| cross readies | global takes |\n");
        sb.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (Result r : rows) {
            Map<String, Double> c = r.secondary();
            double inv = c.getOrDefault("invocations", Double.NaN);
            sb.append("| ").append(r.name()).append(" | ").append(r.params().getOrDefault("procs", ""))
                    .append(" | ").append(r.scoreText())
                    .append(" | ").append(perInvocation(c.get("wakeups"), inv)).append(" (")
                    .append(perInvocation(c.get("futileWakeups"), inv)).append(')')
                    .append(" | ").append(perInvocation(c.get("steals"), inv)).append(" (")
                    .append(perInvocation(c.get("runnextSteals"), inv)).append(')')
                    .append(" | ").append(perInvocation(c.get("runnextSpared"), inv))
                    .append(" | ").append(perInvocation(c.get("lingers"), inv))
                    .append(" | ").append(perInvocation(c.get("crossReadies"), inv))
                    .append(" | ").append(perInvocation(c.get("globalTakes"), inv)).append(" |\n");
        }
    }

    private static String perInvocation(Double total, double invocations) {
        if (total == null || Double.isNaN(invocations) || invocations == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.1f", total / invocations);
    }

    private static String shortName(String name) {
        return name.startsWith("UnevenWorkBaselines.") ? name.substring(name.indexOf('.') + 1) : name;
    }
}
