package gmpj.core;

import java.util.concurrent.locks.LockSupport;

/**
 * A plain Java thread seen as a {@link Waiter}: parking blocks the thread with {@link LockSupport},
 * so every primitive built on {@link Parking} also works outside the scheduler.
 *
 * <p>One instance per thread, cached in a {@link ThreadLocal} (it is never used by goroutines, whose
 * carrier's thread locals are shared by every goroutine the carrier runs).
 */
final class ThreadWaiter implements Waiter {
    private static final ThreadLocal<ThreadWaiter> CURRENT = ThreadLocal.withInitial(ThreadWaiter::new);

    final Thread thread = Thread.currentThread();

    static ThreadWaiter current() {
        return CURRENT.get();
    }

    @Override
    public void unpark() {
        LockSupport.unpark(thread);
    }

    @Override
    public boolean isGoroutine() {
        return false;
    }

    @Override
    public String toString() {
        return "thread " + thread.getName();
    }
}
