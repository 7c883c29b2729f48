package gmpj.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Turns a JMH JSON result file ({@code -rf json}) into {@code docs/benchmarks.md} and a PNG chart:
 * the machine and JDK first, then the ratios of gmpj to each baseline measured in the same run
 * (with the project's targets, met or missed and by how much), then every absolute figure, then the
 * steal-policy table from {@link UnevenWorkBench}'s secondary results.
 *
 * <p>Usage: {@code BenchReport <jmh-result.json> <benchmarks.md> <benchmarks.png>}. Runs headless.
 * Which result is compared with which is the explicit table {@link #PAIRS}; a pair with no result
 * in the file (a benchmark not run) is left out.
 */
public final class BenchReport {
    /**
     * One comparison: a gmpj benchmark, a baseline, and an optional target for {@code gmpj / baseline}.
     * Both sides are {@code Class.method}; {@code gmpjParams} narrows the gmpj side (e.g.
     * {@code policy=go}); the baseline row is the one whose parameters all equal the gmpj row's.
     */
    record Pair(String gmpj, String gmpjParams, String baseline, double target, String targetText) {
        static Pair of(String gmpj, String baseline) {
            return new Pair(gmpj, "", baseline, Double.NaN, "");
        }

        static Pair of(String gmpj, String baseline, double target, String targetText) {
            return new Pair(gmpj, "", baseline, target, targetText);
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
            Pair.of("ChanBench.pingPongGmpj", "ChanBench.pingPongVirtualThreads"),
            Pair.of("ChanBench.producerConsumerGmpj", "ChanBench.producerConsumerVirtualThreads"),
            Pair.of("ChanBench.selectReady", "ChanBench.pollTwoQueues"),
            Pair.of("YieldBench.gmpjYield", "YieldBench.rawContinuationFloor", 1.5, "within 1.5x of the floor"),
            Pair.of("YieldBench.gmpjYield", "YieldBench.virtualThreadYield"),
            Pair.of("YieldBench.gmpjTwoYieldersOneP", "YieldBench.virtualThreadTwoYielders"),
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
            new Pair("UnevenWorkBench.gmpj", "policy=go", "UnevenWorkBaselines.platformPool", Double.NaN, ""));

    /** One JMH result: a benchmark with one set of parameters. */
    record Result(String name, Map<String, String> params, String mode, double score, double error, String unit,
                  Map<String, Double> secondary) {
        String paramText() {
            return params.isEmpty() ? "" : String.join(", ", params.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
    }

    /** A computed ratio, for the table and the chart. */
    record Ratio(Pair pair, Result gmpj, Result baseline, double value) {
        String label() {
            String p = gmpj.paramText();
            return shortName(pair.gmpj) + " / " + pair.baseline.substring(pair.baseline.indexOf('.') + 1)
                    + (p.isEmpty() ? "" : " [" + p + "]");
        }
    }

    private BenchReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: BenchReport <jmh-result.json> <benchmarks.md> <benchmarks.png>");
            System.exit(2);
        }
        Path json = Path.of(args[0]);
        List<Object> runs = asList(new Json(Files.readString(json)).parse());
        List<Result> results = new ArrayList<>();
        for (Object o : runs) {
            results.add(toResult(asMap(o)));
        }
        if (results.isEmpty()) {
            throw new IllegalArgumentException(json + " holds no JMH results; did the run fail?");
        }
        List<Ratio> ratios = ratios(results);
        Path md = Path.of(args[1]);
        Path png = Path.of(args[2]);
        if (md.toAbsolutePath().getParent() != null) {
            Files.createDirectories(md.toAbsolutePath().getParent());
        }
        Files.writeString(md, markdown(asMap(runs.getFirst()), results, ratios, png, md));
        chart(ratios, png);
        System.out.printf("BenchReport: %d results, %d ratios -> %s, %s%n", results.size(), ratios.size(), md, png);
    }

    // ------------------------------------------------------------------ results

    private static Result toResult(Map<String, Object> run) {
        String full = (String) run.get("benchmark");
        String[] parts = full.split("\\.");
        String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
        Map<String, String> params = new TreeMap<>();
        if (run.get("params") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
        }
        Map<String, Object> primary = asMap(run.get("primaryMetric"));
        Map<String, Double> secondary = new LinkedHashMap<>();
        if (run.get("secondaryMetrics") instanceof Map<?, ?> s) {
            s.forEach((k, v) -> secondary.put((String) k, number(asMap(v).get("score"))));
        }
        return new Result(name, params, (String) run.get("mode"), number(primary.get("score")),
                number(primary.get("scoreError")), (String) primary.get("scoreUnit"), secondary);
    }

    private static List<Ratio> ratios(List<Result> results) {
        List<Ratio> out = new ArrayList<>();
        for (Pair pair : PAIRS) {
            for (Result g : results) {
                if (!g.name.equals(pair.gmpj) || !matches(g.params, pair.gmpjParams)) {
                    continue;
                }
                for (Result b : results) {
                    if (b.name.equals(pair.baseline) && b.unit.equals(g.unit) && sameWhereShared(g.params, b.params)) {
                        out.add(new Ratio(pair, g, b, g.score / b.score));
                    }
                }
            }
        }
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

    // ------------------------------------------------------------------ markdown

    private static String markdown(Map<String, Object> first, List<Result> results, List<Ratio> ratios, Path png, Path md) {
        StringBuilder sb = new StringBuilder();
        sb.append("# gmpj benchmarks\n\n");
        sb.append("Generated by `scheduler-bench/run-bench.sh` (`gmpj.bench.BenchReport`) from a JMH JSON result file. ")
                .append("Every ratio compares two results of the same run: on this noisy machine only such side-by-side ")
                .append("figures mean anything (see the notes in `docs/`).\n\n");
        sb.append("## Machine and JDK\n\n");
        sb.append("| | |\n|---|---|\n");
        sb.append("| CPUs (nproc) | ").append(Runtime.getRuntime().availableProcessors()).append(" |\n");
        sb.append("| CPU model | ").append(procField("/proc/cpuinfo", "model name")).append(" |\n");
        sb.append("| memory | ").append(procField("/proc/meminfo", "MemTotal")).append(" |\n");
        sb.append("| JDK | ").append(first.get("vmName")).append(' ').append(first.get("vmVersion"))
                .append(" (").append(first.get("jdkVersion")).append(") |\n");
        sb.append("| JMH | ").append(first.get("jmhVersion")).append(", forks ").append(whole(first.get("forks")))
                .append(", warm-up ").append(whole(first.get("warmupIterations"))).append(" × ").append(first.get("warmupTime"))
                .append(", measurement ").append(whole(first.get("measurementIterations"))).append(" × ")
                .append(first.get("measurementTime")).append(" |\n");
        sb.append("| JVM flags | `").append(String.join(" ", asList(first.getOrDefault("jvmArgs", List.of()))
                .stream().map(String::valueOf).toList())).append("` |\n");
        sb.append("| date | ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(" |\n\n");

        sb.append("## Ratios: gmpj / baseline (time per operation; below 1 means gmpj is faster)\n\n");
        Path rel = md.toAbsolutePath().getParent() == null ? png.getFileName()
                : md.toAbsolutePath().getParent().relativize(png.toAbsolutePath());
        sb.append("![gmpj / baseline ratios](").append(rel.toString().replace('\\', '/')).append(")\n\n");
        sb.append("| gmpj | baseline | params | gmpj | baseline | ratio | target | verdict |\n");
        sb.append("|---|---|---|--:|--:|--:|---|---|\n");
        for (Ratio r : ratios) {
            sb.append("| ").append(r.pair.gmpj).append(pair(r.pair.gmpjParams)).append(" | ").append(r.pair.baseline)
                    .append(" | ").append(r.gmpj.paramText())
                    .append(" | ").append(fmt(r.gmpj.score)).append(' ').append(r.gmpj.unit)
                    .append(" | ").append(fmt(r.baseline.score)).append(' ').append(r.baseline.unit)
                    .append(" | **").append(String.format(Locale.ROOT, "%.2f", r.value)).append("**")
                    .append(" | ").append(Double.isNaN(r.pair.target) ? "" : r.pair.targetText + " (≤ " + r.pair.target + ")")
                    .append(" | ").append(verdict(r)).append(" |\n");
        }
        sb.append("\n## Absolute numbers\n\n");
        sb.append("| benchmark | params | mode | score | ± error (99.9%) | unit |\n|---|---|---|--:|--:|---|\n");
        for (Result r : results) {
            sb.append("| ").append(r.name).append(" | ").append(r.paramText()).append(" | ").append(r.mode)
                    .append(" | ").append(fmt(r.score)).append(" | ").append(Double.isNaN(r.error) ? "" : fmt(r.error))
                    .append(" | ").append(r.unit).append(" |\n");
        }
        stealTable(sb, results);
        return sb.toString();
    }

    private static String pair(String params) {
        return params.isEmpty() ? "" : " (" + params + ")";
    }

    private static String verdict(Ratio r) {
        if (Double.isNaN(r.pair.target)) {
            return "";
        }
        if (r.value <= r.pair.target) {
            return "met";
        }
        return String.format(Locale.ROOT, "MISSED by %.2fx", r.value / r.pair.target);
    }

    /** Policy × workload: time, and steals and goroutines stolen per invocation, with the baselines under them. */
    private static void stealTable(StringBuilder sb, List<Result> results) {
        List<Result> policies = results.stream().filter(r -> r.name.equals("UnevenWorkBench.gmpj")).toList();
        List<Result> baselines = results.stream().filter(r -> r.name.startsWith("UnevenWorkBaselines.")).toList();
        if (policies.isEmpty() && baselines.isEmpty()) {
            return;
        }
        sb.append("\n## Steal policies: uneven work (").append(UnevenWork.TASKS).append(" CPU-bound tasks from one goroutine, ")
                .append("the first half ").append(UnevenWork.HEAVY_FACTOR).append("x heavier)\n\n");
        sb.append("| runtime / policy | procs | time per invocation | steals per invocation | goroutines stolen per invocation |\n");
        sb.append("|---|--:|--:|--:|--:|\n");
        for (Result r : policies) {
            double inv = r.secondary.getOrDefault("invocations", Double.NaN);
            sb.append("| gmpj, ").append(r.params.get("policy")).append(" | ").append(r.params.get("procs"))
                    .append(" | ").append(fmt(r.score)).append(Double.isNaN(r.error) ? "" : " ± " + fmt(r.error)).append(' ').append(r.unit)
                    .append(" | ").append(perInvocation(r.secondary.get("steals"), inv))
                    .append(" | ").append(perInvocation(r.secondary.get("stolen"), inv)).append(" |\n");
        }
        for (Result r : baselines) {
            sb.append("| ").append(shortName(r.name)).append(" | ").append(r.params.get("procs"))
                    .append(" | ").append(fmt(r.score)).append(Double.isNaN(r.error) ? "" : " ± " + fmt(r.error)).append(' ').append(r.unit)
                    .append(" | n/a | n/a |\n");
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

    private static String whole(Object n) {
        return n instanceof Number x ? String.valueOf(x.longValue()) : String.valueOf(n);
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%,.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    /** The value of {@code key} in a {@code key : value} file such as /proc/cpuinfo, or "unknown". */
    private static String procField(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    String v = line.substring(colon + 1).trim();
                    if (key.equals("MemTotal") && v.endsWith(" kB")) {
                        return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(v.replace(" kB", "").trim()) / 1048576.0);
                    }
                    return v;
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown";
    }

    // ------------------------------------------------------------------ chart

    /** Horizontal bars on a log scale centred on 1: green where gmpj is faster, red where slower; targets as ticks. */
    private static void chart(List<Ratio> ratios, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int rowH = 26;
        int top = 50;
        int labelW = 560;
        int plotW = 520;
        int w = labelW + plotW + 80;
        int h = top + Math.max(1, ratios.size()) * rowH + 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("gmpj time / baseline time (log scale; left of 1 = gmpj faster)", 10, 22);
        double maxLog = 1;
        for (Ratio r : ratios) {
            maxLog = Math.max(maxLog, Math.ceil(Math.abs(Math.log10(r.value))));
        }
        int x1 = labelW + plotW / 2;
        double perDecade = (plotW / 2.0) / maxLog;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int d = (int) -maxLog; d <= maxLog; d++) {
            int x = (int) (x1 + d * perDecade);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, top - 8, x, top + ratios.size() * rowH);
            g.setColor(Color.DARK_GRAY);
            String t = d >= 0 ? String.valueOf((long) Math.pow(10, d)) : String.valueOf(Math.pow(10, d));
            g.drawString(t + "x", x - 10, top + ratios.size() * rowH + 16);
        }
        for (int i = 0; i < ratios.size(); i++) {
            Ratio r = ratios.get(i);
            int y = top + i * rowH;
            int x = (int) (x1 + Math.log10(r.value) * perDecade);
            g.setColor(r.value <= 1 ? new Color(60, 160, 90) : new Color(205, 70, 60));
            g.fillRect(Math.min(x, x1), y + 4, Math.max(1, Math.abs(x - x1)), rowH - 8);
            if (!Double.isNaN(r.pair.target)) {
                int tx = (int) (x1 + Math.log10(r.pair.target) * perDecade);
                g.setColor(Color.BLUE);
                g.setStroke(new BasicStroke(2));
                g.drawLine(tx, y + 1, tx, y + rowH - 1);
                g.setStroke(new BasicStroke(1));
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(r.label(), 10, y + rowH - 9);
            g.drawString(String.format(Locale.ROOT, "%.2f", r.value), r.value <= 1 ? Math.min(x, x1) - 36 : Math.max(x, x1) + 4,
                    y + rowH - 9);
        }
        g.setColor(Color.BLACK);
        g.drawLine(x1, top - 8, x1, top + ratios.size() * rowH);
        g.setColor(Color.BLUE);
        g.drawString("blue tick: the project's target", 10, h - 12);
        g.dispose();
        if (png.toAbsolutePath().getParent() != null) {
            Files.createDirectories(png.toAbsolutePath().getParent());
        }
        ImageIO.write(img, "png", png.toFile());
    }

    // ------------------------------------------------------------------ JSON

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        return (List<Object>) o;
    }

    private static double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        return Double.NaN; // JMH writes "NaN" as a string for an error it could not compute
    }

    /** Just enough JSON for JMH's result files: objects, arrays, strings, numbers, true/false/null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object parse() {
            Object v = value();
            skipSpace();
            if (i != s.length()) {
                throw error("trailing characters");
            }
            return v;
        }

        private Object value() {
            skipSpace();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skipSpace();
                    if (peek('}')) {
                        return m;
                    }
                    do {
                        skipSpace();
                        String k = string();
                        skipSpace();
                        expect(':');
                        m.put(k, value());
                        skipSpace();
                    } while (peek(','));
                    expect('}');
                    return m;
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    skipSpace();
                    if (peek(']')) {
                        return l;
                    }
                    do {
                        l.add(value());
                        skipSpace();
                    } while (peek(','));
                    expect(']');
                    return l;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    for (String word : new String[] {"true", "false", "null"}) {
                        if (s.startsWith(word, i)) {
                            i += word.length();
                            return word.equals("null") ? null : Boolean.valueOf(word);
                        }
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    if (start == i) {
                        throw error("unexpected '" + c + "'");
                    }
                    return Double.parseDouble(s.substring(start, i));
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> sb.append(e);
                    }
                } else {
                    sb.append(c);
                }
            }
            i++;
            return sb.toString();
        }

        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not a JMH JSON result file: " + what + " at character " + i);
        }
    }
}
