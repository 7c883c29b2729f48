package gmpj.bench;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Ping-pong between two tasks that park until it is their turn: side 0 hits when {@link #hits()}
 * is even, side 1 when it is odd, and each hit unparks the other side. After {@code rounds} round
 * trips the count is exactly {@code 2 × rounds}; a lost wake-up would leave both parked for good.
 *
 * <p>The wake-up protocol, the same for goroutines and threads: a player publishes its handle,
 * then reads {@code hits}; a hitter writes {@code hits}, then reads the other's handle. Both are
 * volatile, so at least one of them sees the other's write: either the hitter unparks the
 * receiver, or the receiver finds its turn without parking. A park that returns early (an unpark
 * meant for an earlier turn, or a spurious return) just re-checks.
 */
final class Rally {
    private final Primitives primitives;
    private final AtomicReferenceArray<Object> players = new AtomicReferenceArray<>(2);
    private volatile long hits;

    Rally(Primitives primitives) {
        this.primitives = primitives;
    }

    /** Plays {@code rounds} hits for {@code side} (0 or 1), from the task that is that player. */
    void play(int side, int rounds) {
        players.set(side, primitives.parker().get());
        for (long turn = side; turn < 2L * rounds; turn += 2) {
            while (hits != turn) {
                primitives.park().run();
            }
            hits = turn + 1;
            Object other = players.get(1 - side);
            if (other != null) {
                primitives.unparker().accept(other);
            }
        }
    }

    /** Hits so far. */
    long hits() {
        return hits;
    }
}
