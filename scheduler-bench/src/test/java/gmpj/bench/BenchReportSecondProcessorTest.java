package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.bench.BenchReport.Interval;
import gmpj.bench.BenchReport.Scaling;
import gmpj.bench.BenchReport.Verdict;
import gmpj.bench.JmhResults.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's "second processor" table: for the benchmarks of {@link BenchReport#SECOND_PROCESSOR},
 * the time at {@code procs=2} over the time at {@code procs=1}, with the interval and verdict rules
 * of the gmpj / baseline ratios. The scores are made up so that the ratio taken the wrong way up
 * (P1/P2) would get other verdicts.
 */
class BenchReportSecondProcessorTest {

    @TempDir
    Path dir;

    private static final List<String> RUNS = List.of(
            // skynet with a wait group: 300 ± 10 ms at one processor, 200 ± 10 at two:
            // P2/P1 = 0.67 in 190/310 = 0.61 to 210/290 = 0.72, all under the strict target 1
            BenchReportVerdictTest.run("SkynetBench.gmpjWaitGroup", "1", 300, 10, "ms/op"),
            BenchReportVerdictTest.run("SkynetBench.gmpjWaitGroup", "2", 200, 10, "ms/op"),
            // ping-pong: 200 ± 5 ns at one processor, 300 ± 5 at two:
            // P2/P1 = 1.5 in 295/205 = 1.44 to 305/195 = 1.56, all over the target 1.2
            BenchReportVerdictTest.run("PingPongBench.gmpj", "1", 200, 5, "ns/op"),
            BenchReportVerdictTest.run("PingPongBench.gmpj", "2", 300, 5, "ns/op"),
            // the virtual-thread ping-pong, no target: 100 ± 1 and 400 ± 1
            BenchReportVerdictTest.run("PingPongBench.virtualThreads", "1", 100, 1, "ns/op"),
            BenchReportVerdictTest.run("PingPongBench.virtualThreads", "2", 400, 1, "ns/op"),
            // the mutex ran at two processors only: no row
            BenchReportVerdictTest.run("MutexBench.contendedGmpjMutex", "2", 50, 1, "ns/op"),
            // spawn ran at both, but it is not in the table: no row
            BenchReportVerdictTest.run("SpawnBench.gmpjFromInside", "1", 50, 1, "ns/op"),
            BenchReportVerdictTest.run("SpawnBench.gmpjFromInside", "2", 40, 1, "ns/op"));

    @Test
    void eachRowIsTheTimeAtTwoProcessorsOverTheTimeAtOne() throws IOException {
        String md = report();
        assertEquals("**0.67**", cell(md, "SkynetBench.gmpjWaitGroup", 5), md);
        assertEquals("0.61 – 0.72", cell(md, "SkynetBench.gmpjWaitGroup", 6), md);
        assertEquals("**1.50**", cell(md, "PingPongBench.gmpj", 5), md);
        assertEquals("1.44 – 1.56", cell(md, "PingPongBench.gmpj", 6), md);
        assertEquals("**4.00**", cell(md, "PingPongBench.virtualThreads", 5), md);
        assertEquals("300 ± 10.0 ms/op", cell(md, "SkynetBench.gmpjWaitGroup", 3), md);
        assertEquals("200 ± 10.0 ms/op", cell(md, "SkynetBench.gmpjWaitGroup", 4), md);
    }

    @Test
    void theTargetsAreJudgedOnTheInterval() throws IOException {
        String md = report();
        assertEquals("met", cell(md, "SkynetBench.gmpjWaitGroup", 8), md);
        assertEquals("faster with a second processor (< 1.0)", cell(md, "SkynetBench.gmpjWaitGroup", 7), md);
        assertEquals("MISSED by ≥ 1.20x", cell(md, "PingPongBench.gmpj", 8), md);
        assertEquals("at most 20% slower with a second processor (≤ 1.2)", cell(md, "PingPongBench.gmpj", 7), md);
        assertEquals("", cell(md, "PingPongBench.virtualThreads", 8), md);
        assertTrue(md.contains("Second processor (procs=2 / procs=1): 3 ratios, 2 with a target: 1 met, 1 missed, "
                + "0 within noise."), md);
    }

    @Test
    void aBenchmarkWithoutBothCountsOrOutsideTheTableHasNoRow() throws IOException {
        String md = report();
        String table = md.substring(md.indexOf("## Second processor"), md.indexOf("## Absolute numbers"));
        assertFalse(table.contains("MutexBench.contendedGmpjMutex"), table);
        assertFalse(table.contains("SpawnBench.gmpjFromInside"), table);
    }

    @Test
    void onlyRowsWithTheSameOtherParametersArePaired() {
        List<Result> results = List.of(
                result("PingPongBench.gmpj", Map.of("procs", "1", "policy", "go"), 100),
                result("PingPongBench.gmpj", Map.of("procs", "2", "policy", "go"), 150),
                result("PingPongBench.gmpj", Map.of("procs", "1", "policy", "none"), 1000),
                result("PingPongBench.gmpj", Map.of("procs", "4", "policy", "go"), 400));
        List<Scaling> scalings = BenchReport.scalings(results);
        assertEquals(1, scalings.size(), scalings.toString());
        assertEquals(1.5, scalings.getFirst().value(), 1e-12);
        assertEquals("policy=go", scalings.getFirst().otherParams());
    }

    @Test
    void aStrictTargetIsMissedAtItsValueAndNotMetThere() {
        assertEquals(Verdict.WITHIN_NOISE, BenchReport.verdict(new Interval(0.5, 1.0), 1.0, true));
        assertEquals(Verdict.MET, BenchReport.verdict(new Interval(0.5, 1.0), 1.0, false));
        assertEquals(Verdict.MISSED, BenchReport.verdict(new Interval(1.0, 1.5), 1.0, true));
        assertEquals(Verdict.WITHIN_NOISE, BenchReport.verdict(new Interval(1.0, 1.5), 1.0, false));
        assertEquals(Verdict.MET, BenchReport.verdict(new Interval(0.5, 0.99), 1.0, true));
    }

    @Test
    void skynetsTargetIsStrict() {
        // (270 + 20) / (300 - 10) = 1.0 exactly: at the target, so not met, and not missed either
        List<Scaling> scalings = BenchReport.scalings(List.of(
                result("SkynetBench.gmpjWaitGroup", Map.of("procs", "1"), 300, 10),
                result("SkynetBench.gmpjWaitGroup", Map.of("procs", "2"), 270, 20)));
        assertEquals(1, scalings.size(), scalings.toString());
        assertEquals(1.0, scalings.getFirst().interval().high(), 1e-12);
        assertEquals(Verdict.WITHIN_NOISE, scalings.getFirst().verdict());
    }

    private static Result result(String name, Map<String, String> params, double score) {
        return result(name, params, score, 1);
    }

    private static Result result(String name, Map<String, String> params, double score, double error) {
        return new Result(name, new TreeMap<>(params), "avgt", score, error, "ns/op", Map.of(), 1, "");
    }

    private String report() throws IOException {
        Path json = Files.writeString(dir.resolve("jmh-result.json"), "[\n" + String.join(",\n", RUNS) + "\n]\n");
        Path md = dir.resolve("benchmarks.md");
        BenchReport.main(new String[] {json.toString(), md.toString(), dir.resolve("benchmarks.png").toString()});
        return Files.readString(md);
    }

    /** Cell {@code column} (1 = the benchmark) of the second-processor table's row for {@code benchmark}. */
    private static String cell(String md, String benchmark, int column) {
        String table = md.substring(md.indexOf("## Second processor"), md.indexOf("## Absolute numbers"));
        for (String line : table.lines().toList()) {
            String[] cells = line.split("\\|", -1);
            if (cells.length > 8 && cells[1].trim().equals(benchmark)) {
                return cells[column].trim();
            }
        }
        throw new AssertionError("no second-processor row for " + benchmark + " in\n" + table);
    }
}
