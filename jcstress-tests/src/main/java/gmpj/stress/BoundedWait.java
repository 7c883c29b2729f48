package gmpj.stress;

import java.time.Duration;

/**
 * What the tests that block a jcstress actor thread on a gmpj.sync wait share: how long to wait
 * before calling a wake-up lost. Those tests use the timed waits, so a lost wake-up costs one
 * sample 5 s and shows as a FORBIDDEN outcome instead of hanging the fork.
 */
final class BoundedWait {
    /** Far longer than any correct wait in these tests (microseconds), short enough to finish a fork. */
    private static final Duration LOST_AFTER = Duration.ofSeconds(5);
    /**
     * Set once a wait ran out in this JVM. The test has failed then; later samples wait no more, so
     * that a systematic loss still ends the fork with outcome counts rather than a jcstress timeout.
     */
    private static volatile boolean broken;

    private BoundedWait() {}

    /** How long the next wait may take. */
    static Duration limit() {
        return broken ? Duration.ZERO : LOST_AFTER;
    }

    /** Records the result of a bounded wait; returns {@code succeeded}. */
    static boolean record(boolean succeeded) {
        if (!succeeded) {
            broken = true;
        }
        return succeeded;
    }
}
