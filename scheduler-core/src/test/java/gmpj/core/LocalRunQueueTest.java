package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The local run queue's single-threaded behaviour, with capacities shrunk so that the full-ring,
 * overflow and wrap-around paths are reached in a few operations. The goroutines are never run, so
 * they belong to no scheduler.
 */
class LocalRunQueueTest {
    private static final Runnable NOTHING = () -> {};

    private final GlobalRunQueue global = new GlobalRunQueue();
    private long nextId = 1;

    private G g() {
        return new G(null, nextId++, null, NOTHING);
    }

    private G[] gs(int n) {
        G[] a = new G[n];
        for (int i = 0; i < n; i++) {
            a[i] = g();
        }
        return a;
    }

    private static List<Long> ids(List<G> gs) {
        return gs.stream().map(x -> x.id).toList();
    }

    private List<Long> drainGlobal() {
        List<G> out = new ArrayList<>();
        for (G x; (x = global.poll()) != null; ) {
            out.add(x);
        }
        return ids(out);
    }

    private static List<Long> drainRing(LocalRunQueue q) {
        List<G> out = new ArrayList<>();
        for (G x; (x = q.poll()) != null; ) {
            out.add(x);
        }
        return ids(out);
    }

    private void putAll(LocalRunQueue q, G... gs) {
        for (G x : gs) {
            assertFalse(q.put(x, global), "put of " + x + " overflowed a ring with room");
        }
    }

    @Test
    void pollReturnsGoroutinesInFifoOrder() {
        LocalRunQueue q = new LocalRunQueue(8);
        G[] g = gs(5);
        putAll(q, g);
        assertEquals(5, q.size());
        assertEquals(List.of(g[0].id, g[1].id, g[2].id, g[3].id, g[4].id), drainRing(q));
        assertTrue(q.isEmpty());
        assertNull(q.poll());
    }

    @Test
    void fifoOrderHoldsAcrossManyWrapArounds() {
        LocalRunQueue q = new LocalRunQueue(4);
        ArrayDeque<G> expected = new ArrayDeque<>();
        for (int round = 0; round < 100; round++) {
            int puts = 1 + round % 3;
            for (int i = 0; i < puts && expected.size() < 4; i++) {
                G x = g();
                assertFalse(q.put(x, global), "round " + round);
                expected.add(x);
            }
            int polls = 1 + (round * 7) % 3;
            for (int i = 0; i < polls; i++) {
                assertSame(expected.poll(), q.poll(), "round " + round);
            }
            assertEquals(expected.size(), q.size(), "round " + round);
        }
        assertTrue(drainGlobal().isEmpty(), "nothing may overflow from a ring that never filled");
    }

    @Test
    void fillingTheRingToCapacityDoesNotOverflow() {
        LocalRunQueue q = new LocalRunQueue(4);
        putAll(q, gs(4));
        assertEquals(4, q.size());
        assertTrue(global.isEmpty());
    }

    @Test
    void putIntoFullRingMovesOldestHalfPlusNewGoroutineToGlobalInFifoOrder() {
        LocalRunQueue q = new LocalRunQueue(4);
        G[] g = gs(5);
        putAll(q, g[0], g[1], g[2], g[3]);

        assertTrue(q.put(g[4], global), "a put into a full ring must report the overflow");

        assertEquals(List.of(g[0].id, g[1].id, g[4].id), drainGlobal(), "global queue after the overflow");
        assertEquals(List.of(g[2].id, g[3].id), drainRing(q), "ring after the overflow");
        for (G x : g) {
            assertNull(x.next, "the batch links must be cleared once queued: " + x);
        }
    }

    @Test
    void fullRingOverflowsAgainAfterHalfCapacityMorePuts() {
        LocalRunQueue q = new LocalRunQueue(8);
        putAll(q, gs(8));
        assertTrue(q.put(g(), global)); // 4 + 1 to global, 4 left
        putAll(q, gs(4));
        assertTrue(q.put(g(), global)); // full again
        assertEquals(10, global.size());
        assertEquals(4, q.size());
    }

    @Test
    void swapRunnextDisplacesThePreviousRunnext() {
        LocalRunQueue q = new LocalRunQueue(4);
        G a = g();
        G b = g();
        assertNull(q.swapRunnext(a));
        assertTrue(q.hasRunnext());
        assertEquals(1, q.size(), "runnext counts in the size");
        assertSame(a, q.swapRunnext(b), "the displaced goroutine goes back to the caller");
        assertSame(b, q.pollRunnext());
        assertNull(q.pollRunnext());
        assertTrue(q.isEmpty());
    }

    @Test
    void pollTakesFromTheRingAndLeavesRunnext() {
        LocalRunQueue q = new LocalRunQueue(4);
        G next = g();
        G queued = g();
        q.swapRunnext(next);
        putAll(q, queued);
        assertSame(queued, q.poll());
        assertNull(q.poll());
        assertTrue(q.hasRunnext());
        assertFalse(q.isEmpty());
    }

    @Test
    void stealsHalfOfVictimQueueRoundedUp() {
        LocalRunQueue victim = new LocalRunQueue(8);
        LocalRunQueue thief = new LocalRunQueue(8);
        G[] g = gs(5);
        putAll(victim, g);

        G got = thief.stealFrom(victim, StealPolicy.go(), false);

        assertEquals(3, thief.lastStealCount, "Go's policy takes n - n/2 of 5");
        assertSame(g[2], got, "the thief runs the newest of its batch");
        assertEquals(List.of(g[0].id, g[1].id), drainRing(thief), "the rest of the batch, oldest first");
        assertEquals(List.of(g[3].id, g[4].id), drainRing(victim), "the victim keeps its newest");
    }

    @Test
    void stealOneTakesOnlyTheOldestGoroutine() {
        LocalRunQueue victim = new LocalRunQueue(8);
        LocalRunQueue thief = new LocalRunQueue(8);
        G[] g = gs(5);
        putAll(victim, g);

        assertSame(g[0], thief.stealFrom(victim, StealPolicy.stealOne(), false));

        assertEquals(1, thief.lastStealCount);
        assertTrue(thief.isEmpty());
        assertEquals(4, victim.size());
    }

    @ParameterizedTest(name = "{0} takes {2} of {1}")
    @CsvSource({
        "go, 6, 3", "go, 1, 1", "go, 7, 4",
        "steal-one, 6, 1",
        "round-robin, 6, 3", "round-robin, 3, 2",
        "longest-queue-first, 6, 3", "longest-queue-first, 2, 1"
    })
    void stealTakesThePolicysAmount(String policy, int queued, int expected) {
        LocalRunQueue victim = new LocalRunQueue(8);
        LocalRunQueue thief = new LocalRunQueue(8);
        putAll(victim, gs(queued));

        G got = thief.stealFrom(victim, StealPolicy.byName(policy), false);

        assertTrue(got != null, "a non-empty victim yields work");
        assertEquals(expected, thief.lastStealCount, "goroutines moved");
        assertEquals(expected - 1, thief.size(), "the thief queues all but the one it runs");
        assertEquals(queued - expected, victim.size(), "the victim keeps the rest");
    }

    @Test
    void stolenBatchWrapsAroundTheThiefsRing() {
        LocalRunQueue victim = new LocalRunQueue(8);
        LocalRunQueue thief = new LocalRunQueue(4);
        putAll(thief, gs(3)); // move the thief's head and tail near the end of its ring
        drainRing(thief);
        G[] g = gs(6);
        putAll(victim, g);

        assertSame(g[2], thief.stealFrom(victim, StealPolicy.go(), false));

        assertEquals(List.of(g[0].id, g[1].id), drainRing(thief));
    }

    @Test
    void runnextIsStolenOnlyWhenAskedAndTheRingIsEmpty() {
        LocalRunQueue victim = new LocalRunQueue(4);
        LocalRunQueue thief = new LocalRunQueue(4);
        G next = g();
        victim.swapRunnext(next);

        assertNull(thief.stealFrom(victim, StealPolicy.go(), false), "runnext is not taken unless asked");
        assertEquals(0, thief.lastStealCount);
        assertTrue(victim.hasRunnext());

        assertSame(next, thief.stealFrom(victim, StealPolicy.go(), true));
        assertEquals(1, thief.lastStealCount);
        assertFalse(victim.hasRunnext());
        assertTrue(thief.isEmpty(), "the stolen runnext is run, not queued");
    }

    @Test
    void runnextIsNotStolenWhileTheRingHasWork() {
        LocalRunQueue victim = new LocalRunQueue(4);
        LocalRunQueue thief = new LocalRunQueue(4);
        G next = g();
        G[] ring = gs(2);
        victim.swapRunnext(next);
        putAll(victim, ring);

        assertSame(ring[0], thief.stealFrom(victim, StealPolicy.go(), true));

        assertSame(next, victim.pollRunnext(), "runnext stays with the victim");
    }

    @Test
    void stealingFromAnEmptyVictimYieldsNothing() {
        LocalRunQueue victim = new LocalRunQueue(4);
        LocalRunQueue thief = new LocalRunQueue(4);
        assertNull(thief.stealFrom(victim, StealPolicy.go(), true));
        assertEquals(0, thief.lastStealCount);
        assertTrue(thief.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 6, 100})
    void capacityMustBeAPowerOfTwoOfAtLeastTwo(int capacity) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LocalRunQueue(capacity));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
    }

    @Test
    void globalQueueBatchKeepsOrderAndClearsLinks() {
        G[] g = gs(3);
        g[0].next = g[1];
        g[1].next = g[2];
        global.putBatch(g[0], g[2], 3);
        assertEquals(List.of(g[0].id, g[1].id, g[2].id), drainGlobal());
        assertNull(g[0].next);
        assertNull(g[1].next);
    }
}
