package gmpj.bench;

import gmpj.core.Scheduler;
import gmpj.core.SchedulerStats;
import java.time.Duration;
import java.util.concurrent.ForkJoinPool;
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
 * {@link UnevenWork} at its realistic size ({@link UnevenWork#REALISTIC_LIGHT_STEPS}: heavy tasks of
 * about 17 ms of CPU time, 0.92 s of work per invocation), for the speed-up over one thread:
 * {@code sequential} runs the same tasks one after the other on the benchmark thread, in the same
 * JMH run as the others, so that {@code sequential / gmpj} (and {@code sequential /} each baseline)
 * is a speed-up whose two sides met the same machine. At {@code procs=2} on two cores the ideal is
 * 2.
 *
 * <p>gmpj runs on {@code procs} processors with a time slice of {@code timeSliceMs} (10 ms is the
 * default; a huge one, {@code -p timeSliceMs=100000}, turns preempt requests and hog hand-offs
 * off, for comparison). Its heavy tasks are past one time slice, so each gets a preempt request,
 * and a busy machine can stretch one past two, where sysmon judges it (see
 * {@code HogPolicy}). Beside the time, as JMH secondary results (totals over the measured
 * invocations: divide by {@code invocations}), what that cost: {@code handoffs} (processors sysmon
 * handed to another carrier), {@code hogs}, {@code carriersStarted} (threads started for
 * hand-offs, beyond the first {@code procs}), {@code sysmonRounds} and {@code preemptRequests}
 * (see {@link Counters}). Sysmon's reports of hogs go to a sink that drops them, so the run's log
 * stays readable; they are still sampled and formatted.
 *
 * <p>The baselines are those of {@link UnevenWorkBaselines} at this size: virtual threads, a
 * ForkJoinPool and a fixed platform-thread pool, each on {@code procs} carriers or threads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
public class UnevenSpeedupBench {
    /** The sum every run must give, computed once per trial on one thread. */
    @State(Scope.Benchmark)
    public static class Expected {
        long sum;

        @Setup(Level.Trial)
        public void compute() {
            sum = UnevenWork.sequential(UnevenWork.REALISTIC_LIGHT_STEPS);
        }
    }

    /**
     * Processors (gmpj), carriers (virtual threads), parallelism (ForkJoinPool) or threads (fixed
     * pool); not a parameter of {@code sequential}, which a report pairs with each of them.
     */
    @State(Scope.Benchmark)
    public static class Procs {
        @Param({"2"})
        public int procs;
    }

    /** The gmpj scheduler under test. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        /** The scheduler's time slice, in milliseconds. */
        @Param({"10"})
        public long timeSliceMs;

        Scheduler scheduler;

        @Setup(Level.Trial)
        public void start(Procs procs) {
            scheduler = Scheduler.builder().procs(procs.procs).timeSlice(Duration.ofMillis(timeSliceMs))
                    .diagnostics(line -> { }).name("uneven-speedup").build();
        }

        @TearDown(Level.Trial)
        public void stop() {
            scheduler.close();
        }
    }

    /**
     * The scheduler's sysmon counters as JMH secondary results, read from {@link Scheduler#stats()}
     * before and after each invocation, outside the timed part. JMH adds EVENTS counters up over
     * the measured iterations, so these are totals: divide by {@code invocations}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        /** Invocations measured in this iteration. */
        public long invocations;
        /** Processors sysmon handed from a carrier to another during them. */
        public long handoffs;
        /** Goroutines judged hogs. */
        public long hogs;
        /** Carrier threads started (a hand-off that found no spare starts one). */
        public long carriersStarted;
        /** Times sysmon woke. */
        public long sysmonRounds;
        /** Preempt requests sysmon made. */
        public long preemptRequests;
        private SchedulerStats before;

        @Setup(Level.Iteration)
        public void reset() {
            invocations = 0;
            handoffs = 0;
            hogs = 0;
            carriersStarted = 0;
            sysmonRounds = 0;
            preemptRequests = 0;
        }

        @Setup(Level.Invocation)
        public void before(Gmpj gmpj) {
            before = gmpj.scheduler.stats();
        }

        @TearDown(Level.Invocation)
        public void after(Gmpj gmpj) {
            SchedulerStats st = gmpj.scheduler.stats();
            handoffs += st.handoffs() - before.handoffs();
            hogs += st.hogs() - before.hogs();
            carriersStarted += st.carriersStarted() - before.carriersStarted();
            sysmonRounds += st.sysmonRounds() - before.sysmonRounds();
            preemptRequests += st.preemptRequests() - before.preemptRequests();
            invocations++;
        }
    }

    /** The JDK's virtual-thread scheduler with {@code procs} carriers. */
    @State(Scope.Benchmark)
    public static class VirtualThreads {
        @Setup(Level.Trial)
        public void start(Procs procs) {
            VirtualThreadScheduler.parallelism(procs.procs);
        }
    }

    /** A ForkJoinPool of parallelism {@code procs}. */
    @State(Scope.Benchmark)
    public static class ForkJoin {
        ForkJoinPool pool;

        @Setup(Level.Trial)
        public void start(Procs procs) {
            pool = new ForkJoinPool(procs.procs);
        }

        @TearDown(Level.Trial)
        public void stop() {
            pool.close();
        }
    }

    @Benchmark
    public void sequential(Expected expected) {
        UnevenWork.check(UnevenWork.sequential(UnevenWork.REALISTIC_LIGHT_STEPS), expected.sum);
    }

    @Benchmark
    public void gmpj(Gmpj state, Counters counters, Expected expected) {
        UnevenWork.check(UnevenWork.run(state.scheduler::go, UnevenWork.REALISTIC_LIGHT_STEPS), expected.sum);
    }

    @Benchmark
    public void virtualThreads(VirtualThreads state, Expected expected) {
        UnevenWork.check(UnevenWork.run(Thread::startVirtualThread, UnevenWork.REALISTIC_LIGHT_STEPS), expected.sum);
    }

    @Benchmark
    public void forkJoin(ForkJoin state, Expected expected) {
        UnevenWork.check(UnevenWork.run(state.pool::execute, UnevenWork.REALISTIC_LIGHT_STEPS), expected.sum);
    }

    @Benchmark
    public void platformPool(Procs procs, FixedThreadPool state, Expected expected) {
        UnevenWork.check(UnevenWork.run(state.pool::execute, UnevenWork.REALISTIC_LIGHT_STEPS), expected.sum);
    }
}
