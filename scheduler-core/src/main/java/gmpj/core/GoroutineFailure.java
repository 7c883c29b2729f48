package gmpj.core;

/**
 * An exception escaped a goroutine of a {@link Synctest} bubble: the run stopped there. Its cause
 * is that exception; its message names the goroutine, the seed and how to replay it.
 */
final class GoroutineFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    final transient Schedule schedule;

    GoroutineFailure(long goroutine, long steps, Schedule schedule, Throwable cause) {
        super("goroutine " + goroutine + " failed after " + steps + " scheduling steps under " + schedule
                + " (replay: Synctest.run(" + schedule.seed + "L, body)): " + cause, cause);
        this.schedule = schedule;
    }
}
