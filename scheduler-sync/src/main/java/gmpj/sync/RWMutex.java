package gmpj.sync;

import gmpj.core.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A reader/writer lock: Go's {@code sync.RWMutex}. Any number of readers, or one writer. Waiting
 * goroutines park and free their carriers; plain threads block.
 *
 * <p>Writer-preferring, like Go's: once a writer waits, new readers wait too, so a stream of readers
 * cannot starve writers. Hence, as in Go, a goroutine must not take the read lock recursively: if a
 * writer queued between the two {@code rlock()} calls, the second waits for the writer, which waits
 * for the first. Not owned: any caller may unlock what another locked. Unlocking what is not locked
 * throws {@link IllegalStateException}.
 *
 * <h2>Thread safety</h2>
 * Every method may be called at the same time from any goroutine (of any scheduler) or plain
 * thread; {@link #writerIn()} and {@link #readers()} are snapshots.
 *
 * <h2>Goroutines and plain threads</h2>
 * A waiting goroutine parks and frees its carrier (dumps show {@code sync.RWMutex.Lock} for a
 * writer, {@code sync.RWMutex.RLock} for a reader); a plain thread blocks in {@code LockSupport}.
 * Every wait is uninterruptible, like Go's: a thread's interrupt neither ends it nor is lost.
 * Waiting on a carrier thread outside any goroutine throws {@link IllegalStateException}.
 *
 * <h2>How it works (Go's algorithm)</h2>
 * Writers first take {@link #writers}, a {@link Mutex}, so that at most one writer is in the game.
 * {@link #readerCount} counts readers holding or waiting; the writer announces itself by subtracting
 * {@link #MAX_READERS}, making it negative, so new readers see the writer and park on
 * {@link #readerSem}. The writer records how many readers were active in {@link #readerWait} and
 * parks on {@link #writerSem}; the last of those readers to leave wakes it. Unlock adds
 * {@code MAX_READERS} back and releases one {@code readerSem} permit per reader that queued.
 *
 * <p>No timed waits: a writer that gave up after announcing itself could not withdraw without
 * racing the readers that are leaving (one of them may be about to release {@code writerSem}).
 * {@link #tryLock()} and {@link #tryRLock()} never wait.
 */
public final class RWMutex implements Locker {
    /** Readers at most; also the writer's mark in {@link #readerCount}. Go's 2^30. */
    static final int MAX_READERS = 1 << 30;

    private static final VarHandle READER_COUNT;
    private static final VarHandle READER_WAIT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            READER_COUNT = l.findVarHandle(RWMutex.class, "readerCount", int.class);
            READER_WAIT = l.findVarHandle(RWMutex.class, "readerWait", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Held by the writer, and by a writer waiting for readers to leave. */
    private final Mutex writers = new Mutex();
    /** The writer parks here until the readers active at its arrival have left. */
    private final Sema writerSem = new Sema();
    /** Readers park here while a writer waits or writes. */
    private final Sema readerSem = new Sema();
    /** Readers holding or waiting, minus {@link #MAX_READERS} while a writer is in. Through {@link #READER_COUNT}. */
    @SuppressWarnings("unused")
    private volatile int readerCount;
    /** Readers the waiting writer still waits for. Through {@link #READER_WAIT}. */
    @SuppressWarnings("unused")
    private volatile int readerWait;

    /** An unlocked RWMutex. */
    public RWMutex() {}

    // ------------------------------------------------------------------ readers

    /** Locks for reading; waits while a writer holds the lock or waits for it. */
    public void rlock() {
        // volatile getAndAdd: acquires the last writer's writes (its Unlock added MAX_READERS back)
        if ((int) READER_COUNT.getAndAdd(this, 1) + 1 < 0) {
            readerSem.acquire(WaitReason.RWMUTEX_R); // a writer is in: its unlock releases us
        }
    }

    /**
     * Locks for reading if no writer holds or waits for the lock; never waits.
     *
     * @return {@code true} if the lock is now held for reading by this call
     */
    public boolean tryRLock() {
        for (;;) {
            int c = (int) READER_COUNT.getVolatile(this);
            if (c < 0) {
                return false;
            }
            if (READER_COUNT.compareAndSet(this, c, c + 1)) { // volatile CAS
                return true;
            }
        }
    }

    /**
     * Undoes one {@link #rlock()}.
     *
     * @throws IllegalStateException if the lock is not held for reading
     */
    public void runlock() {
        int r;
        for (;;) {
            int c = (int) READER_COUNT.getVolatile(this);
            if (c == 0 || c == -MAX_READERS) {
                throw new IllegalStateException("runlock of an RWMutex not locked for reading: every runlock() must "
                        + "match exactly one earlier rlock() or successful tryRLock()");
            }
            if (READER_COUNT.compareAndSet(this, c, c - 1)) { // volatile CAS: releases the reader's section
                r = c - 1;
                break;
            }
        }
        if (r < 0 && (int) READER_WAIT.getAndAdd(this, -1) - 1 == 0) { // volatile getAndAdd
            writerSem.release(); // we were the last reader the waiting writer waited for
        }
    }

    /**
     * A {@link Locker} whose lock and unlock are this RWMutex's {@link #rlock()} and {@link #runlock()}.
     *
     * @return a new read-side locker, e.g. for a {@link Cond}
     */
    public Locker rlocker() {
        return new Locker() {
            @Override
            public void lock() {
                rlock();
            }

            @Override
            public void unlock() {
                runlock();
            }

            @Override
            public String toString() {
                return RWMutex.this + " (read side)";
            }
        };
    }

    // ------------------------------------------------------------------ writers

    /** Locks for writing; waits for the other writers, then for the readers already in. */
    @Override
    public void lock() {
        writers.lock(WaitReason.RWMUTEX);
        // Announce the writer: new readers now queue. The old value counts the active readers.
        int active = (int) READER_COUNT.getAndAdd(this, -MAX_READERS); // volatile getAndAdd
        if (active != 0 && (int) READER_WAIT.getAndAdd(this, active) + active != 0) { // volatile getAndAdd
            writerSem.acquire(WaitReason.RWMUTEX); // the last of them releases us
        }
    }

    /**
     * Locks for writing if nobody holds or waits for the lock; never waits.
     *
     * @return {@code true} if the lock is now held for writing by this call
     */
    public boolean tryLock() {
        if (!writers.tryLock()) {
            return false;
        }
        if (!READER_COUNT.compareAndSet(this, 0, -MAX_READERS)) { // volatile CAS
            writers.unlock();
            return false;
        }
        return true;
    }

    /**
     * Undoes {@link #lock()}: lets the readers that queued meanwhile in, then the next writer.
     *
     * @throws IllegalStateException if the lock is not held for writing
     */
    @Override
    public void unlock() {
        int queuedReaders;
        for (;;) {
            int c = (int) READER_COUNT.getVolatile(this);
            if (c >= 0) {
                throw new IllegalStateException("unlock of an RWMutex not locked for writing: every unlock() must "
                        + "match exactly one earlier lock() or successful tryLock()");
            }
            if (READER_COUNT.compareAndSet(this, c, c + MAX_READERS)) { // volatile CAS: releases the writer's section
                queuedReaders = c + MAX_READERS;
                break;
            }
        }
        for (int i = 0; i < queuedReaders; i++) {
            readerSem.release();
        }
        writers.unlock();
    }

    // ------------------------------------------------------------------ observation

    /**
     * Whether a writer holds the lock or waits for the readers to leave. A snapshot.
     *
     * @return {@code true} while a writer is in
     */
    public boolean writerIn() {
        return (int) READER_COUNT.getVolatile(this) < 0;
    }

    /**
     * Readers holding the lock or queued for it. A snapshot.
     *
     * @return the number of readers
     */

    public int readers() {
        int c = (int) READER_COUNT.getVolatile(this);
        return c < 0 ? c + MAX_READERS : c;
    }

    /** Readers parked behind a writer now (a snapshot): tests use it to know a reader really waits. */
    int parkedReaders() {
        return readerSem.waiters();
    }

    @Override
    public String toString() {
        int c = (int) READER_COUNT.getVolatile(this);
        return "RWMutex[" + (c < 0 ? "writer in, readers=" + (c + MAX_READERS) : "readers=" + c) + "]";
    }
}
