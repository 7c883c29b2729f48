package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.bench.BenchReport.Interval;
import gmpj.bench.CompareReport.MedianInterval;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The old-against-new report: medians, the distribution-free interval of the median paired ratio
 * and its coverage, the verdict's ±5 % band read in the right direction for time and throughput
 * scores, and, end to end, forks paired by number and verdicts only at one processor.
 */
class CompareReportTest {

    @TempDir
    Path dir;

    @Test
    void theMedianOfAnOddCountIsTheMiddleValueOfAnEvenCountTheMeanOfTheMiddleTwo() {
        assertEquals(3, CompareReport.median(new double[] {5, 1, 3}));
        assertEquals(2.5, CompareReport.median(new double[] {4, 1, 3, 2}));
        assertThrows(IllegalArgumentException.class, () -> CompareReport.median(new double[0]));
    }

    @Test
    void theIntervalOfFiveRatiosIsTheirRangeAndCoversTheMedian15TimesIn16() {
        MedianInterval mi = CompareReport.medianInterval(new double[] {1.02, 0.97, 1.10, 0.99, 1.01});
        assertEquals(new Interval(0.97, 1.10), mi.interval());
        assertEquals(0.9375, mi.coverage(), 1e-12);
    }

    @Test
    void withMoreForksTheIntervalDropsTheExtremes() {
        double[] ten = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
        MedianInterval mi = CompareReport.medianInterval(ten);
        // k = 2: 1 - 2 (1 + 10) / 1024 = 0.9785; k = 3 would cover only 1 - 2 (1 + 10 + 45) / 1024 = 0.8906
        assertEquals(new Interval(2, 9), mi.interval());
        assertEquals(1 - 2 * 11 / 1024.0, mi.coverage(), 1e-12);
    }

    @Test
    void withFewerThanFiveForksTheRangeCoversLess() {
        assertEquals(0.875, CompareReport.medianInterval(new double[] {1, 2, 3, 4}).coverage(), 1e-12);
        assertEquals(0.0, CompareReport.medianInterval(new double[] {1}).coverage(), 1e-12);
        assertEquals(new Interval(1, 1), CompareReport.medianInterval(new double[] {1}).interval());
    }

    @Test
    void verdictsReadTheWholeIntervalAgainstTheFivePercentBand() {
        assertEquals("within 5 %", CompareReport.verdict(1.0, new Interval(0.97, 1.03), "avgt"));
        assertEquals("within 5 %", CompareReport.verdict(1.0, new Interval(0.95, 1.05), "avgt"));
        assertEquals("**slower by 10 %** (at least 8 %)", CompareReport.verdict(1.10, new Interval(1.08, 1.2), "avgt"));
        assertEquals("faster by 15 % (at least 10 %)", CompareReport.verdict(0.85, new Interval(0.8, 0.9), "avgt"));
        assertEquals("inconclusive: 10 % faster to 10 % slower", CompareReport.verdict(1.0, new Interval(0.9, 1.1), "avgt"));
        // clearly slower, but perhaps by less than 5 %: not "slower by", not "within 5 %"
        assertEquals("inconclusive: 2 % slower to 9 % slower", CompareReport.verdict(1.05, new Interval(1.02, 1.09), "avgt"));
        assertEquals("inconclusive: no interval",
                CompareReport.verdict(1.0, new Interval(Double.NaN, Double.NaN), "avgt"));
    }

    @Test
    void forAThroughputScoreAHigherRatioIsFaster() {
        // new / old = 0.8 in operations per second: each operation takes 1 / 0.8 = 1.25 times as long
        assertEquals("**slower by 25 %** (at least 11 %)", CompareReport.verdict(0.8, new Interval(0.7, 0.9), "thrpt"));
        assertEquals("faster by 17 % (at least 9 %)", CompareReport.verdict(1.2, new Interval(1.1, 1.3), "thrpt"));
    }

    @Test
    void theProcessorCountComesFromTheParametersAndIsOneWithout() {
        assertEquals(1, CompareReport.procs(""));
        assertEquals(2, CompareReport.procs("procs=2"));
        assertEquals(1, CompareReport.procs("policy=go, procs=1"));
    }

    @Test
    void endToEndForksArePairedByNumberAndOnlyOneProcessorGetsAVerdict() throws IOException {
        // old forks 100, 102, 98, 101, 99; new forks the same times 1.01, 0.99, 1.02, 1.00, 0.98
        double[] old = {100, 102, 98, 101, 99};
        double[] factor = {1.01, 0.99, 1.02, 1.00, 0.98};
        for (int f = 1; f <= 5; f++) {
            Files.writeString(dir.resolve("old-f" + f + "-1.json"), json(
                    run("YieldBench.gmpjYield", "", old[f - 1]),
                    run("PingPongBench.gmpj", "procs=2", 400 + f)));
            Files.writeString(dir.resolve("new-f" + f + "-1.json"), json(
                    run("YieldBench.gmpjYield", "", old[f - 1] * factor[f - 1]),
                    run("PingPongBench.gmpj", "procs=2", 600 + f),
                    run("YieldBench.gmpjYieldersPerProc", "procs=1", 50)));
        }
        Files.writeString(dir.resolve("compare.properties"), """
                nproc=2
                old=HEAD (abc)
                new=the working tree
                jmh.args=-wi 1 -i 1, 5 forks of each side
                """);
        Path md = dir.resolve("report/compare.md");
        CompareReport.main(new String[] {dir.toString(), md.toString()});
        String text = Files.readString(md);
        String yield = line(text, "| YieldBench.gmpjYield |  | 5 / 5 |");
        assertTrue(yield.contains("| **1.010** | 0.980 – 1.020 (93.8 %) | within 5 % |"), yield);
        assertTrue(yield.contains("| 100 ns/op | 101 ns/op |"), yield); // new median 100.98
        String pingPong = line(text, "| PingPongBench.gmpj | procs=2 |");
        assertTrue(pingPong.contains("| reported only (procs=2) |"), pingPong);
        assertTrue(pingPong.contains(String.format(Locale.ROOT, "**%.3f**", 603.0 / 403)), pingPong);
        assertTrue(line(text, "| YieldBench.gmpjYieldersPerProc | procs=1 | 0 / 5 |").contains("only in the new jar"), text);
        assertTrue(text.contains("| old | HEAD (abc) |"), text);
        assertTrue(text.contains("3 benchmark rows: 1 reported only, 1 within 5 %, 1 on one side only."), text);
    }

    @Test
    void aFolderWithoutRunsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompareReport.main(new String[] {dir.toString(), dir.resolve("compare.md").toString()}));
        assertTrue(e.getMessage().contains("holds no run files"), e.getMessage());
    }

    private static String line(String md, String start) {
        return md.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting " + start + " in\n" + md));
    }

    private static String json(String... runs) {
        return "[\n" + String.join(",\n", runs) + "\n]\n";
    }

    private static String run(String benchmark, String params, double score) {
        String p = params.isEmpty() ? "" : "\"params\" : {\"" + params.replace("=", "\" : \"") + "\"},";
        return String.format(Locale.ROOT, """
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "gmpj.bench.%s",
                    "mode" : "avgt",
                    "forks" : 1,
                    "jdkVersion" : "25",
                    "vmName" : "Test VM",
                    "vmVersion" : "25+1",
                    "warmupIterations" : 1,
                    "warmupTime" : "1 s",
                    "measurementIterations" : 1,
                    "measurementTime" : "1 s",
                    %s
                    "primaryMetric" : {
                        "score" : %s,
                        "scoreError" : "NaN",
                        "scoreUnit" : "ns/op"
                    },
                    "secondaryMetrics" : {}
                }""", benchmark, p, score);
    }
}
