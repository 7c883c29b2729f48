/**
 * Go's {@code sync} package for gmpj, and its channels: locks, wait groups, once, condition
 * variables, semaphores, channels with select, and context-style cancellation, whose waits park
 * the goroutine and free its carrier.
 *
 * <h2>The types and their Go equivalents</h2>
 * <table>
 *   <caption>What is here</caption>
 *   <tr><th>here</th><th>Go</th><th>what it is</th></tr>
 *   <tr><td>{@link gmpj.sync.Mutex}</td><td>{@code sync.Mutex}</td><td>mutual exclusion; not
 *       reentrant, not owned; normal and starvation modes; {@code tryLock}, timed
 *       {@code tryLock}, a {@link java.util.concurrent.locks.Lock} view</td></tr>
 *   <tr><td>{@link gmpj.sync.RWMutex}</td><td>{@code sync.RWMutex}</td><td>many readers or one
 *       writer; writer-preferring</td></tr>
 *   <tr><td>{@link gmpj.sync.WaitGroup}</td><td>{@code sync.WaitGroup}</td><td>wait for a set of
 *       tasks; {@code go(scheduler, task)} is Go 1.25's {@code wg.Go}</td></tr>
 *   <tr><td>{@link gmpj.sync.Once}</td><td>{@code sync.Once}, {@code sync.OnceValue}</td><td>run an
 *       action exactly once; everyone waits for it to finish</td></tr>
 *   <tr><td>{@link gmpj.sync.Cond}</td><td>{@code sync.Cond}</td><td>condition variable over a
 *       {@link gmpj.sync.Locker}; a {@link java.util.concurrent.locks.Condition} view</td></tr>
 *   <tr><td>{@link gmpj.sync.Semaphore}</td><td>{@code x/sync/semaphore.Weighted}</td><td>weighted,
 *       strictly FIFO semaphore</td></tr>
 *   <tr><td>{@link gmpj.sync.Locker}</td><td>{@code sync.Locker}</td><td>lock/unlock, what a
 *       {@code Cond} waits on</td></tr>
 *   <tr><td>{@link gmpj.sync.Chan}</td><td>{@code chan T}</td><td>unbuffered or buffered channel;
 *       close, timed and non-blocking operations, iteration until closed</td></tr>
 *   <tr><td>{@link gmpj.sync.Select}</td><td>{@code select}</td><td>wait on several sends and
 *       receives; random choice among ready cases, default, timeout</td></tr>
 *   <tr><td>{@link gmpj.sync.Context}</td><td>{@code context.Context}</td><td>cancellation trees
 *       with deadlines and values; {@code done()} is a channel</td></tr>
 *   <tr><td>{@link gmpj.sync.ErrGroup}</td><td>{@code x/sync/errgroup}</td><td>goroutines of one
 *       job; the first failure cancels the rest</td></tr>
 * </table>
 * Misuse that Go answers with a panic or a fatal error (unlocking an unlocked mutex, a negative
 * wait-group counter, releasing more than was acquired) throws {@link java.lang.IllegalStateException}
 * here, with a message that says what happened and what to do; where possible the object is left
 * as it was.
 *
 * <h2>Waiting frees the carrier</h2>
 * Every wait goes through {@link gmpj.core.Parking}: a goroutine that waits is unmounted and its
 * carrier runs other goroutines, so thousands of goroutines may wait on a lock while a single
 * processor keeps working. Never wait on a {@code java.util.concurrent} lock or
 * {@code Object.wait} from a goroutine: those block the carrier thread and stall its processor.
 * Each wait records its {@link gmpj.core.WaitReason} (shown by the scheduler's dumps) and calls
 * {@link gmpj.core.Gmp#checkpoint()} first, so a goroutine asked to yield does so. Timed variants
 * exist where Go or Java users expect them ({@code Mutex.tryLock(Duration)},
 * {@code WaitGroup.await(Duration)}, {@code Cond.await(Duration)},
 * {@code Semaphore.tryAcquire(n, Duration)}, the {@code Lock}/{@code Condition} views). Every
 * timeout saturates: zero or negative (down to {@code Long.MIN_VALUE} in any unit) means "do not
 * wait", and one too long for nanoseconds waits as long as it takes.
 *
 * <h2>Interrupts</h2>
 * Goroutines have no interrupts. The waits of a plain thread behave like
 * {@code CompletableFuture.join}: uninterruptible, like Go's, so an interrupt before or during the
 * wait neither ends it nor makes it spin, and the interrupt flag is still set when it returns. The
 * exceptions are the methods whose Java contract declares {@link java.lang.InterruptedException}
 * ({@code Lock.lockInterruptibly}, the timed {@code Lock.tryLock}, the interruptible
 * {@code Condition} waits): on a plain thread they honour it, throwing with the flag cleared when
 * the thread is interrupted before or while waiting.
 *
 * <h2>Goroutines and threads together</h2>
 * The same object serves goroutines of any scheduler and plain Java threads (platform or virtual)
 * at once: a thread that waits blocks in {@code LockSupport}, a goroutine parks. A lock taken by a
 * thread may be released by a goroutine and the other way round. This is also how jcstress actors
 * drive these types. Only a carrier thread outside any goroutine may not wait (the runtime refuses).
 *
 * <h2>How they are built</h2>
 * Fast paths are one atomic operation on a state word (Go's layouts: the mutex's
 * locked/woken/starving bits and waiter count, the wait group's counter and waiter count in one
 * {@code long}). Slow paths queue a {@code WaitNode} on a {@code WaitQueue}: a FIFO guarded by a
 * {@link gmpj.core.SpinLock} held only for a few field writes, never across a park. Channels follow
 * Go's {@code hchan}: a ring buffer and queues of blocked senders and receivers under one such
 * lock, whose nodes are served by CAS so that a blocked select can wait in many queues at once (see
 * {@code ChanWait}). A waker unlinks a node and sets its status under that lock, then unparks its
 * waiter; a waiter that times out settles under the same lock whether it leaves or keeps what it
 * was just given, so no grant is lost or doubled.
 */
package gmpj.sync;
