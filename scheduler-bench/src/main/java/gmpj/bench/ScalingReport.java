package gmpj.bench;

import gmpj.bench.BenchReport.Interval;
import gmpj.bench.BenchReport.Verdict;
import gmpj.bench.JmhResults.Parsed;
import gmpj.bench.JmhResults.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns the JMH result of the procs-scaling suite ({@code run-scaling.sh}) into
 * {@code scaling.md} and two PNG charts: for each {@link #WORKLOADS workload}, gmpj's and JDK
 * virtual threads' throughput at every processor count that ran, each runtime's speed-up over its
 * own throughput at 1, and gmpj / virtual threads, with intervals; then verdicts on the two
 * scaling targets: {@value #TARGET_SPEED_UP}× the throughput of 1 processor at
 * {@value #TARGET_PROCS} (skynet and uneven work), and gmpj at least as fast as virtual threads at
 * every count.
 *
 * <p>Usage: {@code ScalingReport <result.json> <scaling.md> <scaling.png> <machine.properties>}
 * (the ratio chart goes beside the first PNG, as {@code <name>-ratios.png});
 * {@code ScalingReport --workloads} prints one line per workload, {@code key regex [JMH arguments]},
 * for the script to run each in its own JMH invocation. The machine file is the one the script
 * writes when the benchmarks start; its {@code nproc} decides which rows are oversubscribed (more
 * processors than cores: a smoke test of the code, not a measure of scaling, so no verdict), and
 * its {@code note}, if any, heads the report.
 *
 * <p>Every workload does the same total work at every count, so its throughput (work per second,
 * the reciprocal of JMH's time per operation) rises with processors only as far as the runtime
 * lets them work apart. Intervals and verdicts follow {@link BenchReport}'s rule, on the ratio of
 * the two times: see {@link #judge}. Runs on a Java runtime without {@code java.desktop} (the
 * device bundle of {@code package-device.sh}): there it writes the markdown and says that the
 * charts are left for {@code run-scaling.sh report} to draw from the JSON.
 */
public final class ScalingReport {
    /**
     * One workload: the gmpj benchmark and the virtual-thread benchmark that do the same work,
     * what one operation of their score is, and whether the speed-up target applies.
     *
     * @param key            the name the script and the report use
     * @param title          the report's heading for it
     * @param gmpj           {@code Class.method} of the gmpj side
     * @param gmpjParams     {@code name=value} the gmpj side is run with besides {@code procs}, or ""
     * @param virtualThreads {@code Class.method} of the virtual-thread side
     * @param op             what one operation is, for "per second" ("task", "tree", ...)
     * @param speedUpTarget  whether the {@value #TARGET_SPEED_UP}× target at {@value #TARGET_PROCS} applies
     */
    record Workload(String key, String title, String gmpj, String gmpjParams, String virtualThreads, String op,
                    boolean speedUpTarget) {
        /** The JMH regex that selects both sides, anchored. */
        String regex() {
            return "^" + JmhResults.PACKAGE.replace(".", "\\.") + "(?:" + gmpj.replace(".", "\\.") + "|"
                    + virtualThreads.replace(".", "\\.") + ")$";
        }

        /** The JMH arguments that fix {@link #gmpjParams} (e.g. {@code -p policy=go}), or "". */
        String jmhArgs() {
            return gmpjParams.isEmpty() ? "" : "-p " + gmpjParams;
        }
    }

    /** The suite, in the order it runs and is reported: the two with a speed-up target first. */
    static final List<Workload> WORKLOADS = List.of(
            new Workload("skynet", "Skynet: a tree of 1,111,111 goroutines, one wait for all children per node",
                    "SkynetBench.gmpjWaitGroup", "", "SkynetBench.virtualThreadsCountDownLatch", "tree", true),
            new Workload("uneven", "Uneven work: " + UnevenWork.TASKS + " CPU-bound tasks from one goroutine, the first half "
                    + UnevenWork.HEAVY_FACTOR + "x heavier (gmpj: Go's steal policy)",
                    "UnevenWorkBench.gmpj", "policy=go", "UnevenWorkBaselines.virtualThreads", "run", true),
            new Workload("spawn", "Spawn: one goroutine starts " + String.format(Locale.ROOT, "%,d", SpawnBench.TASKS)
                    + " empty ones", "SpawnBench.gmpjFromInside", "", "SpawnBench.virtualThreadsFromInside", "task", false),
            new Workload("yield", "Yield: " + YieldBench.YIELDERS_PER_PROC + " yielders per processor share "
                    + String.format(Locale.ROOT, "%,d", YieldBench.SPREAD_YIELDS) + " yields",
                    "YieldBench.gmpjYieldersPerProc", "", "YieldBench.virtualThreadYieldersPerProc", "yield", false),
            new Workload("pingpong", "Ping-pong pairs: one pair per processor, sharing "
                    + String.format(Locale.ROOT, "%,d", PingPongBench.PAIR_ROUNDS) + " round trips (park/unpark)",
                    "PingPongBench.gmpjPairs", "", "PingPongBench.virtualThreadsPairs", "round trip", false));

    /** The processor count of the speed-up target. */
    static final int TARGET_PROCS = 16;
    /** The speed-up over 1 processor that the target asks for at {@link #TARGET_PROCS}. */
    static final double TARGET_SPEED_UP = 10;

    /** What a verdict can say: {@link BenchReport}'s four, and three that are no verdict at all. */
    enum Status {
        MET("met"),
        MISSED("MISSED"),
        WITHIN_NOISE("within noise"),
        NO_ERROR_ESTIMATE("no error estimate"),
        /** More processors than the machine has cores. */
        OVERSUBSCRIBED("oversubscribed: a smoke test, not a verdict"),
        /** The machine file gave no core count, so oversubscription cannot be ruled out. */
        CORES_UNKNOWN("no verdict: the machine's core count is unknown"),
        /** A result the verdict needs is not in the file. */
        NOT_MEASURED("not measured");

        final String text;

        Status(String text) {
            this.text = text;
        }

        /** Whether this is a verdict on the target (met, missed, within noise, or no error estimate). */
        boolean judged() {
            return ordinal() <= NO_ERROR_ESTIMATE.ordinal();
        }
    }

    /**
     * A verdict, with the ratio it was drawn from: for a miss, the text says by how much at least
     * (the interval's near end over the target).
     */
    record Judgement(Status status, double missedBy) {
        static Judgement of(Status status) {
            return new Judgement(status, Double.NaN);
        }

        String text() {
            return status == Status.MISSED ? String.format(Locale.ROOT, "MISSED by ≥ %.2fx", missedBy) : status.text;
        }
    }

    private ScalingReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("--workloads")) {
            for (Workload w : WORKLOADS) {
                System.out.println((w.key + " " + w.regex() + " " + w.jmhArgs()).strip());
            }
            return;
        }
        if (args.length != 4) {
            System.err.println("usage: ScalingReport <result.json> <scaling.md> <scaling.png> <machine.properties>\n"
                    + "       ScalingReport --workloads");
            System.exit(2);
        }
        Parsed parsed = JmhResults.read(Path.of(args[0]));
        Path md = Path.of(args[1]);
        Path png = Path.of(args[2]);
        Path ratiosPng = png.resolveSibling(png.getFileName().toString().replaceFirst("(\\.png)?$", "-ratios.png"));
        Properties machine = JmhResults.machine(Path.of(args[3]));
        int cores = cores(machine);
        List<Table> tables = new ArrayList<>();
        for (Workload w : WORKLOADS) {
            tables.add(table(w, parsed.results(), cores));
        }
        boolean charts = ModuleLayer.boot().findModule("java.desktop").isPresent();
        if (md.toAbsolutePath().getParent() != null) {
            Files.createDirectories(md.toAbsolutePath().getParent());
        }
        Files.writeString(md, markdown(parsed, machine, cores, tables, charts ? List.of(png, ratiosPng) : List.of(), md));
        if (charts) {
            ScalingChart.draw(tables, cores, png);
            RatioChart.draw("gmpj throughput / virtual-thread throughput (log scale; right of 1 = gmpj faster)",
                    ratioBars(tables), false, ratiosPng);
        }
        System.out.printf("ScalingReport: %s -> %s%s%n", counts(parsed.results(), tables), md,
                charts ? ", " + png + ", " + ratiosPng : " (no charts: this Java runtime has no java.desktop)");
    }

    // ------------------------------------------------------------------ the numbers

    /** One processor count of a workload: both results (either may be missing) and what they say. */
    record Row(int procs, Result gmpj, Result virtualThreads, double gmpjSpeedUp, Interval gmpjSpeedUpInterval,
               double vtSpeedUp, Interval vtSpeedUpInterval, double ratio, Interval ratioInterval,
               Judgement vsVirtualThreads) {}

    /** A workload's rows by processor count, and its verdicts. */
    record Table(Workload workload, List<Row> rows, Judgement speedUp, double speedUpValue, Interval speedUpInterval) {
        Row row(int procs) {
            return rows.stream().filter(r -> r.procs == procs).findFirst().orElse(null);
        }
    }

    /** The workload's results at each processor count in the file, with speed-ups, ratios and verdicts. */
    static Table table(Workload w, List<Result> results, int cores) {
        Map<Integer, Result> gmpj = byProcs(results, w.gmpj, w.gmpjParams);
        Map<Integer, Result> vt = byProcs(results, w.virtualThreads, "");
        TreeSet<Integer> counts = new TreeSet<>(gmpj.keySet());
        counts.addAll(vt.keySet());
        Result g1 = gmpj.get(1);
        Result v1 = vt.get(1);
        List<Row> rows = new ArrayList<>();
        for (int p : counts) {
            Result g = gmpj.get(p);
            Result v = vt.get(p);
            boolean gs = g != null && g1 != null;
            boolean vs = v != null && v1 != null;
            boolean both = g != null && v != null;
            rows.add(new Row(p, g, v,
                    gs ? seconds(g1) / seconds(g) : Double.NaN, gs ? invert(timeRatio(g, g1)) : null,
                    vs ? seconds(v1) / seconds(v) : Double.NaN, vs ? invert(timeRatio(v, v1)) : null,
                    both ? seconds(v) / seconds(g) : Double.NaN, both ? invert(timeRatio(g, v)) : null,
                    both ? judge(timeRatio(g, v), 1.0, p, cores) : Judgement.of(Status.NOT_MEASURED)));
        }
        Result g16 = gmpj.get(TARGET_PROCS);
        Judgement speedUp;
        double value = Double.NaN;
        Interval interval = null;
        if (!w.speedUpTarget) {
            speedUp = null;
        } else if (g1 == null || g16 == null) {
            speedUp = Judgement.of(Status.NOT_MEASURED);
        } else {
            Interval times = timeRatio(g16, g1); // time at 16 / time at 1: at most 1 / target
            speedUp = judge(times, 1 / TARGET_SPEED_UP, TARGET_PROCS, cores);
            value = seconds(g1) / seconds(g16);
            interval = invert(times);
        }
        return new Table(w, rows, speedUp, value, interval);
    }

    /** The results of {@code name} (narrowed by a {@code name=value} filter) by their {@code procs}. */
    private static Map<Integer, Result> byProcs(List<Result> results, String name, String filter) {
        Map<Integer, Result> out = new TreeMap<>();
        String[] kv = filter.isEmpty() ? null : filter.split("=", 2);
        for (Result r : results) {
            if (r.name().equals(name) && r.params().containsKey("procs")
                    && (kv == null || kv[1].equals(r.params().get(kv[0])))) {
                out.put(Integer.parseInt(r.params().get("procs")), r);
            }
        }
        return out;
    }

    /** The interval of {@code time(a) / time(b)}, from the scores and their errors ({@link BenchReport#ratioInterval}). */
    private static Interval timeRatio(Result a, Result b) {
        double sa = seconds(a);
        double sb = seconds(b);
        return BenchReport.ratioInterval(sa, a.error() * sa / a.score(), sb, b.error() * sb / b.score());
    }

    /**
     * The interval of {@code 1 / x} when {@code x} is in {@code i}: a ratio of times turned into the
     * ratio of throughputs the other way round. 1 / 0 is infinite and 1 / infinity is 0.
     */
    static Interval invert(Interval i) {
        if (!i.known()) {
            return i;
        }
        return new Interval(Double.isInfinite(i.high()) ? 0 : 1 / i.high(), i.low() == 0 ? Double.POSITIVE_INFINITY : 1 / i.low());
    }

    /**
     * The verdict on {@code timeRatio} (time of the runtime or count under test over the time it is
     * compared with) against {@code target}, an upper bound on it, at {@code procs} processors on a
     * machine of {@code cores} cores (0 or less: unknown): {@link Status#OVERSUBSCRIBED} when
     * {@code procs > cores}, {@link Status#CORES_UNKNOWN} without a core count; otherwise
     * {@link BenchReport#verdict}: met only when the whole interval is at or below the target,
     * missed only when it is all above, within noise when it straddles the target.
     */
    static Judgement judge(Interval timeRatio, double target, int procs, int cores) {
        if (cores <= 0) {
            return Judgement.of(Status.CORES_UNKNOWN);
        }
        if (procs > cores) {
            return Judgement.of(Status.OVERSUBSCRIBED);
        }
        Verdict v = BenchReport.verdict(timeRatio, target);
        return switch (v) {
            case MET -> Judgement.of(Status.MET);
            case MISSED -> new Judgement(Status.MISSED, timeRatio.low() / target);
            case WITHIN_NOISE -> Judgement.of(Status.WITHIN_NOISE);
            case NO_ERROR_ESTIMATE -> Judgement.of(Status.NO_ERROR_ESTIMATE);
            case NONE -> throw new IllegalArgumentException("no target to judge against: " + target);
        };
    }

    /**
     * The verdict on "gmpj ≥ virtual threads at every count" from the verdicts at each count: missed
     * if any count missed; else within noise (or no error estimate) if any count was; else, if some
     * count got no verdict (not measured, unknown cores, oversubscribed), that: the target is not
     * judged as a whole; else met, every count having been met.
     */
    static Status everyCount(List<Row> rows) {
        if (rows.isEmpty()) {
            return Status.NOT_MEASURED;
        }
        Map<Status, Integer> n = new EnumMap<>(Status.class);
        rows.forEach(r -> n.merge(r.vsVirtualThreads.status(), 1, Integer::sum));
        for (Status s : List.of(Status.MISSED, Status.WITHIN_NOISE, Status.NO_ERROR_ESTIMATE, Status.NOT_MEASURED,
                Status.CORES_UNKNOWN, Status.OVERSUBSCRIBED)) {
            if (n.containsKey(s)) {
                return s;
            }
        }
        return Status.MET;
    }

    /** E.g. {@code met at 1, 2; oversubscribed at 4, 8, 16}: each status and the counts that got it. */
    static String byCount(List<Row> rows) {
        Map<Status, List<String>> at = new EnumMap<>(Status.class);
        for (Row r : rows) {
            at.computeIfAbsent(r.vsVirtualThreads.status(), s -> new ArrayList<>()).add(String.valueOf(r.procs));
        }
        List<String> parts = new ArrayList<>();
        at.forEach((s, counts) -> parts.add((s == Status.OVERSUBSCRIBED ? "oversubscribed" : s.text) + " at "
                + String.join(", ", counts)));
        return String.join("; ", parts);
    }

    /** The machine's core count from the machine file, or 0 if it has none. */
    static int cores(Properties machine) {
        try {
            return Integer.parseInt(machine.getProperty("nproc", "").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** JMH's time per operation in seconds; throws for a score that is not a time per operation. */
    static double seconds(Result r) {
        double scale = switch (r.unit()) {
            case "ns/op" -> 1e-9;
            case "us/op", "µs/op" -> 1e-6;
            case "ms/op" -> 1e-3;
            case "s/op" -> 1;
            default -> throw new IllegalArgumentException(r.name() + " [" + r.paramText() + "] is in " + r.unit()
                    + "; the scaling report needs a time per operation (ns/op, us/op, ms/op or s/op)");
        };
        return r.score() * scale;
    }

    /** E.g. {@code 25 results; 14 verdicts: 2 met, 0 missed, 1 within noise; 12 oversubscribed}. */
    static String counts(List<Result> results, List<Table> tables) {
        Map<Status, Integer> n = new EnumMap<>(Status.class);
        for (Table t : tables) {
            t.rows.forEach(r -> n.merge(r.vsVirtualThreads.status(), 1, Integer::sum));
            if (t.speedUp != null) {
                n.merge(t.speedUp.status(), 1, Integer::sum);
            }
        }
        int judged = n.entrySet().stream().filter(e -> e.getKey().judged()).mapToInt(Map.Entry::getValue).sum();
        List<String> verdicts = new ArrayList<>();
        for (Status s : List.of(Status.MET, Status.MISSED, Status.WITHIN_NOISE)) {
            verdicts.add(n.getOrDefault(s, 0) + " " + s.text.toLowerCase(Locale.ROOT));
        }
        if (n.containsKey(Status.NO_ERROR_ESTIMATE)) {
            verdicts.add(n.get(Status.NO_ERROR_ESTIMATE) + " " + Status.NO_ERROR_ESTIMATE.text);
        }
        List<String> unjudged = new ArrayList<>();
        for (Status s : List.of(Status.OVERSUBSCRIBED, Status.CORES_UNKNOWN, Status.NOT_MEASURED)) {
            if (n.containsKey(s)) {
                unjudged.add(n.get(s) + " " + (s == Status.OVERSUBSCRIBED ? "oversubscribed (no verdict)"
                        : s == Status.CORES_UNKNOWN ? "without a core count (no verdict)" : "not measured"));
            }
        }
        return results.size() + " results; " + judged + " verdicts: " + String.join(", ", verdicts)
                + (unjudged.isEmpty() ? "" : "; " + String.join(", ", unjudged));
    }

    private static List<RatioChart.Bar> ratioBars(List<Table> tables) {
        List<RatioChart.Bar> bars = new ArrayList<>();
        for (Table t : tables) {
            for (Row r : t.rows) {
                if (!Double.isNaN(r.ratio)) {
                    bars.add(new RatioChart.Bar(t.workload.key + " [procs=" + r.procs + "]"
                            + (r.vsVirtualThreads.status() == Status.OVERSUBSCRIBED ? " oversubscribed" : ""),
                            r.ratio, r.ratioInterval, 1.0));
                }
            }
        }
        return bars;
    }

    // ------------------------------------------------------------------ markdown

    private static String markdown(Parsed parsed, Properties machine, int cores, List<Table> tables, List<Path> pngs,
                                   Path md) {
        List<Result> results = parsed.results();
        StringBuilder sb = new StringBuilder();
        sb.append("# gmpj: throughput by processor count\n\n");
        sb.append("Generated by `scheduler-bench/run-scaling.sh` (`gmpj.bench.ScalingReport`) from a JMH JSON result ")
                .append("file. Each workload runs on gmpj with `procs` processors and on JDK virtual threads with as ")
                .append("many carriers (the virtual-thread scheduler's parallelism), and does the same total work at ")
                .append("every count: its throughput (work per second, the reciprocal of JMH's time per operation) ")
                .append("rises with processors only as far as the runtime lets them work apart. A speed-up is a ")
                .append("runtime's throughput over its own throughput at 1 processor.\n\n");
        String note = machine.getProperty("note", "").strip();
        if (!note.isEmpty()) {
            sb.append("**").append(note).append("**\n\n");
        }
        int most = tables.stream().flatMap(t -> t.rows.stream()).mapToInt(Row::procs).max().orElse(0);
        if (cores <= 0) {
            sb.append("**The machine's core count is unknown: no row gets a verdict.**\n\n");
        } else if (most > cores) {
            sb.append("**This run had ").append(cores).append(cores == 1 ? " core" : " cores").append(": every row with ")
                    .append("more processors than that is oversubscribed, a smoke test that the code runs at that ")
                    .append("count, not a measure of scaling, and gets no verdict.**\n\n");
        }
        sb.append("## Machine and JDK (where and when the benchmarks ran)\n\n");
        sb.append("| | |\n|---|---|\n");
        JmhResults.machineRows(sb, machine);
        sb.append("| JDK | ").append(JmhResults.jdk(parsed.first())).append(" |\n");
        sb.append("| JMH | ").append(parsed.first().get("jmhVersion")).append("; ").append(BenchReport.settings(results))
                .append(" |\n");
        sb.append("| JVM flags | `").append(JmhResults.jvmFlags(parsed.first())).append("` |\n\n");

        sb.append("## Targets\n\n");
        sb.append(counts(results, tables)).append(".\n\n");
        sb.append("| target | workload | verdict | detail |\n|---|---|---|---|\n");
        for (Table t : tables) {
            if (t.speedUp != null) {
                sb.append("| gmpj's throughput at ").append(TARGET_PROCS).append(" ≥ ")
                        .append(String.format(Locale.ROOT, "%.0f", TARGET_SPEED_UP)).append("× its throughput at 1 | ").append(t.workload.key).append(" | ").append(t.speedUp.text())
                        .append(" | speed-up ").append(Double.isNaN(t.speedUpValue) ? "n/a"
                                : fmtX(t.speedUpValue) + " (" + (t.speedUpInterval == null ? "n/a" : t.speedUpInterval.text()) + ")")
                        .append(" |\n");
            }
        }
        for (Table t : tables) {
            Status s = everyCount(t.rows);
            sb.append("| gmpj ≥ virtual threads at every count | ").append(t.workload.key).append(" | ")
                    .append(s == Status.OVERSUBSCRIBED ? "not judged: oversubscribed" : s.text)
                    .append(" | ").append(t.rows.isEmpty() ? "no results" : byCount(t.rows)).append(" |\n");
        }
        sb.append("\nEach score carries JMH's error, the half-width of its 99.9% confidence interval. A ratio of two ")
                .append("scores has the interval from both scores' extremes (as in `docs/benchmarks.md`): a ")
                .append("speed-up at P is time at 1 / time at P, gmpj / virtual threads is virtual-thread time / gmpj ")
                .append("time (above 1: gmpj faster). A target is **met** only when the whole interval clears it, ")
                .append("**MISSED** only when the whole interval falls short (by at least the factor shown), and ")
                .append("**within noise** when the interval straddles it. A row with more processors than the ")
                .append("machine has cores is **oversubscribed** and gets no verdict, whatever its numbers; a score ")
                .append("from one measured iteration has no error, hence **no error estimate**. The target \"at every ")
                .append("count\" is met only when every count is met. Beside each throughput, the range its score's ")
                .append("error allows. The virtual-thread side sets the JDK scheduler's parallelism through its MXBean in each ")
                .append("fork, before the fork's first virtual thread, and checks that it took.\n\n");

        if (pngs.isEmpty()) {
            sb.append("The charts are not drawn: the Java runtime that wrote this report has no `java.desktop`. ")
                    .append("`scheduler-bench/run-scaling.sh report <folder>` draws them from this run's JSON.\n\n");
        } else {
            Path dir = md.toAbsolutePath().getParent();
            for (Path p : pngs) {
                Path rel = dir == null ? p.getFileName() : dir.relativize(p.toAbsolutePath());
                sb.append("![").append(p.getFileName()).append("](").append(rel.toString().replace('\\', '/')).append(")\n\n");
            }
        }

        for (Table t : tables) {
            Workload w = t.workload;
            sb.append("## ").append(w.title).append("\n\n");
            sb.append("`").append(w.gmpj).append(w.gmpjParams.isEmpty() ? "" : " (" + w.gmpjParams + ")").append("` against `")
                    .append(w.virtualThreads).append("`; throughput in ").append(w.op).append("s per second.\n\n");
            if (t.rows.isEmpty()) {
                sb.append("Not in this run's results.\n\n");
                continue;
            }
            sb.append("| procs | gmpj ").append(w.op).append("s/s | VT ").append(w.op)
                    .append("s/s | gmpj speed-up | VT speed-up | gmpj / VT | gmpj ≥ VT |\n");
            sb.append("|--:|--:|--:|--:|--:|--:|---|\n");
            for (Row r : t.rows) {
                sb.append("| ").append(r.procs).append(r.vsVirtualThreads.status() == Status.OVERSUBSCRIBED ? " (oversubscribed)" : "")
                        .append(" | ").append(throughput(r.gmpj)).append(" | ").append(throughput(r.virtualThreads))
                        .append(" | ").append(speedUp(r.procs, r.gmpjSpeedUp, r.gmpjSpeedUpInterval))
                        .append(" | ").append(speedUp(r.procs, r.vtSpeedUp, r.vtSpeedUpInterval))
                        .append(" | ").append(Double.isNaN(r.ratio) ? "n/a" : "**" + fmtX(r.ratio) + "** (" + r.ratioInterval.text() + ")")
                        .append(" | ").append(r.vsVirtualThreads.text()).append(" |\n");
            }
            sb.append('\n');
        }
        sb.append("## Absolute numbers\n\n");
        List<String> names = new ArrayList<>();
        for (Workload w : WORKLOADS) {
            names.add(w.gmpj);
            names.add(w.virtualThreads);
        }
        BenchReport.absoluteTable(sb, results.stream().filter(r -> names.contains(r.name())).toList());
        return sb.toString();
    }

    /**
     * E.g. {@code 2.41 M (2.30 – 2.53)}: work per second, and the range the score's error allows
     * ({@code 1 / (time + error)} to {@code 1 / (time - error)}, unbounded when the error reaches
     * the time itself), in the same multiple.
     */
    private static String throughput(Result r) {
        if (r == null) {
            return "n/a";
        }
        double t = seconds(r);
        double e = r.error() * t / r.score();
        String[] prefixes = {"", " k", " M", " G"};
        int k = 0;
        double scale = 1;
        while (1 / t / scale >= 1000 && k < prefixes.length - 1) {
            scale *= 1000;
            k++;
        }
        String value = JmhResults.fmt(1 / t / scale) + prefixes[k];
        if (Double.isNaN(e)) {
            return value;
        }
        return value + " (" + JmhResults.fmt(1 / (t + e) / scale) + " – "
                + (e >= t ? "∞" : JmhResults.fmt(1 / (t - e) / scale)) + ")";
    }

    private static String speedUp(int procs, double value, Interval interval) {
        if (interval == null) {
            return "n/a";
        }
        return procs == 1 ? "1" : fmtX(value) + " (" + interval.text() + ")";
    }

    private static String fmtX(double v) {
        return String.format(Locale.ROOT, "%.2fx", v);
    }
}
