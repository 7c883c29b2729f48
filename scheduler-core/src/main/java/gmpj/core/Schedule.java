package gmpj.core;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How a {@link Bubble} picks the next goroutine at each scheduling point, from one seed: the same
 * seed and the same program give the same choices. An even seed picks a random walk, an odd one
 * PCT; both are probabilistic, so a bug that needs a rare order is found after some number of
 * seeds, not proved absent.
 */
abstract class Schedule {
    final long seed;
    final SplittableRandom rng;

    Schedule(long seed) {
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
    }

    /** The schedule of {@code seed}: a random walk for an even seed, PCT for an odd one. */
    static Schedule of(long seed) {
        return (seed & 1) == 0 ? new RandomWalk(seed) : new Pct(seed, PCT_DEPTH, PCT_STEPS);
    }

    /** PCT's bug depth: orderings of up to this many scheduling constraints get a fair chance. */
    static final int PCT_DEPTH = 3;
    /** PCT's guess of a run's length in steps, over which it spreads its priority change points. */
    static final int PCT_STEPS = 200;

    /** Which of {@code runnable} (not empty) runs next: its index. */
    abstract int pick(Bubble b, List<G> runnable);

    /** Whether {@code current}, at a scheduling point where it could carry on, yields instead. */
    abstract boolean preemptAt(Bubble b, G current, List<G> runnable);

    /**
     * The random walk: every runnable goroutine is equally likely next, and at every scheduling
     * point the running one yields with probability one half.
     */
    static final class RandomWalk extends Schedule {
        RandomWalk(long seed) {
            super(seed);
        }

        @Override
        int pick(Bubble b, List<G> runnable) {
            return rng.nextInt(runnable.size());
        }

        @Override
        boolean preemptAt(Bubble b, G current, List<G> runnable) {
            return !runnable.isEmpty() && rng.nextBoolean();
        }

        @Override
        public String toString() {
            return "seed " + seed + " (random walk)";
        }
    }

    /**
     * Probabilistic concurrency testing (Burckhardt et al., 2010): each goroutine gets a random
     * priority when first seen and the highest-priority runnable goroutine always runs; at
     * {@code depth - 1} steps chosen at random among the first {@code steps}, the running goroutine's
     * priority drops below every other. A bug that needs {@code depth} ordering constraints is
     * found with probability at least 1 / (n · steps<sup>depth - 1</sup>) per seed for n goroutines.
     */
    static final class Pct extends Schedule {
        private final List<Long> changePoints = new ArrayList<>();
        private int lowered;

        Pct(long seed, int depth, int steps) {
            super(seed);
            for (int i = 0; i < depth - 1; i++) {
                changePoints.add(1 + (long) rng.nextInt(steps));
            }
        }

        private int priority(Bubble b, G g) {
            return b.priorities.computeIfAbsent(g, x -> rng.nextInt(1_000_000) + 1_000);
        }

        @Override
        int pick(Bubble b, List<G> runnable) {
            int best = 0;
            for (int i = 1; i < runnable.size(); i++) {
                if (priority(b, runnable.get(i)) > priority(b, runnable.get(best))) {
                    best = i;
                }
            }
            if (changePoints.contains(b.steps)) {
                b.priorities.put(runnable.get(best), lowered++ - 1_000); // below every first priority
            }
            return best;
        }

        @Override
        boolean preemptAt(Bubble b, G current, List<G> runnable) {
            int mine = priority(b, current);
            for (G g : runnable) {
                if (priority(b, g) > mine) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return "seed " + seed + " (PCT, depth " + (changePoints.size() + 1) + ")";
        }
    }
}
