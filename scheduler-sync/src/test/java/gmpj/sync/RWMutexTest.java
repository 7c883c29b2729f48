package gmpj.sync;

import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.joinThread;
import static gmpj.sync.SyncTestSupport.runTogether;
import static gmpj.sync.SyncTestSupport.scheduler;
import static gmpj.sync.SyncTestSupport.startThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.sync.SyncTestSupport.TestThread;
import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RWMutex: readers share, writers exclude, waiting writers hold back new readers, misuse. */
class RWMutexTest {

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void readersShareAndWritersExcludeEveryone(int procs) {
        RWMutex rw = new RWMutex();
        AtomicInteger readersInside = new AtomicInteger();
        AtomicInteger writersInside = new AtomicInteger();
        AtomicInteger maxReaders = new AtomicInteger();
        AtomicReference<String> violation = new AtomicReference<>();
        long[] writes = {0};
        try (Scheduler s = scheduler("rw", procs)) {
            runTogether(s, 48, 2, i -> {
                SplittableRandom rnd = new SplittableRandom(i);
                for (int n = 0; n < 200; n++) {
                    if (rnd.nextInt(8) == 0) {
                        rw.lock();
                        try {
                            if (writersInside.incrementAndGet() != 1 || readersInside.get() != 0) {
                                violation.compareAndSet(null, "a writer was not alone");
                            }
                            writes[0]++;
                            Gmp.yield();
                            writersInside.decrementAndGet();
                        } finally {
                            rw.unlock();
                        }
                    } else {
                        rw.rlock();
                        try {
                            int now = readersInside.incrementAndGet();
                            maxReaders.accumulateAndGet(now, Math::max);
                            if (writersInside.get() != 0) {
                                violation.compareAndSet(null, "a reader was inside with a writer");
                            }
                            Gmp.yield();
                            readersInside.decrementAndGet();
                        } finally {
                            rw.runlock();
                        }
                    }
                }
            });
        }
        assertNull(violation.get());
        assertTrue(writes[0] > 0);
        assertFalse(rw.writerIn());
        assertEquals(0, rw.readers());
    }

    @Test
    void readersOverlapWhenNoWriterWaits() {
        RWMutex rw = new RWMutex();
        rw.rlock();
        try (Scheduler s = scheduler("overlap", 1)) {
            assertTrue(join(s, s.submit(() -> {
                rw.rlock(); // does not wait for the thread's read lock
                rw.runlock();
                return true;
            })));
        }
        assertTrue(rw.tryRLock());
        assertEquals(2, rw.readers());
        rw.runlock();
        rw.runlock();
    }

    @Test
    void aWaitingWriterHoldsBackNewReaders() {
        RWMutex rw = new RWMutex();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        rw.rlock(); // this thread reads
        try (Scheduler s = scheduler("writer-first", 2)) {
            Task<Void> writer = s.submit(() -> {
                rw.lock();
                order.add("writer");
                rw.unlock();
            });
            awaitCondition("the writer to announce itself", rw::writerIn);
            assertFalse(rw.tryRLock(), "a new reader must not pass a waiting writer");
            assertFalse(rw.tryLock());
            TestThread reader = startThread("late-reader", () -> {
                rw.rlock();
                order.add("late reader");
                rw.runlock();
            }, failure);
            awaitCondition("the late reader to park behind the writer", () -> rw.parkedReaders() == 1);
            assertTrue(order.isEmpty(), "nobody may pass the first reader: " + order);
            rw.runlock(); // the writer goes first, then the reader that came after it
            join(s, writer);
            joinThread(reader);
        }
        assertNull(failure.get());
        assertEquals(List.of("writer", "late reader"), order);
        assertTrue(rw.tryLock());
        rw.unlock();
    }

    @Test
    void unlockingWhatIsNotLockedThrowsAndLeavesTheLockUsable() {
        RWMutex rw = new RWMutex();
        IllegalStateException r = assertThrows(IllegalStateException.class, rw::runlock);
        assertTrue(r.getMessage().startsWith("runlock of an RWMutex not locked for reading"), r.getMessage());
        IllegalStateException w = assertThrows(IllegalStateException.class, rw::unlock);
        assertTrue(w.getMessage().startsWith("unlock of an RWMutex not locked for writing"), w.getMessage());
        rw.rlock();
        assertThrows(IllegalStateException.class, rw::unlock, "a read lock is not a write lock");
        rw.runlock();
        rw.lock();
        assertThrows(IllegalStateException.class, rw::runlock, "a write lock is not a read lock");
        rw.unlock();
        assertEquals(0, rw.readers());
        assertFalse(rw.writerIn());
    }

    @Test
    void rlockerIsTheReadSideAsALocker() {
        RWMutex rw = new RWMutex();
        Locker reads = rw.rlocker();
        reads.lock();
        reads.lock();
        assertEquals(2, rw.readers());
        assertFalse(rw.tryLock());
        reads.unlock();
        reads.unlock();
        assertTrue(rw.tryLock());
        assertFalse(rw.tryRLock());
        rw.unlock();
    }
}
