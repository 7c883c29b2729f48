package gmpj.core;

import java.util.Arrays;

/**
 * One processor's timers (Go keeps one heap per P): a binary min-heap of deadlines behind a lock.
 * The lock is per processor, so carriers arming timers on different processors do not contend;
 * a goroutine that wakes on another processor cancels its timer in the heap it was armed in.
 *
 * <p>A timer wakes exactly one park: it remembers the goroutine and the park generation it was
 * armed for, and {@link G#wakeFromTimer} succeeds only while that very park is still on. So a timer
 * that fires after its park already ended (or was cancelled too late) wakes nobody.
 *
 * <p>{@link #earliest} is a volatile copy of the heap's smallest deadline, read without the lock by
 * the timekeeper and by carriers looking for due timers ({@link Timers}). The heap's bit in the
 * scheduler's set of processors with timers is changed under the lock, after {@link #earliest},
 * whenever the heap becomes empty or stops being empty.
 *
 * <p>Timers are added by the carrier that commits a timed park (after the goroutine is WAITING,
 * so a timer can never fire before the park it belongs to) and cancelled by the goroutine when it
 * wakes early. Expired timers are run by whichever carrier looks first ({@link Timers#fireExpired}).
 */
final class TimerQueue {

    /**
     * One timer. {@code index} is its heap slot, or -1 while not in the heap; {@code cancelled}
     * makes a later {@link #add} a no-op. Both are lock-protected.
     *
     * <p>A timed park's timer is created by the goroutine before it yields, with its deadline
     * only; the carrier that commits the park gives it the park generation and the heap
     * ({@link #prepare}) before it publishes {@code WAITING} and adds it, so every reader that
     * finds it in a heap, or wakes from its park, sees both.
     */
    static final class Timer {
        final long deadline;
        final G g;
        /** The park generation it wakes ({@link G#wakeFromTimer}). */
        int gen;
        /** The heap it is armed in; cancellation goes there, from whichever carrier the goroutine woke on. */
        TimerQueue heap;
        int index = -1;
        boolean cancelled;

        /** The timer of a park that is about to be committed: no generation or heap yet. */
        Timer(long deadline, G g) {
            this.deadline = deadline;
            this.g = g;
        }

        Timer(long deadline, G g, int gen, TimerQueue heap) {
            this(deadline, g);
            prepare(gen, heap);
        }

        /** The carrier committing the park, before it publishes the park: which park, and which heap. */
        void prepare(int gen, TimerQueue heap) {
            this.gen = gen;
            this.heap = heap;
        }
    }

    private final SpinLock lock = new SpinLock(); // not ReentrantLock: see SpinLock
    private Timer[] heap = new Timer[64];
    private int size;
    /** Smallest deadline, or Long.MAX_VALUE when empty. Written under the lock, read racily. */
    private volatile long earliest = Long.MAX_VALUE;
    /** The scheduler's set of processors with timers (null for a heap on its own), and this heap's bit in it. */
    private final ProcMask mask;
    private final int bit;

    /** A heap on its own, in no scheduler's set. */
    TimerQueue() {
        this(null, 0);
    }

    /** The heap of processor {@code bit}, which keeps its bit in {@code mask} set exactly while it has timers (under its lock). */
    TimerQueue(ProcMask mask, int bit) {
        this.mask = mask;
        this.bit = bit;
    }

    /** Under the lock, after the size changed: the heap's earliest deadline, and its bit in the set when it (un)became empty. */
    private void sizeChanged(int before) {
        earliest = size == 0 ? Long.MAX_VALUE : heap[0].deadline;
        if (mask != null && (before == 0) != (size == 0)) {
            if (size == 0) {
                mask.clear(bit);
            } else {
                mask.set(bit);
            }
        }
    }

    long earliest() {
        return earliest;
    }

    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Arms {@code t} (which must belong to this heap) unless it was cancelled already. */
    void add(Timer t) {
        lock.lock();
        try {
            if (t.cancelled) {
                return;
            }
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            t.index = size;
            heap[size++] = t;
            siftUp(t.index);
            sizeChanged(size - 1);
        } finally {
            lock.unlock();
        }
    }

    /** Disarms {@code t} if it has not fired yet. */
    void cancel(Timer t) {
        lock.lock();
        try {
            t.cancelled = true;
            int i = t.index;
            if (i < 0) {
                return;
            }
            removeAt(i);
            sizeChanged(size + 1);
        } finally {
            lock.unlock();
        }
    }

    /** Removes and returns one timer whose deadline is {@code <= now}, or null. */
    Timer pollExpired(long now) {
        if (earliest > now) {
            return null;
        }
        lock.lock();
        try {
            if (size == 0 || heap[0].deadline > now) {
                return null;
            }
            Timer t = heap[0];
            removeAt(0);
            sizeChanged(size + 1);
            return t;
        } finally {
            lock.unlock();
        }
    }

    private void removeAt(int i) {
        Timer t = heap[i];
        t.index = -1;
        Timer last = heap[--size];
        heap[size] = null;
        if (i != size) {
            heap[i] = last;
            last.index = i;
            siftDown(i);
            siftUp(last.index);
        }
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (p.deadline - t.deadline <= 0) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].deadline - heap[child].deadline < 0) {
                child = right;
            }
            if (t.deadline - heap[child].deadline <= 0) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
    }
}
