package gmpj.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The platform-thread baseline: {@link Executors#newFixedThreadPool} with as many threads as the
 * benchmark's {@code procs} parameter, the way most Java code runs small tasks. Its threads share
 * one queue and block in the kernel when they wait, so it fits only benchmarks whose tasks never
 * wait for each other (each benchmark class says where it does not apply, and why).
 *
 * <p>A JMH state shared by every benchmark class that has a {@code procs} parameter; it reads the
 * parameter through {@link BenchmarkParams} rather than from the benchmark object, which is of a
 * different class in each.
 */
@State(Scope.Benchmark)
public class FixedThreadPool {
    ExecutorService pool;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) {
        pool = Executors.newFixedThreadPool(Integer.parseInt(params.getParam("procs")));
    }

    @TearDown(Level.Trial)
    public void stop() {
        pool.close();
    }
}
