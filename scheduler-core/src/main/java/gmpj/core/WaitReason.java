package gmpj.core;

/**
 * Why a goroutine is parked, as shown by {@code dump()} and the deadlock report.
 *
 * <p>The labels follow Go's {@code waitReason} strings so that a Go user recognises a dump.
 * Every blocking operation of the runtime and of {@code gmpj.sync} records one of these before it
 * parks.
 *
 * <p>Constants: plain data, safe everywhere. A plain thread waiting in gmpj records its reason
 * too, as the blocker of its {@code LockSupport} park ({@code LockSupport.getBlocker}).
 */
public enum WaitReason {
    /** Parked through {@link Parking} without a more specific reason. */
    PARK("park"),
    /** Sleeping on a timer. */
    SLEEP("sleep"),
    /** Waiting for another goroutine's result ({@link Task#join()}). */
    JOIN("join"),
    /** Waiting to acquire a mutex. */
    MUTEX("sync.Mutex.Lock"),
    /** Waiting to acquire a read-write mutex for writing. */
    RWMUTEX("sync.RWMutex.Lock"),
    /** Waiting to acquire a read-write mutex for reading. */
    RWMUTEX_R("sync.RWMutex.RLock"),
    /** Waiting for a wait group to reach zero. */
    WAITGROUP("sync.WaitGroup.Wait"),
    /** Waiting for another caller's {@code Once} action to finish. */
    ONCE("sync.Once.Do"),
    /** Waiting on a condition variable. */
    COND("sync.Cond.Wait"),
    /** Waiting for semaphore permits. */
    SEMAPHORE("semacquire"),
    /** Blocked sending on a channel. */
    CHAN_SEND("chan send"),
    /** Blocked receiving from a channel. */
    CHAN_RECV("chan receive"),
    /** Blocked in a select over several channel operations. */
    SELECT("select"),
    /** Waiting for I/O readiness. */
    IO("IO wait"),
    /** Waiting in {@link Synctest#await()} for every other goroutine of its bubble to park. */
    SYNCTEST_WAIT("synctest.Wait"),
    /** Waiting in {@link Scheduler#setProcs} for another resize of the same scheduler to finish. */
    SET_PROCS("GOMAXPROCS");

    private final String label;

    WaitReason(String label) {
        this.label = label;
    }

    /**
     * The Go-style label, e.g. {@code "chan receive"}.
     *
     * @return the label
     */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
