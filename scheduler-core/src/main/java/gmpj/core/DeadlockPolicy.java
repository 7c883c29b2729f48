package gmpj.core;

/**
 * What the scheduler does when its goroutines are all asleep (Go's "all goroutines are asleep -
 * deadlock!").
 *
 * <h2>The rule</h2>
 * A scheduler is <em>stalled</em> when goroutines are parked and nothing of the scheduler can move
 * by itself: every processor idle, nothing queued, no timer armed, no goroutine in
 * {@link Gmp#blocking}, running on a carrier that lost its processor to a hand-off, or in a pinned
 * park with a deadline (its carrier wakes itself). A park without a deadline counts as asleep,
 * pinned or not: only an unpark ends it, whoever blocks meanwhile.
 * <p>
 * A stall is reported as a <strong>deadlock</strong> when, for the builder's {@code deadlockGrace}
 * (1 s by default), no goroutine of the scheduler ran, and every other gmpj scheduler of the JVM
 * that has not terminated was quiet too (stalled, or idle with no goroutine) and ran nothing. Then
 * nothing in gmpj can wake the parked goroutines. Only a plain thread still can (a send on a
 * channel, an unlock, an unpark); gmpj cannot see those, which is why there is a grace at all (a
 * Go program has no such outsiders, a Java one does), and the report says how many goroutines
 * wait on such primitives. The report starts with Go's headline and carries a goroutine dump.
 * <p>
 * A stall is <strong>not</strong> a deadlock while another scheduler is active: a goroutine
 * parked in {@link Task#join()} on a task of another scheduler is ended by that scheduler (the
 * task finishes, or is abandoned when that scheduler stops), and any other park may be ended by
 * the other scheduler's goroutines (gmpj does not know who will send on a channel). If a stall lasts
 * the grace while another scheduler is active and some goroutine waits on something other than a
 * join of another scheduler's task, it is said once, as a stall ("stalled, not deadlocked", with
 * the active schedulers' names and a dump), and no join fails. When the other schedulers go quiet
 * and the stall lasts another grace, it becomes a deadlock.
 * <p>
 * A deadlock report is withdrawn as soon as a goroutine of the scheduler runs again (somebody
 * outside woke it).
 * <p>
 * Chosen once, on the scheduler's builder; the constants are plain data. Detection runs in the
 * scheduler's system monitor, not in the goroutines or threads that wait, and a report never
 * blocks them. (A {@link Synctest} bubble has no system monitor: it detects its own deadlocks at
 * once, as {@link Synctest} describes.)
 */
public enum DeadlockPolicy {
    /** Do nothing. */
    IGNORE,
    /** Report a deadlock once, with a dump of every goroutine, to the diagnostics sink. The default. */
    REPORT,
    /**
     * Report, and make every thread (or goroutine of another scheduler) blocked in
     * {@link Task#join()} on a goroutine of the deadlocked scheduler fail with an
     * {@link IllegalStateException} carrying the report. Only a deadlock fails a join; a stall that
     * another scheduler may end never does.
     */
    FAIL_JOINERS
}
