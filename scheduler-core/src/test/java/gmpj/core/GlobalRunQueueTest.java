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
        int producers = 2;
        int perProducer = 200_000;
        int total = producers * perProducer;
        G[] gs = new G[total];
        for (int i = 0; i < total; i++) {
            gs[i] = new G(null, i, null, NOTHING); // producer p owns ids p * perProducer + k
        }
        for (int round = 0; round < 10; round++) {
            AtomicIntegerArray taken = new AtomicIntegerArray(total);
            race(gs, producers, perProducer, taken);
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

    private void race(G[] gs, int producers, int perProducer, AtomicIntegerArray taken) throws InterruptedException {
        AtomicInteger remaining = new AtomicInteger(gs.length);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            threads.add(new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long[] lastSeen = new long[producers];
                Arrays.fill(lastSeen, -1);
                long idleSince = System.nanoTime();
                while (remaining.get() > 0) {
                    int max = 1 + rnd.nextInt(128);
                    G g = global.pollBatch(max);
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
                    global.putBatch(first, last, n);
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
