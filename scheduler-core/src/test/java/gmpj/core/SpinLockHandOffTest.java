package gmpj.core;

import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * A goroutine waiting for a {@link SpinLock} whose holder is slow parks its carrier in the lock's
 * backoff. Sysmon then gives the processor to another carrier, so the goroutines queued behind it
 * run, but it must not report the goroutine for a blocking call "gmpj cannot see": the wait is in
 * gmpj's own lock. (Checked against Sysmon without the SpinLock case: it reported "blocked its
 * carrier thread ... in a call gmpj cannot see".)
 */
class SpinLockHandOffTest {

    @Test
    void aGoroutineParkedInTheLocksBackoffLosesItsProcessorWithoutBeingBlamed() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        SpinLock lock = new SpinLock();
        lock.lock(); // held by this thread: the goroutine below waits in the lock's backoff
        try (Scheduler s = builder("spinlock-handoff").procs(1).diagnostics(diag::add).build()) {
            Task<Void> waiter;
            try {
                waiter = s.submit(() -> {
                    lock.lock();
                    lock.unlock();
                });
                Task<String> behind = s.submit(() -> "ran");
                assertEquals("ran", join(s, behind), describe(s)); // it ran on another carrier
            } finally {
                lock.unlock();
            }
            join(s, waiter);
        }
        assertFalse(diag.stream().anyMatch(d -> d.contains("in a call gmpj cannot see") || d.contains("without yielding")),
                String.join("\n", diag));
    }
}
