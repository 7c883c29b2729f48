package gmpj.core;

import static gmpj.core.TestSupport.LIVENESS;
import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.joinAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * {@link SpinLock}: mutual exclusion from threads and goroutines at once, and how a contender
 * waits when the holder keeps the lock: it must end up parked (not spinning or yielding for ever),
 * even with its interrupt flag set, keep that flag, and not swallow a permit meant for its thread.
 */
class SpinLockTest {
    private static final int THREADS = 2;
    private static final int GOROUTINES = 4;
    private static final int ROUNDS = 20_000;

    /** Guarded by the lock under test: a plain int, so a section that overlaps another loses updates. */
    private int counter;

    @Test
    void threadsAndMigratingGoroutinesLoseNoUpdate() throws InterruptedException {
        SpinLock lock = new SpinLock();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Runnable section = () -> {
            lock.lock();
            try {
                if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                int read = counter;
                counter = read + 1;
                inside.decrementAndGet();
            } finally {
                lock.unlock();
            }
        };
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            threads.add(Thread.ofPlatform().name("spinlock-thread-" + i).start(() -> {
                for (int r = 0; r < ROUNDS; r++) {
                    section.run();
                }
            }));
        }
        try (Scheduler s = builder("spinlock").procs(2).build()) {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < GOROUTINES; i++) {
                tasks.add(s.submit(() -> {
                    for (int r = 0; r < ROUNDS; r++) {
                        section.run();
                        Gmp.yield(); // may resume on the other carrier: the lock must not care
                    }
                }));
            }
            joinAll(s, tasks);
        }
        for (Thread t : threads) {
            t.join(LIVENESS.toMillis());
            assertFalse(t.isAlive(), t + " did not finish");
        }
        assertEquals(0, overlaps.get(), "critical sections overlapped");
        assertEquals((THREADS + GOROUTINES) * ROUNDS, counter);
    }

    @Test
    void contenderParksWhileTheHolderKeepsTheLock() throws InterruptedException {
        SpinLock lock = new SpinLock();
        AtomicBoolean acquired = new AtomicBoolean();
        lock.lock();
        Thread contender = Thread.ofPlatform().name("spinlock-contender").start(() -> {
            lock.lock();
            acquired.set(true);
            lock.unlock();
        });
        try {
            // A lock that only spins and yields keeps its contender RUNNABLE for as long as it waits.
            awaitCondition(() -> contender.getState() == Thread.State.TIMED_WAITING, LIVENESS,
                    () -> "the contender never parked; it is " + contender.getState());
            assertFalse(acquired.get(), "the contender took a held lock");
        } finally {
            lock.unlock();
        }
        contender.join(LIVENESS.toMillis());
        assertFalse(contender.isAlive(), "the contender did not take the freed lock");
        assertTrue(acquired.get());
    }

    /**
     * {@code LockSupport.parkNanos} returns at once while the interrupt flag is set, so a contender
     * that kept its flag up would spin through its park phase. (Its state would still read
     * {@code TIMED_WAITING} for part of every failed park, so the state alone does not tell; the
     * flag must also be down while it waits.) Interrupted before it calls {@code lock()} and again
     * while it waits, it must each time take the flag down and park, and have it set once it holds
     * the lock.
     */
    @Test
    void interruptedContenderStillParksAndKeepsItsInterrupt() throws InterruptedException {
        SpinLock lock = new SpinLock();
        AtomicBoolean acquired = new AtomicBoolean();
        AtomicBoolean interruptedOnceAcquired = new AtomicBoolean();
        lock.lock();
        Thread contender = Thread.ofPlatform().name("spinlock-interrupted-contender").start(() -> {
            Thread.currentThread().interrupt();
            lock.lock();
            acquired.set(true);
            interruptedOnceAcquired.set(Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        try {
            awaitCondition(() -> contender.getState() == Thread.State.TIMED_WAITING && !contender.isInterrupted(),
                    LIVENESS, () -> "the interrupted contender never parked with its flag down; it is "
                            + contender.getState() + ", interrupted " + contender.isInterrupted());
            contender.interrupt();
            awaitCondition(() -> contender.getState() == Thread.State.TIMED_WAITING && !contender.isInterrupted(),
                    LIVENESS, () -> "the contender interrupted while parked never parked again; it is "
                            + contender.getState() + ", interrupted " + contender.isInterrupted());
            assertFalse(acquired.get(), "the contender took a held lock");
        } finally {
            lock.unlock();
        }
        contender.join(LIVENESS.toMillis());
        assertFalse(contender.isAlive(), "the contender did not take the freed lock");
        assertTrue(interruptedOnceAcquired.get(), "the contender lost its interrupt");
    }

    /**
     * A park in the lock may take a permit meant for the caller's next park; the lock gives one
     * back. Here the contender's thread has a permit before it calls {@code lock()} (an unpark that
     * came early); after the lock it parks once, and must return.
     */
    @Test
    void contenderThatParkedDoesNotSwallowItsThreadsPermit() throws InterruptedException {
        SpinLock lock = new SpinLock();
        AtomicBoolean parkReturned = new AtomicBoolean();
        lock.lock();
        Thread contender = Thread.ofPlatform().name("spinlock-permit-contender").start(() -> {
            LockSupport.unpark(Thread.currentThread());
            lock.lock();
            lock.unlock();
            LockSupport.park(); // the permit of the unpark above, or one the lock gave back
            parkReturned.set(true);
        });
        try {
            awaitCondition(() -> contender.getState() == Thread.State.TIMED_WAITING, LIVENESS,
                    () -> "the contender never parked; it is " + contender.getState());
        } finally {
            lock.unlock();
        }
        try {
            awaitCondition(parkReturned::get, LIVENESS,
                    () -> "the contender's park after the lock never returned: the lock swallowed its permit");
        } finally {
            LockSupport.unpark(contender);
            contender.join(LIVENESS.toMillis());
        }
    }

    @Test
    void tryLockTakesOnlyAFreeLock() throws InterruptedException {
        SpinLock lock = new SpinLock();
        assertTrue(lock.tryLock());
        assertFalse(lock.tryLock(), "a held lock was taken again");
        AtomicBoolean fromOtherThread = new AtomicBoolean(true);
        Thread other = Thread.ofPlatform().start(() -> fromOtherThread.set(lock.tryLock()));
        other.join(LIVENESS.toMillis());
        assertFalse(fromOtherThread.get(), "another thread took a held lock");
        lock.unlock();
        assertTrue(lock.tryLock());
    }

    @Test
    void anyThreadMayFreeTheLock() throws InterruptedException {
        SpinLock lock = new SpinLock();
        Thread taker = Thread.ofPlatform().start(lock::lock);
        taker.join(LIVENESS.toMillis());
        assertFalse(lock.tryLock(), "the lock taken by the other thread is free");
        lock.unlock();
        assertTrue(lock.tryLock(), "the lock freed by another thread than its taker is still held");
    }

    @Test
    void unlockOfAFreeLockThrows() {
        SpinLock lock = new SpinLock();
        IllegalStateException e = assertThrows(IllegalStateException.class, lock::unlock);
        assertTrue(e.getMessage().contains("not locked"), e.getMessage());
        lock.lock();
        lock.unlock();
        assertThrows(IllegalStateException.class, lock::unlock);
        assertTrue(lock.tryLock(), "a failed unlock changed the lock");
    }
}
