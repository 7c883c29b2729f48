package gmpj.core;

/**
 * What sysmon does about a hog: a goroutine that computes for two time slices without yielding,
 * parking or calling {@link Gmp#checkpoint()}, while other goroutines (or a due timer) wait for
 * its processor. JDK continuations cannot be preempted, so the hog itself runs on either way; the
 * policy decides whether the goroutines waiting behind it may run meanwhile.
 *
 * <p>A goroutine counts as a hog only when its carrier thread actually computed: sysmon reads the
 * carrier's CPU time ({@code ThreadMXBean.getThreadCpuTime}, a system call, so only for a goroutine
 * already past its time slice) and calls it a hog once it has computed for two time slices since it
 * was mounted, which it estimates from the share of a CPU the carrier got since that first reading.
 * A goroutine that computes for less than that is no hog, however much a shared machine stretches
 * its run. On a machine so busy that the carrier gets under half a CPU, the goroutine is a hog
 * after four time slices if it computed for half a slice since the first reading, so that the
 * goroutines behind it do not wait longer. With a CPU to itself a hog is found about two and a half
 * slices after it was mounted (sysmon looks every half slice while goroutines compute), within
 * about four and a half down to a fifth of a CPU. A carrier that was on a CPU for almost none of
 * the time watched (under 1/32 of it, over ten time slices) was not scheduled by the operating
 * system (a busy machine), or is blocked in native code gmpj cannot see (socket I/O outside
 * {@link Gmp#blocking}): that is not a hog and is never reported as one. Where the JVM cannot measure
 * thread CPU time (unsupported, or disabled through {@code ThreadMXBean}), wall time alone decides,
 * as if the carrier had computed all along.
 *
 * <p>Either way the hog is reported once (its id, how long it ran and where, sampled while it
 * still held its processor) and counted in {@link SchedulerStats#hogs()}. Carriers blocked in
 * goroutine code (on a monitor, in {@code Object.wait}, {@code LockSupport.park} or
 * {@code Thread.sleep}) are not hogs: they are treated like {@link Gmp#blocking} calls and lose
 * their processor under both policies.
 *
 * <p>Chosen once, on the scheduler's builder; the constants are plain data. Only goroutines can be
 * hogs: a plain thread is not on a processor and is never watched.
 */
public enum HogPolicy {
    /**
     * The default: the hog's processor is handed to another carrier (a spare, or a new one up to
     * {@link Scheduler.Builder#maxThreads}), so the goroutines queued behind it and due timers
     * are served. The hog keeps running on its own carrier without a processor until it yields,
     * parks or ends; meanwhile one more goroutine runs than {@code procs} allows, which
     * {@link SchedulerStats#extraRunning()} shows. A carrier stuck without using CPU time is
     * handed off the same way, unreported, so that a goroutine blocked in native code cannot
     * stall its processor for good.
     */
    HAND_OFF,
    /**
     * The hog keeps its processor and is only reported: never more goroutines run at once than
     * {@code procs} (apart from goroutines returning from blocking calls, until they next yield or
     * park). The goroutines queued on its processor, and timers due there (sleepers and timed
     * parks), wait until the hog yields, parks or ends, unless another processor's carrier runs
     * out of work and takes them; with {@code procs(1)} nothing else runs meanwhile: a goroutine
     * whose sleep has ended stays unserved. Neither is a carrier stuck without using CPU time
     * handed off. Choose it when {@code procs} must bound CPU use strictly, for goroutines that
     * call {@link Gmp#checkpoint()} in long loops.
     */
    REPORT_ONLY
}
