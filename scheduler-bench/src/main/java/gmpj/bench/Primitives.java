package gmpj.bench;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import gmpj.sync.Locker;
import gmpj.sync.Mutex;
import gmpj.sync.WaitGroup;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The few things the demo's {@link Workloads} need from the runtime that runs them, so that gmpj
 * and JDK virtual threads run the very same workload code: only these primitives differ, each
 * side using its natural one (a {@link WaitGroup} or a {@link CountDownLatch}, a {@link Mutex} or
 * a {@link ReentrantLock}, {@link Parking} or {@link LockSupport}).
 *
 * @param name       how the demo's table names the runtime
 * @param start      starts a task: a goroutine or a virtual thread
 * @param sleep      sleeps the calling task without holding its carrier
 * @param checkpoint called in long loops: gmpj's {@link Gmp#checkpoint()}, so that a spawning
 *                   loop yields when sysmon asks; nothing on virtual threads, which the JDK never
 *                   asks to yield
 * @param join       a fan-in for that many tasks
 * @param lock       a new lock
 * @param park       parks the calling task (may return spuriously)
 * @param parker     the calling task's handle, for {@link #unparker}
 * @param unparker   unparks the task behind a handle from {@link #parker}
 */
record Primitives(String name, Executor start, Consumer<Duration> sleep, Runnable checkpoint, IntFunction<Join> join,
                  Supplier<Locker> lock, Runnable park, Supplier<Object> parker, Consumer<Object> unparker) {

    /** Waits until a fixed number of tasks have called {@link #done()}. */
    interface Join {
        /** Called once by each task when it finishes. */
        void done();

        /** Parks (or blocks) until every task has called {@link #done()}. */
        void await();
    }

    /** gmpj on {@code scheduler}: goroutines, timers, {@link WaitGroup}, {@link Mutex}, {@link Parking}. */
    static Primitives gmpj(Scheduler scheduler) {
        return new Primitives("gmpj", scheduler::go, Gmp::sleep, Gmp::checkpoint, Primitives::waitGroup, Mutex::new,
                () -> Parking.park(WaitReason.PARK), Parking::currentWaiter, w -> ((Waiter) w).unpark());
    }

    /**
     * JDK virtual threads on the default scheduler: {@link Thread#sleep}, {@link CountDownLatch},
     * {@link ReentrantLock}, {@link LockSupport}.
     */
    static Primitives virtualThreads() {
        return new Primitives("virtual threads", Thread::startVirtualThread, Primitives::threadSleep, () -> {},
                Primitives::latch, Primitives::reentrantLock, LockSupport::park, Thread::currentThread,
                t -> LockSupport.unpark((Thread) t));
    }

    private static Join waitGroup(int tasks) {
        WaitGroup wg = new WaitGroup();
        wg.add(tasks);
        return new Join() {
            @Override
            public void done() {
                wg.done();
            }

            @Override
            public void await() {
                wg.await();
            }
        };
    }

    private static Join latch(int tasks) {
        CountDownLatch latch = new CountDownLatch(tasks);
        return new Join() {
            @Override
            public void done() {
                latch.countDown();
            }

            @Override
            public void await() {
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted while waiting for tasks to finish", e);
                }
            }
        };
    }

    private static Locker reentrantLock() {
        ReentrantLock lock = new ReentrantLock();
        return new Locker() {
            @Override
            public void lock() {
                lock.lock();
            }

            @Override
            public void unlock() {
                lock.unlock();
            }
        };
    }

    private static void threadSleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            throw new IllegalStateException("a sleeping virtual thread was interrupted", e);
        }
    }
}
