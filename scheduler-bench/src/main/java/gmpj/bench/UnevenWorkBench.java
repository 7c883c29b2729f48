package gmpj.bench;

import gmpj.core.Scheduler;
import gmpj.core.SchedulerStats;
import gmpj.core.StealPolicy;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link UnevenWork} on gmpj under every built-in {@link StealPolicy}: milliseconds per invocation
 * (all {@value UnevenWork#TASKS} tasks started by one goroutine and finished), and beside it, as
 * JMH secondary results, the scheduler's own counters: {@code steals} (successful raids on another
 * processor's queue) and {@code stolen} (goroutines those raids moved), as totals over the
 * {@code invocations} measured (see {@link StealCounters}).
 *
 * <p>With {@code procs=2} the ideal is half the sequential time; {@code none} shows what the second
 * processor gets from the global queue alone. The baselines, virtual threads, a ForkJoinPool and a
 * fixed platform-thread pool on the same workload, are in {@link UnevenWorkBaselines} (they have
 * no policy to vary).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class UnevenWorkBench {
    /** Processors. One would leave nothing to steal. */
    @Param({"2"})
    public int procs;

    /** The steal policy, by {@link StealPolicy#byName} name. */
    @Param({"go", "steal-one", "round-robin", "longest-queue-first", "none"})
    public String policy;

    /** The gmpj scheduler under test, with the policy of this run. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        Scheduler scheduler;

        @Setup(Level.Trial)
        public void start(UnevenWorkBench bench) {
            scheduler = Scheduler.builder().procs(bench.procs).stealPolicy(StealPolicy.byName(bench.policy))
                    .name("uneven-bench").build();
        }

        @TearDown(Level.Trial)
        public void stop() {
            scheduler.close();
        }
    }

    /**
     * The scheduler's steal counters as JMH secondary results, read from {@link Scheduler#stats()}
     * before and after each invocation, outside the timed part. JMH adds EVENTS counters up over
     * the measured iterations, so these are totals: divide {@code steals} and {@code stolen} by
     * {@code invocations} for per-invocation figures (the report does).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class StealCounters {
        /** Invocations measured in this iteration. */
        public long invocations;
        /** Successful steals during them. */
        public long steals;
        /** Goroutines those steals moved. */
        public long stolen;
        private long stealsBefore;
        private long stolenBefore;

        @Setup(Level.Iteration)
        public void reset() {
            invocations = 0;
            steals = 0;
            stolen = 0;
        }

        @Setup(Level.Invocation)
        public void before(Gmpj gmpj) {
            SchedulerStats st = gmpj.scheduler.stats();
            stealsBefore = st.steals();
            stolenBefore = st.stolen();
        }

        @TearDown(Level.Invocation)
        public void after(Gmpj gmpj) {
            SchedulerStats st = gmpj.scheduler.stats();
            steals += st.steals() - stealsBefore;
            stolen += st.stolen() - stolenBefore;
            invocations++;
        }
    }

    @Benchmark
    public void gmpj(Gmpj state, StealCounters counters) {
        UnevenWork.check(UnevenWork.run(state.scheduler::go));
    }
}
