package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The built-in steal policies' victim orders and amounts, called directly. */
class StealPolicyTest {

    /** Victims with fixed queue lengths and a seeded random source. */
    private record FixedVictims(int[] lengths, SplittableRandom random) implements StealPolicy.Victims {
        FixedVictims(int... lengths) {
            this(lengths, new SplittableRandom(42));
        }

        @Override
        public int count() {
            return lengths.length;
        }

        @Override
        public int queueLength(int p) {
            return lengths[p];
        }

        @Override
        public int nextInt(int bound) {
            return random.nextInt(bound);
        }
    }

    private static int[] order(StealPolicy policy, int thief, StealPolicy.Victims victims) {
        int[] out = new int[victims.count()];
        int k = policy.order(thief, victims, out);
        return Arrays.copyOf(out, k);
    }

    @Test
    void builtInsAreTheFiveDocumentedPoliciesInOrder() {
        assertEquals(List.of("go", "steal-one", "round-robin", "longest-queue-first", "none"),
                StealPolicy.builtIns().stream().map(StealPolicy::name).toList());
        for (StealPolicy p : StealPolicy.builtIns()) {
            assertSame(p, StealPolicy.byName(" " + p.name().toUpperCase() + " "), "byName trims and ignores case");
        }
    }

    @Test
    void unknownPolicyNameIsRejectedWithTheValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StealPolicy.byName("fastest"));
        assertTrue(e.getMessage().contains("fastest") && e.getMessage().contains("round-robin"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 6, 7, 12})
    void randomOrderVisitsEveryOtherProcessorExactlyOnce(int procs) {
        FixedVictims victims = new FixedVictims(new int[procs]);
        Set<String> distinctOrders = new HashSet<>();
        for (int trial = 0; trial < 200; trial++) {
            int thief = trial % procs;
            int[] o = order(StealPolicy.go(), thief, victims);
            int[] expected = IntStream.range(0, procs).filter(p -> p != thief).toArray();
            assertArrayEquals(expected, Arrays.stream(o).sorted().toArray(), "order " + Arrays.toString(o) + " for thief " + thief);
            if (thief == 0) {
                distinctOrders.add(Arrays.toString(o));
            }
        }
        if (procs >= 4) {
            assertTrue(distinctOrders.size() > 1, "the order must vary between attempts: " + distinctOrders);
        }
    }

    @Test
    void roundRobinStartsAtTheRightHandNeighbour() {
        assertArrayEquals(new int[] {3, 0, 1}, order(StealPolicy.roundRobin(), 2, new FixedVictims(0, 0, 0, 0)));
    }

    @Test
    void longestQueueFirstOrdersVictimsByQueueLength() {
        assertArrayEquals(new int[] {3, 0, 1}, order(StealPolicy.longestQueueFirst(), 2, new FixedVictims(5, 1, 99, 40)));
    }

    @Test
    void noneStealsNothing() {
        assertEquals(0, StealPolicy.none().rounds());
        assertEquals(0, order(StealPolicy.none(), 0, new FixedVictims(9, 9)).length);
    }

    @Test
    void singleProcessorHasNoVictims() {
        for (StealPolicy p : StealPolicy.builtIns()) {
            assertEquals(0, order(p, 0, new FixedVictims(7)).length, p.name());
        }
    }
}
