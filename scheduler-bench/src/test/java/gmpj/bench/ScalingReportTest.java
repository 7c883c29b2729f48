package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.bench.BenchReport.Interval;
import gmpj.bench.JmhResults.Result;
import gmpj.bench.ScalingReport.Row;
import gmpj.bench.ScalingReport.Status;
import gmpj.bench.ScalingReport.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaling report's arithmetic and verdicts: throughput ratios and speed-ups as the reciprocal
 * intervals of time ratios, BenchReport's met / missed / within-noise rule on them, and no verdict
 * at all where a count has more processors than the machine has cores (oversubscribed) or the core
 * count is unknown; end to end from a JMH result file to {@code scaling.md}.
 */
class ScalingReportTest {

    @TempDir
    Path dir;

    @Test
    void invertingAnIntervalSwapsItsEndsAndMapsZeroAndInfinityOntoEachOther() {
        assertEquals(new Interval(0.5, 2), ScalingReport.invert(new Interval(0.5, 2)));
        assertEquals(new Interval(0.25, 5), ScalingReport.invert(new Interval(0.2, 4)));
        assertEquals(new Interval(0, 4), ScalingReport.invert(new Interval(0.25, Double.POSITIVE_INFINITY)));
        assertEquals(new Interval(0.25, Double.POSITIVE_INFINITY), ScalingReport.invert(new Interval(0, 4)));
        assertFalse(ScalingReport.invert(new Interval(Double.NaN, Double.NaN)).known());
    }

    @Test
    void aCountAboveTheCoresIsOversubscribedWhateverItsInterval() {
        Interval clearlyMet = new Interval(0.1, 0.2);
        assertEquals(Status.MET, ScalingReport.judge(clearlyMet, 1, 2, 2).status());
        assertEquals(Status.OVERSUBSCRIBED, ScalingReport.judge(clearlyMet, 1, 4, 2).status());
        assertEquals(Status.OVERSUBSCRIBED, ScalingReport.judge(new Interval(5, 6), 1, 16, 8).status());
        assertEquals("oversubscribed: a smoke test, not a verdict", ScalingReport.judge(clearlyMet, 1, 16, 2).text());
    }

    @Test
    void withoutACoreCountThereIsNoVerdict() {
        assertEquals(Status.CORES_UNKNOWN, ScalingReport.judge(new Interval(0.1, 0.2), 1, 1, 0).status());
        assertEquals(Status.CORES_UNKNOWN, ScalingReport.judge(new Interval(0.1, 0.2), 1, 1, -1).status());
    }

    @Test
    void withinTheCoresTheVerdictIsBenchReportsRule() {
        assertEquals(Status.MET, ScalingReport.judge(new Interval(0.5, 1.0), 1, 4, 4).status());
        assertEquals(Status.WITHIN_NOISE, ScalingReport.judge(new Interval(0.9, 1.1), 1, 4, 4).status());
        assertEquals("MISSED by ≥ 1.50x", ScalingReport.judge(new Interval(1.5, 2), 1, 4, 4).text());
        assertEquals(Status.NO_ERROR_ESTIMATE,
                ScalingReport.judge(new Interval(Double.NaN, Double.NaN), 1, 1, 4).status());
    }

    @Test
    void atEveryCountNeedsEveryCountMet() {
        Row met = row(1, Status.MET);
        Row met2 = row(2, Status.MET);
        assertEquals(Status.MET, ScalingReport.everyCount(List.of(met, met2)));
        assertEquals(Status.MISSED, ScalingReport.everyCount(List.of(met, row(2, Status.MISSED), row(4, Status.OVERSUBSCRIBED))));
        assertEquals(Status.WITHIN_NOISE, ScalingReport.everyCount(List.of(met, row(2, Status.WITHIN_NOISE))));
        assertEquals(Status.OVERSUBSCRIBED, ScalingReport.everyCount(List.of(met, met2, row(4, Status.OVERSUBSCRIBED))));
        assertEquals(Status.NOT_MEASURED, ScalingReport.everyCount(List.of()));
        assertEquals("met at 1, 2; oversubscribed at 4, 8",
                ScalingReport.byCount(List.of(met, met2, row(4, Status.OVERSUBSCRIBED), row(8, Status.OVERSUBSCRIBED))));
    }

    @Test
    void aScoreThatIsNotATimePerOperationIsRefusedByName() {
        Result thrpt = new Result("SkynetBench.gmpjWaitGroup", Map.of("procs", "1"), "thrpt", 5, 1, "ops/s", Map.of(), 1, "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScalingReport.seconds(thrpt));
        assertTrue(e.getMessage().contains("SkynetBench.gmpjWaitGroup [procs=1] is in ops/s"), e.getMessage());
        assertEquals(2e-6, ScalingReport.seconds(
                new Result("x.y", Map.of(), "avgt", 2, 0, "us/op", Map.of(), 1, "")), 1e-18);
    }

    @Test
    void speedUpAndGmpjOverVirtualThreadsComeFromTheTimes() {
        List<Result> results = List.of(
                result("SkynetBench.gmpjWaitGroup", 1, 1000, 10, "ms/op"),
                result("SkynetBench.gmpjWaitGroup", 16, 80, 2, "ms/op"),
                result("SkynetBench.virtualThreadsCountDownLatch", 1, 2000, 20, "ms/op"),
                result("SkynetBench.virtualThreadsCountDownLatch", 16, 160, 4, "ms/op"));
        ScalingReport.Table t = ScalingReport.table(ScalingReport.WORKLOADS.getFirst(), results, 16);
        // speed-up 1000 / 80 = 12.5, interval (1000 - 10) / (80 + 2) to (1000 + 10) / (80 - 2)
        assertEquals(12.5, t.speedUpValue(), 1e-9);
        assertEquals(990.0 / 82, t.speedUpInterval().low(), 1e-9);
        assertEquals(1010.0 / 78, t.speedUpInterval().high(), 1e-9);
        assertEquals(Status.MET, t.speedUp().status());
        Row at16 = t.row(16);
        assertEquals(2.0, at16.ratio(), 1e-9); // virtual threads take twice as long: gmpj's throughput is 2x
        assertEquals((160.0 - 4) / (80 + 2), at16.ratioInterval().low(), 1e-9);
        assertEquals(Status.MET, at16.vsVirtualThreads().status());
    }

    @Test
    void theReportsVerdictsOnSixteenCores() throws IOException {
        String md = report(16, skynetAndUneven());
        assertEquals("met", cell(md, "gmpj's throughput at 16", "skynet", 3), md);
        // uneven: 100 ± 1 ms at 1, 12 ± 0.5 at 16: speed-up 7.9 - 8.8, all of it under 10;
        // time ratio at least 11.5 / 101 = 0.114 against 0.1
        assertEquals("MISSED by ≥ 1.14x", cell(md, "gmpj's throughput at 16", "uneven", 3), md);
        assertEquals("met", cell(md, "gmpj ≥ virtual threads at every count", "skynet", 3), md);
        assertEquals("MISSED", cell(md, "gmpj ≥ virtual threads at every count", "uneven", 3), md);
        assertTrue(cell(md, "gmpj ≥ virtual threads at every count", "uneven", 4).contains("MISSED at 16"), md);
        assertFalse(md.contains("(oversubscribed)") || md.contains("**This run had"), md);
        // skynet at 16: 80 ± 1.6 ms against 1000 ± 20 at 1: speed-up 980 / 81.6 to 1020 / 78.4
        // gmpj 1 / 0.0816 to 1 / 0.0784 trees per second, virtual threads 1 / 0.1632 to 1 / 0.1568
        assertTrue(md.contains("| 16 | 12.5 (12.3 – 12.8) | 6.25 (6.13 – 6.38) | 12.50x (12.01 – 13.01) |"), md);
    }

    @Test
    void onTwoCoresTheRowsAboveTwoAreOversubscribedAndGetNoVerdict() throws IOException {
        String md = report(2, skynetAndUneven());
        assertTrue(md.contains("**This run had 2 cores: every row with more processors than that is oversubscribed"), md);
        assertEquals("oversubscribed: a smoke test, not a verdict", cell(md, "gmpj's throughput at 16", "uneven", 3), md);
        assertEquals("not judged: oversubscribed", cell(md, "gmpj ≥ virtual threads at every count", "skynet", 3), md);
        assertEquals("met at 1, 2; oversubscribed at 4, 8, 16",
                cell(md, "gmpj ≥ virtual threads at every count", "skynet", 4), md);
        // uneven misses at 16, but 16 is oversubscribed on 2 cores: no miss is reported
        assertEquals("met at 1, 2; oversubscribed at 4, 8, 16",
                cell(md, "gmpj ≥ virtual threads at every count", "uneven", 4), md);
        assertTrue(md.contains("| 4 (oversubscribed) |"), md);
        assertTrue(md.contains("| 2 | "), md);
        assertFalse(md.contains("| 2 (oversubscribed) |"), md);
        assertTrue(md.contains("0 missed"), md);
        assertTrue(Files.size(dir.resolve("out/scaling.png")) > 0, "no speed-up chart");
        assertTrue(Files.size(dir.resolve("out/scaling-ratios.png")) > 0, "no ratio chart");
    }

    @Test
    void withoutTheMachineFileNoRowGetsAVerdict() throws IOException {
        String md = report(0, skynetAndUneven());
        assertTrue(md.contains("**The machine's core count is unknown: no row gets a verdict.**"), md);
        assertEquals("no verdict: the machine's core count is unknown", cell(md, "gmpj's throughput at 16", "skynet", 3), md);
        assertTrue(md.contains("| CPUs (nproc) | unknown |"), md);
    }

    @Test
    void theMachineFilesNoteHeadsTheReport() throws IOException {
        Files.writeString(dir.resolve("scaling-machine.properties"), "nproc=2\nnote=A short smoke run on 2 vCPUs\n");
        Path json = Files.writeString(dir.resolve("scaling-result.json"), "[\n" + String.join(",\n", skynetAndUneven()) + "\n]\n");
        Path md = dir.resolve("out/scaling.md");
        ScalingReport.main(new String[] {json.toString(), md.toString(), dir.resolve("out/scaling.png").toString(),
                dir.resolve("scaling-machine.properties").toString()});
        String text = Files.readString(md);
        assertTrue(text.indexOf("**A short smoke run on 2 vCPUs**") < text.indexOf("## Machine"), text);
        assertTrue(text.contains("**A short smoke run on 2 vCPUs**"), text);
    }

    @Test
    void aThroughputWhoseErrorReachesItsTimeHasNoUpperBound() throws IOException {
        String md = report(4, List.of(
                run("SpawnBench.gmpjFromInside", 1, 100, 150, "ns/op", ""),
                run("SpawnBench.virtualThreadsFromInside", 1, 200, 20, "ns/op", "")));
        // gmpj: 1 / 100 ns = 10 M tasks/s, at least 1 / 250 ns = 4 M; virtual threads 1 / 220 to 1 / 180 ns;
        // gmpj / virtual threads at least (200 - 20) / (100 + 150) = 0.72
        assertTrue(md.contains("| 1 | 10.0 M (4.00 – ∞) | 5.00 M (4.55 – 5.56) | 1 | 1 | **2.00x** (0.72 – ∞) | within noise |"), md);
    }

    @Test
    void aWorkloadNotInTheFileIsSaidToBeNotMeasured() throws IOException {
        String md = report(16, skynetAndUneven());
        assertEquals("not measured", cell(md, "gmpj ≥ virtual threads at every count", "spawn", 3), md);
    }

    @Test
    void everyWorkloadNamesTwoBenchmarksAndItsRegexSelectsExactlyThem() throws Exception {
        Set<String> benchmarks = BenchReportPairsTest.benchmarkMethods();
        for (Workload w : ScalingReport.WORKLOADS) {
            assertTrue(benchmarks.contains(w.gmpj()), w.gmpj() + " is not a @Benchmark method");
            assertTrue(benchmarks.contains(w.virtualThreads()), w.virtualThreads() + " is not a @Benchmark method");
            Pattern p = Pattern.compile(w.regex());
            for (String b : benchmarks) {
                boolean side = b.equals(w.gmpj()) || b.equals(w.virtualThreads());
                assertEquals(side, p.matcher("gmpj.bench." + b).find(), w.key() + "'s regex on " + b);
            }
        }
    }

    @Test
    void theSpreadWorkloadsRefuseACountThatDoesNotDivideTheirWork() {
        assertEquals(1000, YieldBench.yieldsPerYielder(16));
        IllegalArgumentException y = assertThrows(IllegalArgumentException.class, () -> YieldBench.yieldsPerYielder(3));
        assertTrue(y.getMessage().contains("procs must be at least 1 and divide 16000") && y.getMessage().endsWith("got 3"),
                y.getMessage());
        assertEquals(1000, PingPongBench.roundsPerPair(16));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> PingPongBench.roundsPerPair(0));
        assertTrue(p.getMessage().contains("procs must be at least 1 and divide 16000") && p.getMessage().endsWith("got 0"),
                p.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private static Row row(int procs, Status s) {
        return new Row(procs, null, null, Double.NaN, null, Double.NaN, null, Double.NaN, null,
                ScalingReport.Judgement.of(s));
    }

    private static Result result(String name, int procs, double score, double error, String unit) {
        return new Result(name, Map.of("procs", String.valueOf(procs)), "avgt", score, error, unit, Map.of(), 1, "");
    }

    /**
     * Skynet: gmpj 1000 ms at 1 down to 80 at 16, virtual threads twice as slow everywhere, each
     * score ± 2 %. Uneven
     * work: gmpj 100 ms at 1 to 12 at 16, virtual threads 150 to 8 (faster than gmpj at 16 only).
     */
    private static List<String> skynetAndUneven() {
        List<String> runs = new ArrayList<>();
        int[] counts = {1, 2, 4, 8, 16};
        double[] skynet = {1000, 520, 270, 140, 80};
        double[] unevenGmpj = {100, 51, 26, 14, 12};
        double[] unevenVt = {150, 76, 39, 21, 8};
        for (int i = 0; i < counts.length; i++) {
            runs.add(run("SkynetBench.gmpjWaitGroup", counts[i], skynet[i], skynet[i] / 50, "ms/op", ""));
            runs.add(run("SkynetBench.virtualThreadsCountDownLatch", counts[i], 2 * skynet[i], skynet[i] / 25, "ms/op", ""));
            runs.add(run("UnevenWorkBench.gmpj", counts[i], unevenGmpj[i], i == 4 ? 0.5 : 1, "ms/op", "go"));
            runs.add(run("UnevenWorkBaselines.virtualThreads", counts[i], unevenVt[i], 0.2, "ms/op", ""));
        }
        runs.add(run("UnevenWorkBench.gmpj", 1, 500, 1, "ms/op", "none")); // another policy: not the workload's
        return runs;
    }

    /** Writes the result file and, for {@code cores > 0}, the machine file; runs the report; returns scaling.md. */
    private String report(int cores, List<String> runs) throws IOException {
        Path json = Files.writeString(dir.resolve("scaling-result.json"), "[\n" + String.join(",\n", runs) + "\n]\n");
        Path machine = dir.resolve("scaling-machine.properties");
        if (cores > 0) {
            Files.writeString(machine, "nproc=" + cores + "\ncpu.model=Test CPU\nmemory.kb=1048576\nstarted=2001-02-03T04:05:06Z\n");
        }
        Path md = dir.resolve("out/scaling.md");
        ScalingReport.main(new String[] {json.toString(), md.toString(), dir.resolve("out/scaling.png").toString(),
                machine.toString()});
        return Files.readString(md);
    }

    /** Cell {@code column} (1-based) of the table row whose first cell starts with {@code first} and second is {@code second}. */
    private static String cell(String md, String first, String second, int column) {
        for (String line : md.lines().toList()) {
            String[] cells = line.split("\\|", -1);
            if (cells.length > column && cells[1].trim().startsWith(first) && cells[2].trim().equals(second)) {
                return cells[column].trim();
            }
        }
        throw new AssertionError("no row " + first + " | " + second + " in\n" + md);
    }

    /** One JMH result object, shaped as JMH 1.37 writes it (only the fields the report reads). */
    private static String run(String benchmark, int procs, double score, double error, String unit, String policy) {
        return String.format(Locale.ROOT, """
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "gmpj.bench.%s",
                    "mode" : "avgt",
                    "threads" : 1,
                    "forks" : 1,
                    "jvmArgs" : ["-Xmx2g"],
                    "jdkVersion" : "25",
                    "vmName" : "Test VM",
                    "vmVersion" : "25+1",
                    "warmupIterations" : 3,
                    "warmupTime" : "500 ms",
                    "measurementIterations" : 5,
                    "measurementTime" : "500 ms",
                    "params" : {%s"procs" : "%d"},
                    "primaryMetric" : {
                        "score" : %s,
                        "scoreError" : %s,
                        "scoreUnit" : "%s"
                    },
                    "secondaryMetrics" : {}
                }""", benchmark, policy.isEmpty() ? "" : "\"policy\" : \"" + policy + "\", ", procs, score, error, unit);
    }
}
