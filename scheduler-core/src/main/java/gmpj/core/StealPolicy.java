package gmpj.core;

import java.util.List;
import java.util.Locale;

/**
 * Decides, for an idle processor looking for work, which other processors to rob and how much to
 * take. Pluggable so that people can compare policies on their own workloads
 * ({@link Scheduler.Builder#stealPolicy}).
 *
 * <p>A spinning processor makes up to {@link #rounds()} rounds; in each it asks {@link #order} for
 * the victims to try, in order, and stops at the first that yields work. From a victim with
 * {@code n} queued goroutines it takes {@link #amount amount(n)} of them (clamped to {@code 1..n})
 * in one CAS, runs one and queues the rest locally. In the last round it may also take a victim's
 * {@code runnext} goroutine, as Go does.
 *
 * <p>Implementations are called concurrently by every carrier and must be thread-safe; they must
 * not allocate or block (they run on the scheduler's hot path). They are only ever called by
 * carrier threads, outside any goroutine: a policy cannot park, and must not try. The built-in
 * policies are stateless constants.
 */
public interface StealPolicy {

    /**
     * What a policy may look at: the processors and their queue lengths, and a fast random source.
     * Handed to {@link StealPolicy#order} by the carrier that steals, and only valid in that call on
     * that thread: its random source is the carrier's own and is not thread-safe, so a policy must
     * not keep it or share it.
     */
    interface Victims {
        /**
         * The number of processors ({@code procs}).
         *
         * @return the processor count
         */
        int count();

        /**
         * A racy estimate of processor {@code p}'s local queue length.
         *
         * @param p the processor's index
         * @return the approximate number of goroutines in its local queue
         */
        int queueLength(int p);

        /**
         * A pseudo-random int in {@code [0, bound)} from the calling carrier's own generator.
         *
         * @param bound the exclusive upper bound, positive
         * @return a value from 0 to {@code bound - 1}
         */
        int nextInt(int bound);
    }

    /**
     * The policy's short name, as used by {@link #byName} and in benchmark parameters.
     *
     * @return the policy's name
     */
    String name();

    /**
     * Rounds over the victims before the processor gives up and parks. Go makes 4.
     *
     * @return the number of rounds
     */
    default int rounds() {
        return 4;
    }

    /**
     * Writes into {@code out} the processors to try, in order, never {@code thief} itself, and
     * returns how many were written (at most {@code victims.count() - 1}; 0 means "steal nothing").
     *
     * @param thief   the idle processor that steals
     * @param victims the processors and their queue lengths
     * @param out     receives the victims' indices, in the order to try them
     * @return the number of victims written to {@code out}
     */
    int order(int thief, Victims victims, int[] out);

    /**
     * How many of a victim's {@code queued} goroutines ({@code >= 1}) to take.
     *
     * @param queued the goroutines in the victim's queue
     * @return the number to take (clamped to {@code 1..queued})
     */
    int amount(int queued);

    /**
     * Go's policy: victims in a random coprime order, steal half. The default.
     *
     * @return Go's policy
     */
    static StealPolicy go() {
        return StealPolicies.GO;
    }

    /**
     * Victims in Go's random order, but take a single goroutine.
     *
     * @return the steal-one policy
     */
    static StealPolicy stealOne() {
        return StealPolicies.STEAL_ONE;
    }

    /**
     * Victims in ring order starting at the thief's right-hand neighbour, steal half.
     *
     * @return the round-robin policy
     */
    static StealPolicy roundRobin() {
        return StealPolicies.ROUND_ROBIN;
    }

    /**
     * The victim with the longest queue first, steal half.
     *
     * @return the longest-queue-first policy
     */
    static StealPolicy longestQueueFirst() {
        return StealPolicies.LONGEST_FIRST;
    }

    /**
     * No stealing at all: idle processors only take from the global queue. A baseline.
     *
     * @return the policy that never steals
     */
    static StealPolicy none() {
        return StealPolicies.NONE;
    }

    /**
     * The built-in policies, in the order above.
     *
     * @return the built-in policies
     */
    static List<StealPolicy> builtIns() {
        return StealPolicies.ALL;
    }

    /**
     * A built-in policy by its {@link #name()}: {@code go}, {@code steal-one}, {@code round-robin},
     * {@code longest-queue-first} or {@code none}.
     *
     * @param name the policy's name
     * @return the built-in policy of that name
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    static StealPolicy byName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (StealPolicy p : StealPolicies.ALL) {
            if (p.name().equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown steal policy '" + name + "'; use one of "
                + StealPolicies.ALL.stream().map(StealPolicy::name).toList());
    }
}
