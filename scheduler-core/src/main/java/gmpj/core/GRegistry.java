package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The goroutines spawned through one processor (Go's {@code allgs}, split per P so spawning never
 * contends): what {@link Scheduler#dump()} and the deadlock report walk.
 *
 * <p>Single writer (the carrier holding the processor; for the registries of goroutines spawned
 * from outside, one per stripe, whoever holds that stripe's {@link SpinLock}), any number of racy
 * readers. Appends are O(1); when the
 * array is full the writer copies the goroutines that are not dead into a fresh array (twice the
 * live count, at least 64), so dead goroutines are dropped and the array stays within a constant
 * factor of the live count.
 *
 * <p>Orderings: the writer stores an element plainly, then publishes the new count with a release
 * store; a replacement array is published with a volatile store before the count that refers to
 * it. A reader loads the array (volatile), then the count (acquire), and reads at most
 * {@code min(count, length)} elements; it may see a slightly stale set (a goroutine spawned just
 * now missing, one that just died still there), which is what a dump of a running system is.
 */
final class GRegistry {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(GRegistry.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile G[] gs = new G[64];
    /** Elements in use; written by the single writer with release, read with acquire. */
    @SuppressWarnings("unused")
    private int count;

    /** Writer only. */
    void add(G g) {
        G[] a = gs;
        int n = count;
        if (n == a.length) {
            a = compact(a, n);
            n = count;
        }
        a[n] = g;
        COUNT.setRelease(this, n + 1);
    }

    private G[] compact(G[] a, int n) {
        int live = 0;
        for (int i = 0; i < n; i++) {
            if (a[i].state() != G.DEAD) {
                live++;
            }
        }
        G[] b = new G[Math.max(64, live * 2)];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (a[i].state() != G.DEAD) {
                b[k++] = a[i];
            }
        }
        gs = b; // volatile: published before the count that indexes it
        COUNT.setRelease(this, k);
        return b;
    }

    /** Any thread: visits every registered goroutine that is not dead (racy, see the class comment). */
    void forEachLive(Consumer<G> action) {
        G[] a = gs;
        int n = Math.min((int) COUNT.getAcquire(this), a.length);
        for (int i = 0; i < n; i++) {
            G g = a[i];
            if (g != null && g.state() != G.DEAD) {
                action.accept(g);
            }
        }
    }
}
