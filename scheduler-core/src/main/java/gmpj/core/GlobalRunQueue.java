package gmpj.core;

import org.jctools.queues.MpmcUnboundedXaddArrayQueue;

/**
 * The scheduler-wide run queue: where goroutines spawned or readied outside any processor go,
 * and where a full local ring spills half of its contents.
 *
 * <p>Multi-producer, multi-consumer, unbounded: JCTools' {@link MpmcUnboundedXaddArrayQueue}.
 * {@code offer} publishes the element with a release store and {@code poll} reads it with acquire,
 * so a goroutine's fields written before it is queued are visible to the carrier that takes it.
 * {@code isEmpty()} turns false as soon as a producer has claimed its slot, before the element is
 * stored; {@code poll} then waits for the element, so a non-empty answer is never a lost goroutine.
 */
final class GlobalRunQueue {
    /** Chunk of the XADD queue; large enough that spilling a half ring (128) rarely crosses chunks. */
    private static final int CHUNK = 1024;

    private final MpmcUnboundedXaddArrayQueue<G> queue = new MpmcUnboundedXaddArrayQueue<>(CHUNK);

    void put(G g) {
        queue.offer(g);
    }

    /** Queues the {@code n} goroutines linked through {@link G#next}, clearing the links. */
    void putBatch(G first, int n) {
        G g = first;
        for (int i = 0; i < n && g != null; i++) {
            G next = g.next;
            g.next = null;
            queue.offer(g);
            g = next;
        }
    }

    G poll() {
        return queue.poll();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return queue.size();
    }
}
