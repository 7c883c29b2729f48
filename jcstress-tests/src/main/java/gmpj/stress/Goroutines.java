package gmpj.stress;

import gmpj.core.Scheduler;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What the tests that run real goroutines share. */
final class Goroutines {
    /**
     * One small scheduler per test JVM, never closed: a scheduler costs threads and jcstress runs
     * millions of samples. Its carriers are daemon threads, so the JVM still exits. Two
     * processors, so that one carrier may fire a timer while the other commits a park.
     */
    static final Scheduler SCHEDULER = Scheduler.builder().procs(2).name("jcstress").build();

    /**
     * How long an arbiter waits for a goroutine before it calls it lost: far longer than any
     * correct sample (microseconds). A goroutine that finishes later is not told apart from one
     * that never does. A lost wake-up need not last for ever: a goroutine stranded in a run queue
     * may be picked up by a carrier that happens to look later, and a goroutine whose unpark was
     * lost by one waker may be woken by the next; so "it finished in the end" proves nothing, and a
     * late finish is a failure. It could also be a test JVM stopped for 5 s (a machine starved of
     * CPU); rerun before suspecting the code then.
     */
    private static final long LOST_AFTER_MILLIS = 5_000;
    /**
     * Set once a goroutine was lost in this JVM. The test has failed then, and a lost wake-up
     * often wedges the scheduler: later samples only look whether their goroutine is done, rather
     * than wait each, which would make jcstress time out the whole fork without outcome counts.
     */
    private static volatile boolean broken;

    private Goroutines() {}

    /**
     * Waits, bounded, for {@code done}: {@code true} if it was counted down within 5 s, else
     * {@code false} (and every later wait in this JVM only looks).
     */
    static boolean finished(CountDownLatch done) {
        try {
            if (done.await(broken ? 0 : LOST_AFTER_MILLIS, TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        broken = true;
        return false;
    }
}
