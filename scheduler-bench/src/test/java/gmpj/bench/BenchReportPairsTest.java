package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The report's comparison table ({@link BenchReport#PAIRS}) and the benchmarks agree: every name
 * in it is a real benchmark, and every baseline benchmark is compared with gmpj somewhere, so that
 * a baseline added to a benchmark class cannot silently stay out of {@code docs/benchmarks.md}.
 */
class BenchReportPairsTest {

    @Test
    void everyPairNamesTwoBenchmarkMethods() throws Exception {
        Set<String> benchmarks = benchmarkMethods();
        for (BenchReport.Pair pair : BenchReport.PAIRS) {
            assertTrue(benchmarks.contains(pair.gmpj()), pair.gmpj() + " is not a @Benchmark method; benchmarks: " + benchmarks);
            assertTrue(benchmarks.contains(pair.baseline()),
                    pair.baseline() + " is not a @Benchmark method; benchmarks: " + benchmarks);
        }
    }

    @Test
    void everySecondProcessorRowNamesABenchmarkMethod() throws Exception {
        Set<String> benchmarks = benchmarkMethods();
        for (BenchReport.SecondProcessor row : BenchReport.SECOND_PROCESSOR) {
            assertTrue(benchmarks.contains(row.benchmark()),
                    row.benchmark() + " is not a @Benchmark method; benchmarks: " + benchmarks);
        }
    }

    @Test
    void everyBenchmarkIsInTheReportsRatios() throws Exception {
        Set<String> unpaired = benchmarkMethods();
        for (BenchReport.Pair pair : BenchReport.PAIRS) {
            unpaired.remove(pair.gmpj());
            unpaired.remove(pair.baseline());
        }
        assertEquals(Set.of(), unpaired, "benchmarks no ratio in BenchReport.PAIRS uses: add a pair for each");
    }

    /**
     * {@code Class.method} of every {@link Benchmark} method of the classes in this package and the
     * packages under it ({@code gmpj.bench.net}), named as JMH's results name them to the report.
     */
    static Set<String> benchmarkMethods() throws IOException, URISyntaxException, ClassNotFoundException {
        // Tests run against target/classes, a directory: list the class files under this package's there.
        Path root = Path.of(BenchReport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve("gmpj/bench");
        List<String> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .forEach(n -> classes.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
        }
        Set<String> out = new TreeSet<>();
        for (String name : classes) {
            Class<?> c = Class.forName(name, false, BenchReport.class.getClassLoader());
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Benchmark.class)) {
                    out.add(c.getSimpleName() + "." + m.getName());
                }
            }
        }
        assertTrue(out.size() > 10, "found only " + out + " in " + dir);
        return out;
    }
}
