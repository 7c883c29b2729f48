package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's verdicts, end to end: a JMH result file in, {@code benchmarks.md} out. Several
 * scores are those of a real full run whose error bars straddled the target, where a verdict read
 * from the ratio alone said "met" or "missed"; the report must say "within noise" there, and "met"
 * or "MISSED" only when the ratio's whole interval is on one side of the target. The machine rows
 * (the cross-core round trip among them) come from the file {@code run-bench.sh} writes when the
 * benchmarks start, and say "unknown" without it.
 */
class BenchReportVerdictTest {

    @TempDir
    Path dir;

    /** Scores and errors as JMH writes them; every pair below is one of the report's targeted pairs. */
    private static final List<String> RUNS = List.of(
            // sleepers, procs=1: ratio 0.95 against a target of 1, but the baseline is 75.5 ± 37.8
            run("SleepersBench.gmpjSleep", "1", 71.9, 12.4, "ms/op"),
            run("SleepersBench.virtualThreadsSleep", "1", 75.5, 37.8, "ms/op"),
            // yield against the floor: ratio 1.29 against a target of 1.5, ± 40 on both sides
            run("YieldBench.gmpjYield", null, 157, 40.5, "ns/op"),
            run("YieldBench.rawContinuationFloor", null, 122, 42.6, "ns/op"),
            // wait-group fan-in from inside, procs=1: ratio 1.13 against 1, the gmpj side ± 137
            run("WaitGroupBench.gmpjWaitGroupFanInFromInside", "1", 167, 137, "ns/op"),
            run("WaitGroupBench.virtualThreadsCountDownLatchFromInside", "1", 148, 45.9, "ns/op"),
            // skynet submit+join, procs=2: interval 0.09 - 0.47, all of it under 0.5
            run("SkynetBench.gmpjSubmitJoin", "2", 238, 47.9, "ms/op"),
            run("SkynetBench.virtualThreadsJoin", "2", 1416, 807, "ms/op"),
            // ping-pong, procs=2, made up: interval 0.72 - 0.84, all of it over 0.5
            run("PingPongBench.gmpj", "2", 465, 20, "ns/op"),
            run("PingPongBench.virtualThreads", "2", 600, 20, "ns/op"),
            // spawn from outside, procs=1, made up: the baseline's interval reaches 0, so the
            // ratio's has no upper bound although the ratio itself (0.1) is far under 0.5
            run("SpawnBench.gmpjFromOutside", "1", 10, 1, "ns/op"),
            run("SpawnBench.virtualThreadsFromOutside", "1", 100, 120, "ns/op"),
            // wait-group fan-in from outside, procs=2, made up: one measured iteration, no error
            run("WaitGroupBench.gmpjWaitGroupFanInFromOutside", "2", 100, Double.NaN, "ns/op"),
            run("WaitGroupBench.virtualThreadsCountDownLatch", "2", 400, Double.NaN, "ns/op"));

    @Test
    void aVerdictIsMetOrMissedOnlyWhenTheWholeIntervalIsOnOneSideOfTheTarget() throws IOException {
        String md = report(true);
        assertEquals("within noise", verdict(md, "SleepersBench.gmpjSleep", "procs=1"), md);
        assertEquals("within noise", verdict(md, "YieldBench.gmpjYield", ""), md);
        assertEquals("within noise", verdict(md, "WaitGroupBench.gmpjWaitGroupFanInFromInside", "procs=1"), md);
        assertEquals("met", verdict(md, "SkynetBench.gmpjSubmitJoin", "procs=2"), md);
        assertEquals("MISSED by ≥ 1.44x", verdict(md, "PingPongBench.gmpj", "procs=2"), md);
        assertEquals("within noise", verdict(md, "SpawnBench.gmpjFromOutside", "procs=1"), md);
        assertEquals("no error estimate", verdict(md, "WaitGroupBench.gmpjWaitGroupFanInFromOutside", "procs=2"), md);
    }

    @Test
    void theReportCountsResultsRatiosAndVerdicts() throws IOException {
        String md = report(true);
        assertTrue(md.contains("14 results, 7 ratios, 7 with a target: 1 met, 1 missed, 4 within noise, 1 no error estimate."), md);
        assertTrue(md.contains("is **met** only when the whole interval is at or below it"), md);
    }

    @Test
    void theIntervalIsInTheTable() throws IOException {
        String md = report(true);
        // (71.9 - 12.4) / (75.5 + 37.8) = 0.525, (71.9 + 12.4) / (75.5 - 37.8) = 2.236
        assertTrue(row(md, "SleepersBench.gmpjSleep", "procs=1").contains("| 0.53 – 2.24 |"), md);
        assertTrue(row(md, "SpawnBench.gmpjFromOutside", "procs=1").contains("| 0.04 – ∞ |"), md);
    }

    @Test
    void theMachineRowsComeFromTheFileWrittenWhenTheBenchmarksStarted() throws IOException {
        String md = report(true);
        assertTrue(md.contains("| CPUs (nproc) | 7 |"), md);
        assertTrue(md.contains("| CPU model | Test CPU 9000 |"), md);
        assertTrue(md.contains("| memory | 2.0 GiB |"), md);
        assertTrue(md.contains("| started | 2001-02-03T04:05:06Z |"), md);
        assertTrue(md.contains("| cross-core round trip (ns) | at the start 71.5, at the end 80.25 (two threads, test) |"), md);
    }

    @Test
    void withoutThatFileTheMachineIsUnknownNotTheOneTheReportIsMadeOn() throws IOException {
        String md = report(false);
        assertTrue(md.contains("| CPUs (nproc) | unknown |"), md);
        assertTrue(md.contains("| CPU model | unknown |"), md);
        assertTrue(md.contains("| memory | unknown |"), md);
        assertTrue(md.contains("| started | unknown |"), md);
        assertTrue(md.contains("| cross-core round trip (ns) | at the start unknown, at the end unknown |"), md);
    }

    /** Writes the result file (and the machine file if asked), runs the report, returns benchmarks.md. */
    private String report(boolean withMachine) throws IOException {
        Path json = Files.writeString(dir.resolve("jmh-result.json"), "[\n" + String.join(",\n", RUNS) + "\n]\n");
        Path md = dir.resolve("report/benchmarks.md");
        Path png = dir.resolve("report/benchmarks.png");
        List<String> args = new ArrayList<>(List.of(json.toString(), md.toString(), png.toString()));
        if (withMachine) {
            args.add(Files.writeString(dir.resolve("jmh-machine.properties"), """
                    nproc=7
                    cpu.model=Test CPU 9000
                    memory.kb=2097152
                    loadavg=0.10 0.20 0.30
                    started=2001-02-03T04:05:06Z
                    finished=2001-02-03T04:35:06Z
                    crosscore.start.ns=71.5
                    crosscore.method=two threads, test
                    crosscore.end.ns=80.25
                    crosscore.method=two threads, test
                    """).toString());
        }
        BenchReport.main(args.toArray(String[]::new));
        assertTrue(Files.size(png) > 0, "no chart written");
        return Files.readString(md);
    }

    /** The ratio table's row whose gmpj side is {@code gmpj} with parameters {@code params}. */
    private static String row(String md, String gmpj, String params) {
        for (String line : md.lines().toList()) {
            String[] cells = line.split("\\|", -1);
            if (cells.length > 4 && cells[1].trim().equals(gmpj) && cells[3].trim().equals(params)
                    && line.contains("**")) {
                return line;
            }
        }
        throw new AssertionError("no ratio row for " + gmpj + " [" + params + "] in\n" + md);
    }

    /** The last cell of that row: the verdict. */
    private static String verdict(String md, String gmpj, String params) {
        String[] cells = row(md, gmpj, params).split("\\|", -1);
        return cells[cells.length - 2].trim();
    }

    /** One JMH result object, shaped as JMH 1.37 writes it (only the fields the report reads). */
    static String run(String benchmark, String procs, double score, double error, String unit) {
        return String.format(Locale.ROOT, """
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "gmpj.bench.%s",
                    "mode" : "avgt",
                    "threads" : 1,
                    "forks" : 3,
                    "jvm" : "/usr/lib/jvm/test/bin/java",
                    "jvmArgs" : ["-Xmx2g"],
                    "jdkVersion" : "25",
                    "vmName" : "Test VM",
                    "vmVersion" : "25+1",
                    "warmupIterations" : 3,
                    "warmupTime" : "1 s",
                    "measurementIterations" : 5,
                    "measurementTime" : "1 s",
                    %s
                    "primaryMetric" : {
                        "score" : %s,
                        "scoreError" : %s,
                        "scoreUnit" : "%s"
                    },
                    "secondaryMetrics" : {}
                }""", benchmark, procs == null ? "" : "\"params\" : {\"procs\" : \"" + procs + "\"},", score,
                Double.isNaN(error) ? "\"NaN\"" : String.valueOf(error), unit); // JMH writes an unknown error as "NaN"
    }
}
