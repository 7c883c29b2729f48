package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The global run queue: a batch goes in and comes out in one piece and in order, a take leaves the
 * rest queued, and batches put and taken from several threads at once are each taken exactly once,
 * in order. The goroutines are never run, so they belong to no scheduler.
 */
class GlobalRunQueueTest {
    private static final Runnable NOTHING = () -> {};

    private final GlobalRunQueue global = new GlobalRunQueue();
    private long nextId = 1;

    /** {@code n} fresh goroutines linked into a chain, ready for {@code putBatch(a[0], a[n - 1], n)}. */
    private G[] chain(int n) {
        G[] a = new G[n];
        for (int i = 0; i < n; i++) {
            a[i] = new G(null, nextId++, null, NOTHING);
            if (i > 0) {
                a[i - 1].next = a[i];
            }
        }
        return a;
    }

    private void putBatch(G[] a) {
        global.putBatch(a[0], a[a.length - 1], a.length);
    }

    /** Takes a batch of at most {@code max}, clears its links, and returns the ids in chain order. */
    private List<Long> takeBatch(int max) {
        List<Long> ids = new ArrayList<>();
        for (G g = global.pollBatch(max); g != null; g = GlobalRunQueue.detachNext(g)) {
            ids.add(g.id);
        }
        return ids;
    }

    private static List<Long> ids(G[] a, int from, int to) {
        List<Long> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(a[i].id);
        }
        return ids;
    }

    @Test
    void aBatchComesOutInOrderAcrossTakesAndPuts() {
        G[] a = chain(5);
        G[] b = chain(3);
        putBatch(a);
        assertEquals(5, global.size());
        assertEquals(ids(a, 0, 2), takeBatch(2), "a take of two from the front");
        putBatch(b); // behind what is left of a
        assertEquals(6, global.size());
        assertEquals(ids(a, 2, 5), takeBatch(3), "the rest of the first batch, before the second");
        assertEquals(ids(b, 0, 3), takeBatch(128), "a take larger than the queue takes all of it");
        assertTrue(global.isEmpty());
        assertEquals(0, global.size());
        assertNull(global.pollBatch(128));
        assertNull(global.poll());
    }

    @Test
    void aQueueEmptiedByATakeAcceptsANewBatch() {
        // A take that empties the queue must forget its tail too, or the next put links behind a
        // goroutine that is no longer queued and is lost.
        G[] a = chain(2);
        putBatch(a);
        assertEquals(ids(a, 0, 2), takeBatch(2));
        G[] b = chain(2);
        putBatch(b);
        assertEquals(ids(b, 0, 2), takeBatch(5));
        G[] c = chain(3);
        putBatch(c);
        assertEquals(ids(c, 0, 1), takeBatch(1));
        assertEquals(ids(c, 1, 3), takeBatch(2), "a partial take that reaches the tail");
        G[] d = chain(1);
        putBatch(d);
        assertEquals(ids(d, 0, 1), takeBatch(1));
        assertTrue(global.isEmpty());
    }

    @Test
    void takenGoroutinesKeepNoLinkIntoTheQueue() {
        G[] a = chain(4);
        putBatch(a);
        G first = global.pollBatch(2);
        assertSame(a[0], first);
        assertSame(a[1], first.next);
        assertNull(a[1].next, "the last goroutine of a partial take still linked to the queue");
        G one = global.poll();
        assertSame(a[2], one);
        assertNull(one.next, "poll returns an unlinked goroutine");
        assertSame(a[1], GlobalRunQueue.detachNext(a[0]));
        assertNull(a[0].next);
    }

    @Test
    void singlePutsAndPollsAreFifo() {
        G[] a = chain(3);
        for (G g : a) {
            g.next = null;
        }
        for (G g : a) {
            global.put(g);
        }
        assertFalse(global.isEmpty());
        assertSame(a[0], global.poll());
        assertSame(a[1], global.poll());
        assertSame(a[2], global.poll());
        assertNull(global.poll());
    }

    /** Takes from {@code q} a batch of at most {@code max} for lane {@code own}, as ids in chain order. */
    private static List<Long> takeLane(GlobalRunQueue q, int max, int own) {
        List<Long> ids = new ArrayList<>();
        for (G g = q.pollBatch(max, own); g != null; g = GlobalRunQueue.detachNext(g)) {
            ids.add(g.id);
        }
        return ids;
    }

    @Test
    void aProcessorTakesItsOwnSpillFirstThenTheOutsideLaneThenTheOthersInTurn() {
        GlobalRunQueue q = new GlobalRunQueue(3); // lanes 0, 1, 2 for processors, 3 for outside
        assertEquals(3, q.outsideLane());
        G[] p0 = chain(2);
        G[] p1 = chain(2);
        G[] p2 = chain(2);
        G[] out = chain(1);
        q.putBatch(p0[0], p0[1], 2, 0);
        q.putBatch(p1[0], p1[1], 2, 1);
        q.putBatch(p2[0], p2[1], 2, 2);
        q.putBatch(out[0], out[0], 1); // no lane named: the outside lane
        assertEquals(7, q.size());
        assertEquals(ids(p1, 0, 2), takeLane(q, 128, 1), "its own lane first, though lane 0 was filled before it");
        assertEquals(ids(out, 0, 1), takeLane(q, 128, 1), "then the outside lane");
        assertEquals(ids(p2, 0, 1), takeLane(q, 1, 1), "then the lane after its own, one lane per take");
        assertEquals(ids(p2, 1, 2), takeLane(q, 5, 1));
        assertEquals(ids(p0, 0, 2), takeLane(q, 5, 1), "and round to the lanes before its own");
        assertTrue(q.isEmpty());
        assertNull(q.pollBatch(1, 1));
    }

    @Test
    void theFairnessTakeServesEveryLaneInTurn() {
        // A processor that always finds work of its own must still, on its fairness ticks, serve
        // the other lanes: a lane whose processor is stuck would otherwise wait for ever.
        GlobalRunQueue q = new GlobalRunQueue(2);
        G[] p0 = chain(4);
        G[] p1 = chain(2);
        G[] out = chain(2);
        q.putBatch(p0[0], p0[3], 4, 0);
        q.putBatch(p1[0], p1[1], 2, 1);
        q.putBatch(out[0], out[1], 2);
        List<Long> served = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            G g = q.pollRotating(1);
            served.add(g.id);
            assertNull(g.next, "a fairness take of one is unlinked");
        }
        assertEquals(List.of(p0[0].id, p1[0].id, out[0].id), served, "one from each lane, in rotation");
        assertEquals(p0[1].id, q.pollRotating(1).id, "the rotation comes round to lane 0 again");
        assertEquals(p1[1].id, q.pollRotating(1).id);
        assertEquals(out[1].id, q.pollRotating(1).id);
        assertEquals(p0[2].id, q.pollRotating(1).id, "empty lanes are skipped");
        assertEquals(ids(p0, 3, 4), takeLane(q, 128, 1), "a processor with an empty lane takes another's");
        assertNull(q.pollRotating(1));
        assertEquals(0, q.size());
    }

    @Test
    void badLanesAreRejectedWithTheirValue() {
        GlobalRunQueue q = new GlobalRunQueue(2);
        G[] a = chain(1);
        IllegalArgumentException put = assertThrows(IllegalArgumentException.class, () -> q.putBatch(a[0], a[0], 1, 3));
        assertEquals("putBatch: lane 3 is outside 0..2", put.getMessage());
        IllegalArgumentException take = assertThrows(IllegalArgumentException.class, () -> q.pollBatch(1, -1));
        assertEquals("pollBatch: lane -1 is outside 0..2", take.getMessage());
        IllegalArgumentException lanes = assertThrows(IllegalArgumentException.class, () -> new GlobalRunQueue(-1));
        assertEquals("procs must not be negative, got -1", lanes.getMessage());
        assertTrue(q.isEmpty(), "a rejected put queues nothing");
    }

    @Test
    void badCountsAreRejectedWithTheirValue() {
        G[] a = chain(1);
        IllegalArgumentException put = assertThrows(IllegalArgumentException.class, () -> global.putBatch(a[0], a[0], 0));
        assertEquals("putBatch: n must be at least 1, got 0", put.getMessage());
        IllegalArgumentException take = assertThrows(IllegalArgumentException.class, () -> global.pollBatch(-1));
        assertEquals("pollBatch: max must be at least 1, got -1", take.getMessage());
        assertTrue(global.isEmpty(), "a rejected put queues nothing");
    }

    /**
     * Two threads spill batches of 1 to 129 goroutines (ids rising per producer) while two take
     * batches of 1 to 128, over several rounds. Every goroutine must be taken exactly once, every
     * chain must be well formed and no longer than asked, and each taker must see each producer's
     * goroutines in the order they were put (FIFO). Bounded: a taker gives up if 30 s pass
     * without a goroutine.
     */
    @Test
    void concurrentBatchPutsAndTakesLoseNothingAndKeepOrder() throws Exception {
        raceRounds(global);
    }

    /**
     * The same race on a queue with lanes: producer {@code p} spills into lane {@code p} (the
     * second producer into the outside lane), taker {@code c} takes as processor {@code c} and
     * makes every 61st take a fairness take of one. Order is kept per producer (one lane each).
     */
    @Test
    void concurrentBatchPutsAndTakesOverLanesLoseNothingAndKeepOrder() throws Exception {
        raceRounds(new GlobalRunQueue(1));
    }

    private void raceRounds(GlobalRunQueue global) throws InterruptedException {
        int producers = 2;
        int perProducer = 200_000;
        int total = producers * perProducer;
        G[] gs = new G[total];
        for (int i = 0; i < total; i++) {
            gs[i] = new G(null, i, null, NOTHING); // producer p owns ids p * perProducer + k
        }
        for (int round = 0; round < 10; round++) {
            AtomicIntegerArray taken = new AtomicIntegerArray(total);
            race(global, gs, producers, perProducer, taken);
            int lost = 0;
            int twice = 0;
            for (int i = 0; i < total; i++) {
                int n = taken.get(i);
                if (n == 0) {
                    lost++;
                } else if (n > 1) {
                    twice++;
                }
            }
            assertEquals(0, lost, "goroutines never taken, round " + round);
            assertEquals(0, twice, "goroutines taken more than once, round " + round);
            assertTrue(global.isEmpty());
            assertEquals(0, global.size());
        }
    }

    private static void race(GlobalRunQueue global, G[] gs, int producers, int perProducer, AtomicIntegerArray taken)
            throws InterruptedException {
        int lanes = global.outsideLane() + 1;
        AtomicInteger remaining = new AtomicInteger(gs.length);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            int own = c % lanes;
            threads.add(new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long[] lastSeen = new long[producers];
                Arrays.fill(lastSeen, -1);
                long idleSince = System.nanoTime();
                for (int takes = 1; remaining.get() > 0; takes++) {
                    int max = takes % 61 == 0 ? 1 : 1 + rnd.nextInt(128);
                    G g = takes % 61 == 0 ? global.pollRotating(1) : global.pollBatch(max, own);
                    if (g == null) {
                        if (System.nanoTime() - idleSince > 30_000_000_000L) {
                            throw new AssertionError("no goroutine for 30 s with " + remaining.get() + " not taken");
                        }
                        Thread.onSpinWait();
                        continue;
                    }
                    idleSince = System.nanoTime();
                    int n = 0;
                    for (G x = g; x != null; x = GlobalRunQueue.detachNext(x)) {
                        n++;
                        int id = (int) x.id;
                        int producer = id / perProducer;
                        if (id <= lastSeen[producer]) {
                            throw new AssertionError("goroutine " + id + " came after " + lastSeen[producer]
                                    + " of the same producer");
                        }
                        lastSeen[producer] = id;
                        taken.incrementAndGet(id);
                    }
                    if (n > max) {
                        throw new AssertionError("a take of at most " + max + " returned " + n);
                    }
                    remaining.addAndGet(-n);
                }
            }, "taker-" + c));
        }
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            int lane = p % lanes;
            threads.add(new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int k = 0; k < perProducer; ) {
                    int n = Math.min(1 + rnd.nextInt(129), perProducer - k);
                    G first = gs[base + k];
                    G last = first;
                    for (int i = 1; i < n; i++) {
                        last.next = gs[base + k + i];
                        last = last.next;
                    }
                    last.next = null;
                    global.putBatch(first, last, n, lane);
                    k += n;
                }
            }, "producer-" + p));
        }
        Thread.UncaughtExceptionHandler record = (t, e) -> failure.compareAndSet(null, e);
        threads.forEach(t -> t.setUncaughtExceptionHandler(record));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a racing thread failed", failure.get());
        }
    }
}
