package gmpj.core;

/**
 * An exception escaped a goroutine of a {@link Synctest} bubble: the run stopped there. Its cause
 * is that exception; its message names the goroutine, the seed and how to replay it.
 */
final class GoroutineFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    final transient Schedule schedule;

    GoroutineFailure(long goroutine, long steps, Schedule schedule, int procs, Throwable cause) {
        super("goroutine " + goroutine + " failed after " + steps + " scheduling steps under " + schedule + " on " + procs
                + " emulated processor" + (procs == 1 ? "" : "s") + " (replay: " + Synctest.replayCall(schedule.seed, procs)
                + "): " + cause, cause);
        this.schedule = schedule;
    }
}
