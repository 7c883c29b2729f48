package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.bench.JmhResults.Result;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table of scheduler counters per invocation: totals over the measured invocations, divided. */
class BenchReportCauseTableTest {

    private static Result result(String name, Map<String, Double> secondary) {
        return new Result(name, Map.of("procs", "2"), "avgt", 400, 10, "ns/op", secondary, 3, "5 x 1 s");
    }

    @Test
    void countsAreShownPerInvocation() {
        Map<String, Double> c = new LinkedHashMap<>();
        c.put("invocations", 10.0);
        c.put("wakeups", 120.0);
        c.put("futileWakeups", 30.0);
        c.put("steals", 50.0);
        c.put("runnextSteals", 40.0);
        c.put("runnextSpared", 70.0);
        c.put("lingers", 90.0);
        c.put("crossReadies", 45.0);
        c.put("globalTakes", 20.0);
        StringBuilder sb = new StringBuilder();
        BenchReport.causeTable(sb, List.of(result("PingPongBench.gmpj", c), result("YieldBench.gmpjYield", Map.of())));
        String table = sb.toString();
        assertTrue(table.contains("| PingPongBench.gmpj | 2 | "), table);
        assertTrue(table.contains(" | 12.0 (3.0) | 5.0 (4.0) | 7.0 | 9.0 | 4.5 | 2.0 |"), table);
        assertEquals(-1, table.indexOf("YieldBench"), "a benchmark without the counters gets no row");
    }

    @Test
    void noBenchmarkWithCountersNoTable() {
        StringBuilder sb = new StringBuilder();
        BenchReport.causeTable(sb, List.of(result("YieldBench.gmpjYield", Map.of())));
        assertEquals("", sb.toString());
    }
}
