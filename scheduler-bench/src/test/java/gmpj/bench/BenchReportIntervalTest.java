package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.bench.BenchReport.Interval;
import gmpj.bench.BenchReport.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The ratio interval and the verdict rule of {@link BenchReport}, at their edges. */
class BenchReportIntervalTest {

    @Test
    void theIntervalCombinesBothScoresExtremes() {
        Interval i = BenchReport.ratioInterval(80, 20, 100, 50);
        assertEquals(60.0 / 150, i.low(), 1e-12);
        assertEquals(100.0 / 50, i.high(), 1e-12);
    }

    @Test
    void aBaselineWhoseIntervalReachesZeroLeavesTheRatioUnboundedAbove() {
        assertEquals(Double.POSITIVE_INFINITY, BenchReport.ratioInterval(1, 0.1, 10, 10).high());
        assertEquals(Double.POSITIVE_INFINITY, BenchReport.ratioInterval(1, 0.1, 10, 12).high());
        assertEquals(Verdict.WITHIN_NOISE, BenchReport.verdict(BenchReport.ratioInterval(1, 0.1, 10, 10), 1000));
    }

    @Test
    void aGmpjIntervalReachingBelowZeroStartsTheRatioAtZero() {
        assertEquals(0.0, BenchReport.ratioInterval(10, 15, 100, 1).low());
    }

    @Test
    void onTheTargetCountsAsMetAtTheHighEndAndAsNoiseAtTheLowEnd() {
        // high end exactly on the target: every ratio the run allows meets it
        assertEquals(Verdict.MET, BenchReport.verdict(new Interval(0.2, 0.5), 0.5));
        // low end exactly on the target: the run allows a ratio that meets it
        assertEquals(Verdict.WITHIN_NOISE, BenchReport.verdict(new Interval(0.5, 0.9), 0.5));
        assertEquals(Verdict.MISSED, BenchReport.verdict(new Interval(0.51, 0.9), 0.5));
    }

    @Test
    void noErrorNoVerdictAndNoTargetNoVerdict() {
        Interval unknown = BenchReport.ratioInterval(1, Double.NaN, 2, 0.1);
        assertFalse(unknown.known());
        assertEquals("n/a", unknown.text());
        assertEquals(Verdict.NO_ERROR_ESTIMATE, BenchReport.verdict(unknown, 1));
        assertEquals(Verdict.NONE, BenchReport.verdict(new Interval(0.1, 0.2), Double.NaN));
    }

    @Test
    void aScoreThatIsNoTimeIsRefusedNamingTheValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchReport.ratioInterval(0, 1, 10, 1));
        assertTrue(e.getMessage().contains("gmpj 0.0 ± 1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchReport.ratioInterval(1, 1, -10, 1));
        assertThrows(IllegalArgumentException.class, () -> BenchReport.ratioInterval(1, -1, 10, 1));
    }

    @Test
    void theTargetedRegexMatchesBothSidesOfEveryTargetedPairAndNothingElse() {
        Pattern targeted = Pattern.compile("^" + BenchReport.targetedRegex() + "$");
        List<String> names = new ArrayList<>();
        for (BenchReport.Pair p : BenchReport.PAIRS) {
            names.add(p.gmpj());
            names.add(p.baseline());
        }
        BenchReport.SECOND_PROCESSOR.forEach(p -> names.add(p.benchmark()));
        for (String name : names) {
            boolean targetRead = BenchReport.PAIRS.stream()
                    .anyMatch(q -> q.hasTarget() && (q.gmpj().equals(name) || q.baseline().equals(name)))
                    || BenchReport.SECOND_PROCESSOR.stream().anyMatch(q -> q.hasTarget() && q.benchmark().equals(name));
            assertEquals(targetRead, targeted.matcher("gmpj.bench." + name).matches(), name);
        }
        assertFalse(targeted.matcher("gmpj.bench.SkynetBench.forkJoinRecursiveTask").find());
        assertFalse(targeted.matcher("gmpj.bench.PingPongBench.gmpjX").find(), "a name's prefix must not match");
    }
}
