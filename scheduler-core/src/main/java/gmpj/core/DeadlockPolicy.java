package gmpj.core;

/**
 * What the scheduler does when every goroutine is asleep: every processor idle, no timer armed,
 * and goroutines parked (Go's "all goroutines are asleep - deadlock!"). Such a state is reported
 * only after it has lasted for the builder's {@code deadlockGrace} (1 s by default), because a
 * plain thread outside the scheduler may still unpark a goroutine; a Go program has no such
 * outsiders, a Java one does.
 */
public enum DeadlockPolicy {
    /** Do nothing. */
    IGNORE,
    /** Report once, with a dump of every goroutine, to the diagnostics sink. The default. */
    REPORT,
    /**
     * Report, and make every thread blocked in {@link Task#join()} on one of the sleeping
     * goroutines fail with an {@link IllegalStateException} carrying the report.
     */
    FAIL_JOINERS
}
