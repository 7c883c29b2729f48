package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An owner and two thieves hammering one local run queue from three platform threads, for as many
 * threads as the test asks, whatever the number of CPUs.
 *
 * <p>jcstress refuses to run a test with more actors than the machine has CPUs, so on a 2-CPU
 * machine the three-actor race tests ({@code OwnerAndTwoThievesTakeEachGoroutineOnce} in
 * jcstress-tests) are skipped. This test covers the same ground by oversubscription: the OS
 * preempts the three threads at arbitrary points, which reaches interleavings a lock-step harness
 * does not (a thread stopped between reading the head and its CAS for a whole time slice). It is
 * weaker at finding reorderings, which is what jcstress is for.
 *
 * <p>The owner mixes every owner operation (put with overflow to the global queue, poll, runnext
 * swap and poll); each thief steals, with and without runnext, into its own ring and drains it.
 * Every goroutine must be taken exactly once, counting those left in the global queue.
 *
 * <p>It was checked against broken queues: with the owner's poll CAS replaced by a plain store it
 * reports thousands of goroutines taken twice; with the thieves' head CAS removed it reports lost
 * goroutines. Each of the three runs takes well under a second on 2 CPUs.
 */
class RunQueueThreadStressTest {
    private static final Runnable NOTHING = () -> {};

    @ParameterizedTest(name = "{0} thieves")
    @ValueSource(ints = {1, 2, 3})
    void everyGoroutineIsTakenExactlyOnce(int thieves) throws Exception {
        int total = 2_000_000;
        G[] gs = new G[total];
        for (int i = 0; i < total; i++) {
            gs[i] = new G(null, i, null, NOTHING);
        }
        AtomicIntegerArray taken = new AtomicIntegerArray(total);
        GlobalRunQueue global = new GlobalRunQueue();
        LocalRunQueue victim = new LocalRunQueue(16); // small: overflow and wrap-around happen often
        AtomicBoolean ownerDone = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();

        Thread owner = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                G g = gs[i];
                switch (i % 7) {
                    case 0 -> {
                        G displaced = victim.swapRunnext(g);
                        if (displaced != null) {
                            victim.put(displaced, global);
                        }
                    }
                    case 3 -> {
                        victim.put(g, global);
                        take(taken, victim.poll());
                    }
                    case 5 -> {
                        victim.put(g, global);
                        take(taken, victim.pollRunnext());
                    }
                    default -> victim.put(g, global);
                }
            }
            ownerDone.set(true);
        }, "owner");
        List<Thread> thiefThreads = new ArrayList<>();
        for (int k = 0; k < thieves; k++) {
            LocalRunQueue mine = new LocalRunQueue(16);
            StealPolicy policy = k % 2 == 0 ? StealPolicy.go() : StealPolicy.stealOne();
            thiefThreads.add(new Thread(() -> {
                boolean last = false;
                for (long round = 0; ; round++) {
                    G g = mine.stealFrom(victim, policy, (round & 1) == 0);
                    take(taken, g);
                    for (G x; (x = mine.poll()) != null; ) {
                        take(taken, x);
                    }
                    if (last) {
                        return;
                    }
                    // one more round after the owner stopped, so a steal that began before is seen out
                    last = ownerDone.get() && g == null;
                }
            }, "thief-" + k));
        }
        Thread.UncaughtExceptionHandler record = (t, e) -> failure.compareAndSet(null, e);
        owner.setUncaughtExceptionHandler(record);
        thiefThreads.forEach(t -> t.setUncaughtExceptionHandler(record));
        thiefThreads.forEach(Thread::start);
        owner.start();
        owner.join();
        for (Thread t : thiefThreads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a racing thread failed", failure.get());
        }

        // Quiescent now: whatever is left is in the victim's ring or runnext, or in the global queue.
        for (G x; (x = victim.poll()) != null; ) {
            take(taken, x);
        }
        take(taken, victim.pollRunnext());
        for (G x; (x = global.poll()) != null; ) {
            take(taken, x);
        }
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
        assertEquals(0, lost, "goroutines never taken");
        assertEquals(0, twice, "goroutines taken more than once");
        assertTrue(victim.isEmpty());
    }

    private static void take(AtomicIntegerArray taken, G g) {
        if (g != null) {
            taken.incrementAndGet((int) g.id);
        }
    }
}
