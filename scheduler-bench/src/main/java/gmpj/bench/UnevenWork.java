package gmpj.bench;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * The uneven workload shared by {@link UnevenWorkBench} and {@link UnevenWorkBaselines}, after the
 * work-stealing demonstration of the Go tutorials: {@value #TASKS} CPU-bound tasks, all started by
 * one task, the first half {@value #HEAVY_FACTOR} times heavier than the second. Started from one
 * place, they all queue on one processor; a second processor gets a share only by stealing (or, in
 * gmpj, from the global queue the first one spills into), and the heavy half makes a bad split
 * costly.
 *
 * <p>A task's work is a chain of xorshift steps, which the JIT cannot shorten; each task adds its
 * final value into {@link #results}, whose total the benchmark checks against {@link #EXPECTED}.
 */
final class UnevenWork {
    /** Tasks per invocation. */
    static final int TASKS = 100;
    /** How much heavier each task of the first half is than each of the second. */
    static final int HEAVY_FACTOR = 10;
    /**
     * Xorshift steps of a light task: about 33 µs once compiled, on one core of the 2-vCPU machine
     * of {@code docs/benchmarks.md}, so a heavy one is about 0.33 ms and an invocation (50 heavy and
     * 50 light tasks) about 18 ms of CPU, ideally 9 ms on two processors. The report's figures
     * agree: about 20 ms under the {@code none} policy, where one processor runs nearly every
     * task, and about 10 ms under the stealing policies and on the baselines.
     */
    static final int LIGHT_STEPS = 20_000;
    /** The sum of every task's result, computed once on one thread. */
    static final long EXPECTED = expected();

    private UnevenWork() {}

    /** Xorshift steps task {@code i} runs. */
    static int steps(int i) {
        return i < TASKS / 2 ? LIGHT_STEPS * HEAVY_FACTOR : LIGHT_STEPS;
    }

    /** Task {@code i}'s work: {@link #steps(int)} xorshift steps from a seed of its own. */
    static long work(int i) {
        long x = 0x9E3779B97F4A7C15L * (i + 1);
        for (int n = steps(i); n > 0; n--) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /**
     * One run of the workload on any runtime: {@code start} starts a root task, which starts the
     * {@value #TASKS} tasks with {@code start} too, so that they all begin where the root runs;
     * waits for them (the calling thread or goroutine parks) and returns the sum of their results,
     * for {@link #check}.
     */
    static long run(Executor start) {
        LongAdder sum = new LongAdder();
        Countdown done = new Countdown();
        done.reset(TASKS);
        start.execute(() -> {
            for (int i = 0; i < TASKS; i++) {
                int task = i;
                start.execute(() -> {
                    sum.add(work(task));
                    done.countDown();
                });
            }
        });
        done.await();
        return sum.sum();
    }

    private static long expected() {
        long sum = 0;
        for (int i = 0; i < TASKS; i++) {
            sum += work(i);
        }
        return sum;
    }

    /** Throws if the tasks' results, added up, differ from the sequential sum. */
    static void check(long sum) {
        if (sum != EXPECTED) {
            throw new IllegalStateException("uneven work summed to " + sum + ", expected " + EXPECTED + ": a task was lost or ran twice");
        }
    }
}
