package gmpj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the benchmark scripts leave behind, read for the reports ({@link BenchReport},
 * {@link ScalingReport}, {@link CompareReport}): a JMH JSON result file ({@code -rf json}) as
 * {@link Result}s, and the machine file the scripts write before the first benchmark (keys
 * {@code nproc}, {@code cpu.model}, {@code memory.kb}, {@code loadavg}, {@code started},
 * {@code finished}; {@code run-bench.sh} adds {@link CrossCoreProbe}'s {@code crosscore.*}).
 * Nothing here draws, so a report that needs no chart runs on a Java runtime
 * without {@code java.desktop}.
 */
final class JmhResults {
    /** The package of every benchmark class: JMH names a benchmark {@code gmpj.bench.Class.method}. */
    static final String PACKAGE = "gmpj.bench.";

    /** One JMH result: a benchmark with one set of parameters, and the JMH settings it ran with. */
    record Result(String name, Map<String, String> params, String mode, double score, double error, String unit,
                  Map<String, Double> secondary, int forks, String iterations) {
        String paramText() {
            return params.isEmpty() ? "" : String.join(", ", params.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList());
        }

        /** The score with its error, e.g. {@code 71.9 ± 12.4 ms/op}. */
        String scoreText() {
            return fmt(score) + (Double.isNaN(error) ? "" : " ± " + fmt(error)) + ' ' + unit;
        }
    }

    /**
     * A result file: the runs as JMH wrote them (the first one names the JVM and JMH), and each as
     * a {@link Result}, in the file's order.
     */
    record Parsed(List<Map<String, Object>> runs, List<Result> results) {
        /** The first run, which names the JDK, the JVM flags and JMH's version for every run of the file. */
        Map<String, Object> first() {
            return runs.getFirst();
        }
    }

    private JmhResults() {}

    /** Reads a JMH JSON result file; throws if it holds no result (a run that failed before any benchmark ended). */
    static Parsed read(Path json) throws IOException {
        List<Map<String, Object>> runs = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        for (Object o : asList(new Json(Files.readString(json)).parse())) {
            runs.add(asMap(o));
            results.add(toResult(asMap(o)));
        }
        if (results.isEmpty()) {
            throw new IllegalArgumentException(json + " holds no JMH results; did the run fail?");
        }
        return new Parsed(runs, results);
    }

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
        String iterations = "warm-up " + whole(run.get("warmupIterations")) + " × " + run.get("warmupTime")
                + ", measurement " + whole(run.get("measurementIterations")) + " × " + run.get("measurementTime");
        return new Result(name, params, (String) run.get("mode"), number(primary.get("score")),
                number(primary.get("scoreError")), (String) primary.get("scoreUnit"), secondary,
                (int) number(run.get("forks")), iterations);
    }

    /** E.g. {@code OpenJDK 64-Bit Server VM 25.0.3+9-LTS (25.0.3)}, from a run's own fields. */
    static String jdk(Map<String, Object> run) {
        return run.get("vmName") + " " + run.get("vmVersion") + " (" + run.get("jdkVersion") + ")";
    }

    /** The flags the forked JVMs ran with, space-separated. */
    static String jvmFlags(Map<String, Object> run) {
        return String.join(" ", asList(run.getOrDefault("jvmArgs", List.of())).stream().map(String::valueOf).toList());
    }

    // ------------------------------------------------------------------ machine

    /** The properties a script wrote when the benchmarks started; none if there is no such file. */
    static Properties machine(Path file) throws IOException {
        Properties p = new Properties();
        if (file != null && Files.isRegularFile(file)) {
            try (var in = Files.newBufferedReader(file)) {
                p.load(in);
            }
        }
        return p;
    }

    /** A machine property, or "unknown" where the system gave none: never the machine the report is made on. */
    static String field(Properties machine, String key) {
        String v = machine.getProperty(key, "").trim();
        return v.isEmpty() ? "unknown" : v;
    }

    /** {@code memory.kb} (the kernel's MemTotal) in GiB, or as written if it is not a number. */
    static String memory(Properties machine) {
        String kb = field(machine, "memory.kb");
        try {
            return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(kb) / 1048576.0);
        } catch (NumberFormatException e) {
            return kb;
        }
    }

    /** The machine's rows of a report's "Machine and JDK" table, CPUs to the run's finish. */
    static void machineRows(StringBuilder sb, Properties machine) {
        sb.append("| CPUs (nproc) | ").append(field(machine, "nproc")).append(" |\n");
        sb.append("| CPU model | ").append(field(machine, "cpu.model")).append(" |\n");
        sb.append("| memory | ").append(memory(machine)).append(" |\n");
        sb.append("| load average at the start (1, 5, 15 min) | ").append(field(machine, "loadavg")).append(" |\n");
        sb.append("| started | ").append(field(machine, "started")).append(" |\n");
        sb.append("| finished | ").append(field(machine, "finished")).append(" |\n");
    }

    /**
     * The row of the cross-core round trip that {@link CrossCoreProbe} measured when the benchmarks
     * started ({@code crosscore.start.ns}) and when they ended ({@code crosscore.end.ns}), with how
     * ({@code crosscore.method}); "unknown" for a figure the file lacks.
     */
    static void crossCoreRow(StringBuilder sb, Properties machine) {
        sb.append("| cross-core round trip (ns) | at the start ").append(field(machine, "crosscore.start.ns"))
                .append(", at the end ").append(field(machine, "crosscore.end.ns"));
        String method = machine.getProperty("crosscore.method", "").trim();
        if (!method.isEmpty()) {
            sb.append(" (").append(method).append(')');
        }
        sb.append(" |\n");
    }

    // ------------------------------------------------------------------ formatting

    private static String whole(Object n) {
        return n instanceof Number x ? String.valueOf(x.longValue()) : String.valueOf(n);
    }

    /** Three significant figures or so, with thousands separators from 100 up. */
    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%,.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    // ------------------------------------------------------------------ JSON

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> asList(Object o) {
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
