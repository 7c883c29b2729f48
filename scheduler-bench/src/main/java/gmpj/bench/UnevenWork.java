package gmpj.bench;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * The uneven workload shared by {@link UnevenWorkBench}, {@link UnevenWorkBaselines} and
 * {@link UnevenSpeedupBench}, after the work-stealing demonstration of the Go tutorials:
 * {@value #TASKS} CPU-bound tasks, all started by one task, the first half {@value #HEAVY_FACTOR}
 * times heavier than the second. Started from one place, they all queue on one processor; a second
 * processor gets a share only by stealing (or, in gmpj, from the global queue the first one spills
 * into), and the heavy half makes a bad split costly.
 *
 * <p>It comes in two sizes: the small one ({@link #LIGHT_STEPS}) for comparing steal policies, where
 * every task is far shorter than a time slice, and the realistic one
 * ({@link #REALISTIC_LIGHT_STEPS}), whose heavy tasks compute for most of two time slices, as real
 * CPU-bound tasks do, so that sysmon's preempt requests and its judgement of hogs come into play.
 *
 * <p>A task's work is a chain of xorshift steps, which the JIT cannot shorten; each task adds its
 * final value into the sum, which the benchmark checks against the sequential sum.
 */
final class UnevenWork {
    /** Tasks per invocation. */
    static final int TASKS = 100;
    /** How much heavier each task of the first half is than each of the second. */
    static final int HEAVY_FACTOR = 10;
    /**
     * Xorshift steps of a light task, small size: about 33 µs once compiled, on one core of the
     * 2-vCPU machine of {@code docs/benchmarks.md}, so a heavy one is about 0.33 ms and an
     * invocation (50 heavy and 50 light tasks) about 18 ms of CPU, ideally 9 ms on two processors.
     * The report's figures agree: about 20 ms under the {@code none} policy, where one processor
     * runs nearly every task, and about 10 ms under the stealing policies and on the baselines.
     */
    static final int LIGHT_STEPS = 20_000;
    /**
     * Xorshift steps of a light task, realistic size: 50 times the small one, about 1.7 ms, so a
     * heavy task computes for about 17 ms (under two 10 ms time slices, past one) and an invocation
     * is about 0.92 s of CPU, ideally 0.46 s on two processors.
     */
    static final int REALISTIC_LIGHT_STEPS = 1_000_000;
    /** The sum of every task's result at the small size, computed once on one thread. */
    static final long EXPECTED = sequential(LIGHT_STEPS);

    private UnevenWork() {}

    /** Xorshift steps task {@code i} runs when a light task runs {@code lightSteps}. */
    static int steps(int i, int lightSteps) {
        return i < TASKS / 2 ? lightSteps * HEAVY_FACTOR : lightSteps;
    }

    /** Task {@code i}'s work at the small size. */
    static long work(int i) {
        return work(i, LIGHT_STEPS);
    }

    /** Task {@code i}'s work: {@link #steps(int, int)} xorshift steps from a seed of its own. */
    static long work(int i, int lightSteps) {
        long x = 0x9E3779B97F4A7C15L * (i + 1);
        for (int n = steps(i, lightSteps); n > 0; n--) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** {@link #run(Executor, int)} at the small size. */
    static long run(Executor start) {
        return run(start, LIGHT_STEPS);
    }

    /**
     * One run of the workload on any runtime: {@code start} starts a root task, which starts the
     * {@value #TASKS} tasks with {@code start} too, so that they all begin where the root runs;
     * waits for them (the calling thread or goroutine parks) and returns the sum of their results,
     * for {@link #check}.
     */
    static long run(Executor start, int lightSteps) {
        LongAdder sum = new LongAdder();
        Countdown done = new Countdown();
        done.reset(TASKS);
        start.execute(() -> {
            for (int i = 0; i < TASKS; i++) {
                int task = i;
                start.execute(() -> {
                    sum.add(work(task, lightSteps));
                    done.countDown();
                });
            }
        });
        done.await();
        return sum.sum();
    }

    /** The same tasks one after the other on the calling thread: the one-thread side of a speed-up. */
    static long sequential(int lightSteps) {
        long sum = 0;
        for (int i = 0; i < TASKS; i++) {
            sum += work(i, lightSteps);
        }
        return sum;
    }

    /** Throws if the tasks' results, added up, differ from the sequential sum at the small size. */
    static void check(long sum) {
        check(sum, EXPECTED);
    }

    /** Throws if the tasks' results, added up, differ from {@code expected}, the sequential sum. */
    static void check(long sum, long expected) {
        if (sum != expected) {
            throw new IllegalStateException("uneven work summed to " + sum + ", expected " + expected
                    + ": a task was lost or ran twice");
        }
    }
}
