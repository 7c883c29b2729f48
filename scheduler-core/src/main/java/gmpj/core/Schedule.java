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

    /** Takes the goroutine that runs next out of {@code b}'s queues (at least one is queued). */
    abstract G next(Bubble b);

    /** Whether {@code current}, at a scheduling point where it could carry on, yields instead. */
    abstract boolean preemptAt(Bubble b, G current);

    /**
     * The random walk over the emulated processors: a random processor runs next and takes its
     * work as a carrier would (runnext, its ring, the global queue, a steal); at every scheduling
     * point the running goroutine yields with probability one half.
     */
    static final class RandomWalk extends Schedule {
        RandomWalk(long seed) {
            super(seed);
        }

        @Override
        G next(Bubble b) {
            int start = rng.nextInt(b.procs);
            for (int i = 0; i < b.procs; i++) {
                G g = b.takeOn((start + i) % b.procs, rng);
                if (g != null) {
                    return g;
                }
            }
            throw new IllegalStateException("gmpj bug: goroutines queued in a bubble but no processor found one");
        }

        @Override
        boolean preemptAt(Bubble b, G current) {
            return b.anyQueued() && rng.nextBoolean();
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
        G next(Bubble b) {
            List<G> runnable = b.allQueued();
            G best = runnable.get(0);
            for (G g : runnable) {
                if (priority(b, g) > priority(b, best)) {
                    best = g;
                }
            }
            if (changePoints.contains(b.steps)) {
                b.priorities.put(best, lowered++ - 1_000); // below every first priority
            }
            return b.take(best);
        }

        @Override
        boolean preemptAt(Bubble b, G current) {
            int mine = priority(b, current);
            for (G g : b.allQueued()) {
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
