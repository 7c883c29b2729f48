/**
 * gmpj's runtime: Go's G/M/P scheduler on JDK continuations.
 *
 * <h2>The model in five minutes</h2>
 * <pre>
 *                 go()/submit() from outside          ready() from outside
 *                              \                        /
 *                               v                      v
 *                         +-----------------------------------+
 *                         | global run queue (list, one lock) |
 *                         +-----------------------------------+
 *                           ^ overflow     | batch take    | batch take
 *        +------------------+--+      +----v--------------+--+
 *   P0   | runnext | ring[256] | &lt;--- | runnext | ring[256] |  P1     steal half
 *        +---------------------+ steal+---------------------+
 *                 |                           |
 *            M0 (carrier thread)         M1 (carrier thread)
 *                 |                           |
 *            G (continuation) mounted    G (continuation) mounted
 * </pre>
 * <ul>
 *   <li><b>G</b> ({@link gmpj.core.G}): a goroutine, one {@code jdk.internal.vm.Continuation} with a
 *       state word (RUNNABLE, RUNNING, WAITING, DEAD) and a park permit. Parking yields the
 *       continuation, so a waiting goroutine holds no thread.</li>
 *   <li><b>P</b> ({@link gmpj.core.P}): a processor. {@code procs} of them (Go's GOMAXPROCS, changed at
 *       run time by {@link gmpj.core.Scheduler#setProcs}); each owns
 *       a lock-free local run queue ({@link gmpj.core.LocalRunQueue}: 256-slot ring, single producer,
 *       thieves take half in one CAS, a full ring spills half to the global queue) and a
 *       {@code runnext} slot for the goroutine just spawned or readied by the running one.</li>
 *   <li><b>sysmon</b> ({@link gmpj.core.Sysmon}): a daemon thread that asks goroutines past their
 *       time slice to yield, hands the P of a carrier stuck in a blocking call or in a goroutine
 *       that never yields to another carrier, prints schedtrace lines and reports deadlocks.</li>
 *   <li><b>M</b> ({@link gmpj.core.M}): a carrier platform thread holding one P. It loops over
 *       {@code findRunnable}: every 61st tick the global queue; runnext (at most 3 in a row) and the
 *       ring; the global queue in batches; expired timers; stealing through the
 *       {@link gmpj.core.StealPolicy}; then it puts its P on the idle set and parks.</li>
 * </ul>
 *
 * <h2>Waking carriers</h2>
 * When work appears (spawn, unpark, timer) and a P is idle but no M spins, one M is woken to spin
 * (Go's {@code wakep}); at most half of the busy Ps may have a spinning M, and one that finds work
 * wakes the next. An M going idle re-checks the queues after it stops spinning, so the two sides
 * never miss each other. Of the idle Ms, exactly one waits for the nearest timer (the timekeeper);
 * the others wait for work. The hand-shake is written once, in {@code Idle}'s class comment, and
 * the timekeeper in {@code Timers}'s; {@code docs/DESIGN.md} maps every file of this package.
 *
 * <h2>What a goroutine must not do</h2>
 * A goroutine runs on its carrier's stack and thread: {@code Thread.currentThread()} is the
 * carrier (and, in JIT-compiled code, may still name the previous carrier after the goroutine
 * migrated: use {@link gmpj.core.Gmp#goid()} and friends to know who you are),
 * {@code ThreadLocal}s are the carrier's (shared by every goroutine it runs), and
 * {@code LockSupport.park}, {@code java.util.concurrent} locks, {@code Thread.sleep} and blocking
 * I/O block the carrier and so stall its processor. Use {@link gmpj.core.Gmp#sleep},
 * {@link gmpj.core.Parking} and the {@code gmpj.sync} primitives instead, and
 * {@link gmpj.core.SpinLock} to guard a few field writes. Recursion depth is
 * bounded by the carrier's stack ({@link gmpj.core.Scheduler.Builder#carrierStackSize}).
 *
 * <p>{@code synchronized} blocks and methods that do not park inside are fine; a goroutine waiting
 * to enter one blocks its carrier thread, and sysmon hands that carrier's processor to another.
 * A goroutine must not park (sleep, yield, join, any {@code gmpj.sync} wait) while it holds a
 * monitor: on JDK 25 it is unmounted with the monitor locked, and a monitor the JVM recorded as
 * owned by the carrier thread can then be entered by the carrier's other goroutines and never be
 * released. {@link gmpj.core.Scheduler.Builder#checkMonitors checkMonitors(true)} makes such parks
 * keep their carrier, at the cost of a JVM safepoint per park; {@code gmpj.sync.Mutex} has no such
 * cost.
 *
 * <h2>The JVM flag</h2>
 * Continuations live in {@code jdk.internal.vm}: every JVM running gmpj needs
 * {@code --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED} (or {@code =gmpj.core} on the
 * module path). Without it, {@link gmpj.core.Scheduler.Builder#build()} says so.
 */
package gmpj.core;
