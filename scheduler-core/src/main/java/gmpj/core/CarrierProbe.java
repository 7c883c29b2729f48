package gmpj.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * What the JVM can tell about a carrier thread beyond its {@code Thread.State}, through
 * {@link ThreadMXBean}: its CPU time, the monitor it waits to enter, and whether it holds any
 * monitor. Every query is a call into the VM, so none is on a fast path: sysmon asks only about a
 * carrier that already looks stuck, and the monitor question is asked only in the opt-in mode
 * {@link Scheduler.Builder#checkMonitors}.
 */
final class CarrierProbe {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CarrierProbe() {}

    /**
     * The CPU time {@code carrier} has used so far, in nanoseconds, or -1 where the JVM does not
     * measure thread CPU time (unsupported, disabled, or the thread ended). One system call.
     */
    static long cpuTimeNanos(Thread carrier) {
        try {
            return THREADS.getThreadCpuTime(carrier.threadId());
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    /**
     * Whether {@code carrier} holds a monitor ({@code synchronized}) right now, in any frame,
     * including those of the goroutine mounted on it. A JVM thread dump of one thread with its
     * locked monitors: a safepoint that stops every thread of the JVM for tens of microseconds.
     * Only the full stack will do: with a bounded depth the JVM leaves out monitors taken deeper.
     */
    static boolean holdsMonitor(Thread carrier) {
        ThreadInfo[] info = THREADS.getThreadInfo(new long[] {carrier.threadId()}, true, false);
        return info.length == 1 && info[0] != null && info[0].getLockedMonitors().length > 0;
    }

    /** Whether {@link #holdsMonitor} works on this JVM. */
    static boolean monitorsObservable() {
        return THREADS.isObjectMonitorUsageSupported();
    }

    /**
     * The JVM's view of {@code carrier} without its stack: the lock it is blocked on and that
     * lock's owner, where the JVM knows them. Null if the thread ended.
     */
    static ThreadInfo lockInfo(Thread carrier) {
        return THREADS.getThreadInfo(carrier.threadId());
    }
}
