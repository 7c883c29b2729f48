package gmpj.core;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Objects;

/**
 * A non-blocking channel watched by its scheduler's network poller: the piece that lets a
 * goroutine wait for a socket without holding a carrier (Go's {@code pollDesc}). {@code gmpj.net}
 * builds its listeners and connections on it; use it directly to park on any other
 * {@link SelectableChannel}.
 *
 * <p>The pattern is Go's: try the operation on the non-blocking channel; if it could do nothing
 * (a read of 0 bytes, an accept of null), {@link #await} the operation and try again. A goroutine
 * parks with wait reason {@link WaitReason#IO} and its carrier runs other goroutines meanwhile; a
 * plain thread blocks. {@code await} may return when the channel is not ready after all (another
 * party consumed the data, or a readiness event was left from before): the caller just tries again.
 *
 * <h2>Thread safety</h2>
 * At most one waiter per direction at a time (reads and accepts are one direction, writes and
 * connects the other); a second one gets an {@link IllegalStateException}. Everything else
 * ({@link #close}, the deadlines) may be called from any goroutine or thread at any time, and
 * wakes the waiters so they see it.
 *
 * <h2>Goroutines and plain threads</h2>
 * A goroutine in {@link #await} parks (wait reason {@link WaitReason#IO}) and frees its carrier; a
 * plain thread blocks in {@code LockSupport}. Either is woken by the poller of the descriptor's
 * scheduler, also when the goroutine belongs to another scheduler. A plain thread's wait is uninterruptible: an interrupt neither
 * ends it nor is lost; a deadline or {@link #close} does. On a carrier thread outside any
 * goroutine, {@code await} throws {@link IllegalStateException}. Call the channel's I/O through
 * this descriptor's methods ({@link #read}, {@link #write}...) in goroutine code; see
 * {@link #read} for why. Deadlines are {@code System.nanoTime()} values.
 *
 * <h2>The slot protocol</h2>
 * Each direction has a slot ({@link #rg}, {@link #wg}) holding null, {@link #READY}, or the
 * {@link Waiter} parked on it. The poller, on readiness, swaps a parked waiter out (CAS waiter ->
 * null) and readies it, or leaves the token (CAS null -> READY). A waiter arms by CAS null ->
 * itself after adding the operation to the key's interest, or consumes the token (CAS READY ->
 * null) and returns at once. Every change is a CAS on one slot, so readiness that arrives between
 * the waiter's failed try and its arming is never lost: either the poller finds the waiter, or the
 * waiter finds the token. jcstress: {@code PollReadyRacingArmWakesOnce}. A waiter that stops
 * waiting (closed, deadline, woken to re-read its deadline) takes itself out by CAS waiter -> null;
 * if that fails, the poller took it first and the wait ends as ready.
 *
 * <p>Closing is the other write-then-read pair: {@link #close} writes {@link #closed} and then
 * reads the slots to unpark whoever is there; a waiter writes its slot and then reads
 * {@link #closed} before each park. All volatile, so either the closer finds the waiter or the
 * waiter sees the close. jcstress: {@code PollCloseRacingArmIsNeverLost}.
 */
public final class PollDesc implements AutoCloseable {
    /** The token a readiness event leaves when nobody waits. */
    private static final Object READY = new Object() {
        @Override
        public String toString() {
            return "READY";
        }
    };
    private static final VarHandle RG;
    private static final VarHandle WG;
    private static final VarHandle CLOSED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RG = l.findVarHandle(PollDesc.class, "rg", Object.class);
            WG = l.findVarHandle(PollDesc.class, "wg", Object.class);
            CLOSED = l.findVarHandle(PollDesc.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Scheduler scheduler;
    private final Netpoll np;
    private final SelectableChannel channel;
    private SelectionKey key; // written once in open, before the descriptor is published
    /**
     * Operations waiters asked to add to the key's interest, not yet applied by a poller
     * ({@link Netpoll#requestInterest}); the descriptor is on the poller's pending stack exactly
     * while this is not 0.
     */
    volatile int pendingOps;
    /** The next descriptor on the poller's pending stack; written by the pusher, read by the poller that took the stack. */
    PollDesc pendingNext;
    /** The poller's list of open descriptors, under its lock ({@link Netpoll#add}). */
    PollDesc prevDesc;
    PollDesc nextDesc;
    boolean listed;
    /** Read side slot: null, READY, or the parked Waiter. */
    @SuppressWarnings("unused")
    private volatile Object rg;
    /** Write side slot. */
    @SuppressWarnings("unused")
    private volatile Object wg;
    /** Read and write deadlines (System.nanoTime), 0 for none. */
    private volatile long rd;
    private volatile long wd;
    @SuppressWarnings("unused")
    private volatile boolean closed;

    /**
     * A descriptor that is not registered ({@link #open} registers it). Package-private for the
     * jcstress tests, which drive the slot protocol on descriptors whose channel no selector watches.
     */
    PollDesc(Scheduler scheduler, Netpoll np, SelectableChannel channel) {
        this.scheduler = scheduler;
        this.np = np;
        this.channel = channel;
    }

    /**
     * Puts {@code channel} in non-blocking mode and registers it with {@code scheduler}'s network
     * poller. From then on the descriptor owns the channel: close it through {@link #close}.
     * Closing (or giving up on) the scheduler closes it too. If this fails, the channel is closed.
     *
     * @param scheduler the scheduler whose poller watches the channel
     * @param channel   the channel to register
     * @return the descriptor that now owns {@code channel}
     * @throws IllegalStateException if the scheduler has terminated
     * @throws IOException if the channel cannot be made non-blocking (it is closed, for instance)
     */
    public static PollDesc open(Scheduler scheduler, SelectableChannel channel) throws IOException {
        Objects.requireNonNull(scheduler, "scheduler must not be null");
        Objects.requireNonNull(channel, "channel must not be null");
        if (scheduler.bubble != null) {
            throw new UnsupportedOperationException("sockets cannot be used in a Synctest bubble: the network is outside "
                    + "its deterministic world (scheduler " + scheduler.name() + ")");
        }
        Netpoll np;
        try {
            np = scheduler.netpoll();
            NioBoundary.configureBlocking(channel, false);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
        PollDesc pd = new PollDesc(scheduler, np, channel);
        if (!np.add(pd)) {
            closeQuietly(channel, null);
            throw terminated(scheduler);
        }
        try {
            pd.key = channel.register(np.selector, 0, pd);
        } catch (ClosedSelectorException e) {
            pd.closeQuietly();
            throw terminated(scheduler);
        } catch (IOException | RuntimeException e) {
            pd.closeQuietly();
            throw e;
        }
        return pd;
    }

    private static void closeQuietly(SelectableChannel channel, Throwable cause) {
        try {
            NioBoundary.close(channel);
        } catch (IOException | RuntimeException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }

    private static IllegalStateException terminated(Scheduler s) {
        return new IllegalStateException("scheduler " + s.name() + " has terminated: its network poller is closed");
    }

    /**
     * The scheduler whose poller watches this channel.
     *
     * @return the descriptor's scheduler
     */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * The channel.
     *
     * @return the registered channel
     */
    public SelectableChannel channel() {
        return channel;
    }

    /**
     * Whether {@link #close} was called (or the scheduler closed it).
     *
     * @return whether the descriptor is closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Waits until the channel may be ready for {@code op} ({@link SelectionKey#OP_READ},
     * {@code OP_ACCEPT}, {@code OP_WRITE} or {@code OP_CONNECT}, one of those the channel supports),
     * the direction's deadline passes, or the descriptor is closed.
     *
     * @param op the operation to wait for, one {@link SelectionKey} {@code OP_} bit
     * @return {@code true} to try the operation again, {@code false} if the direction's deadline
     *         has passed ({@link #setReadDeadline}, {@link #setWriteDeadline})
     * @throws SocketException if the descriptor is closed, or closed while waiting (Go's "use of
     *         closed network connection"; the message says so)
     * @throws IllegalArgumentException if {@code op} is not one operation the channel supports
     * @throws IllegalStateException if another waiter already waits on this direction, or on a
     *         carrier thread outside any goroutine
     * @throws UnsupportedOperationException in a {@link Synctest} bubble's goroutine: the poller,
     *         outside the bubble, could not wake it
     */
    public boolean await(int op) throws SocketException {
        if (Integer.bitCount(op) != 1 || (channel.validOps() & op) == 0) {
            throw new IllegalArgumentException("op " + op + " is not one operation that " + channel.getClass().getSimpleName()
                    + " supports (valid ops: " + channel.validOps() + ")");
        }
        G caller = Gmp.currentG();
        if (caller != null && caller.scheduler.bubble != null) {
            throw new UnsupportedOperationException("sockets cannot be used in a Synctest bubble: goroutine " + caller.id
                    + " of " + caller.scheduler.name() + " would wait on a socket of scheduler " + scheduler.name()
                    + ", whose poller is outside the bubble and could not wake it");
        }
        boolean read = (op & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0;
        VarHandle slot = slot(read);
        for (;;) {
            if (closed) {
                throw closedException();
            }
            long d = read ? rd : wd;
            if (d != 0 && d - System.nanoTime() <= 0) {
                return false;
            }
            Object cur = slot.getVolatile(this);
            if (cur == READY) {
                if (takeToken(read)) {
                    return true;
                }
                continue;
            }
            if (cur != null) {
                throw new IllegalStateException("another goroutine or thread is already waiting to " + (read ? "read from " : "write to ")
                        + channel + "; one waiter per direction at a time");
            }
            Waiter me = Parking.currentWaiter();
            Boolean ready = armAndPark(slot, read, op, me);
            if (ready != null) {
                return ready;
            }
        }
    }

    /**
     * Arms {@code me} in the slot and parks. Returns true if the poller readied it, null to go
     * round again (not armed because a token arrived, or woken to re-read the deadline or see
     * the close).
     */
    private Boolean armAndPark(VarHandle slot, boolean read, int op, Waiter me) throws SocketException {
        np.waiterArmed(); // before the interest: a poll that sees the interest sees a waiter
        try {
            boolean added;
            try {
                added = (key.interestOps() & op) == 0 && np.requestInterest(this, op);
            } catch (CancelledKeyException e) {
                throw closedException();
            }
            if (!arm(read, me)) {
                return null; // a token arrived meanwhile: consume it on the next round
            }
            boolean own = me instanceof G g && g.scheduler == scheduler;
            if (added) {
                np.interestAdded(own);
            } else if (!own) {
                np.foreignWaiterArmed();
            }
            while (mustPark(read, me)) {
                long d = read ? rd : wd;
                if (d == 0) {
                    Parking.park(WaitReason.IO);
                } else if (!Parking.parkUntil(WaitReason.IO, d)) {
                    break;
                }
            }
        } finally {
            np.waiterLeft();
        }
        if (slot.compareAndSet(this, me, null)) {
            return null; // not readied: closed, deadline, or a new deadline to read
        }
        return Boolean.TRUE; // the poller swapped us out and unparked us
    }

    /** The poller, holding the selector: applies the interest waiters asked for. */
    void applyInterest(int ops) {
        if (ops != 0 && key.isValid()) {
            try {
                key.interestOpsOr(ops);
            } catch (CancelledKeyException e) {
                // closed meanwhile: its waiters were woken by the close
            }
        }
    }

    private static VarHandle slot(boolean read) {
        return read ? RG : WG;
    }

    /**
     * The waiter's step when it finds the token in its direction's slot: takes it (CAS READY -> null)
     * and need not park. False if the slot no longer holds it. This, {@link #arm} and
     * {@link #mustPark} are the waiter's half of the slot protocol, package-private for the jcstress
     * tests ({@code PollReadyRacingArmWakesOnce}, {@code PollCloseRacingArmIsNeverLost}).
     */
    boolean takeToken(boolean read) {
        return slot(read).compareAndSet(this, READY, null);
    }

    /**
     * The waiter arms: CAS of its direction's empty slot to {@code me} (after adding its operation
     * to the key's interest). False if the slot is not empty: the poller left a token since the
     * waiter looked, to be taken instead.
     */
    boolean arm(boolean read, Waiter me) {
        return slot(read).compareAndSet(this, null, me);
    }

    /**
     * Read by an armed waiter before each park: true while it is still in its slot (the poller has
     * not swapped it out) and the descriptor is not closed. The volatile read of {@link #closed}
     * comes after the waiter's write of its slot, and {@link #close} writes {@code closed} before
     * it reads the slots: either this sees the close, or the close finds the waiter and unparks it.
     */
    boolean mustPark(boolean read, Waiter me) {
        return slot(read).getVolatile(this) == me && !closed;
    }

    /** The poller: the channel is ready for {@code readyOps}; hands over the waiters of those directions. */
    void fired(int readyOps, List<Waiter> out) {
        if ((readyOps & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
            fire(RG, out);
        }
        if ((readyOps & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            fire(WG, out);
        }
    }

    private void fire(VarHandle slot, List<Waiter> out) {
        for (;;) {
            Object cur = slot.getVolatile(this);
            if (cur == READY) {
                return;
            }
            if (cur == null) {
                if (slot.compareAndSet(this, null, READY)) {
                    return;
                }
            } else if (slot.compareAndSet(this, cur, null)) {
                out.add((Waiter) cur);
                return;
            }
        }
    }

    /**
     * Sets the read side's deadline: {@code System.nanoTime()} value, or 0 for none (as
     * {@link Parking#deadlineAfter} gives). A waiter already parked re-reads it at once, so a
     * deadline in the past ends its wait ({@link #await} returns false).
     *
     * @param deadline the {@code System.nanoTime()} at which reads time out, or 0 for none
     * @throws IllegalArgumentException if {@code deadline} is more than {@link Parking#MAX_WAIT_NANOS}
     *         ahead (it can only come from an overflow: build it with {@link Parking#deadlineAfter})
     */
    public void setReadDeadline(long deadline) {
        checkDeadline("deadline", deadline);
        rd = deadline;
        unparkWaiter(RG);
    }

    /**
     * Sets the write side's deadline; see {@link #setReadDeadline}.
     *
     * @param deadline the {@code System.nanoTime()} at which writes time out, or 0 for none
     */
    public void setWriteDeadline(long deadline) {
        checkDeadline("deadline", deadline);
        wd = deadline;
        unparkWaiter(WG);
    }

    private static void checkDeadline(String param, long deadline) {
        long ahead = deadline - System.nanoTime();
        if (deadline != 0 && ahead > Parking.MAX_WAIT_NANOS + 1_000_000_000L) {
            throw new IllegalArgumentException(param + " " + deadline + " is " + ahead + " ns after System.nanoTime(), beyond the "
                    + "limit of " + Parking.MAX_WAIT_NANOS + " ns (about 73 years); it looks like an overflow: build deadlines "
                    + "with Parking.deadlineAfter");
        }
    }

    /**
     * The read side's deadline, 0 if none.
     *
     * @return the read deadline as a {@code System.nanoTime()} value, or 0
     */
    public long readDeadline() {
        return rd;
    }

    /**
     * The write side's deadline, 0 if none.
     *
     * @return the write deadline as a {@code System.nanoTime()} value, or 0
     */
    public long writeDeadline() {
        return wd;
    }

    private void unparkWaiter(VarHandle slot) {
        if (slot.getVolatile(this) instanceof Waiter w) {
            w.unpark();
        }
    }

    /**
     * Closes the descriptor and its channel; a goroutine or thread waiting on it, or arriving
     * later, gets a {@link SocketException} saying the connection is closed. The descriptor is
     * deregistered from the poller and closed before this returns (it breaks a poll in progress
     * and polls once itself). Idempotent; from any goroutine or thread.
     */
    @Override
    public void close() throws IOException {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        unparkWaiter(RG);
        unparkWaiter(WG);
        np.close(this, channel);
    }

    // ------------------------------------------------------------------ channel operations

    /**
     * {@code read} on the channel (a {@link ReadableByteChannel}), made safely from goroutine code.
     * Call the channel's I/O methods through these, not directly, in a goroutine: NIO's channels
     * key their locks and buffer caches on {@code Thread.currentThread()}, which compiled goroutine
     * code may read stale after a park that moved the goroutine to another carrier (see
     * {@code NioBoundary}); these read it afresh.
     *
     * @param dst the buffer to read into
     * @return the number of bytes read, possibly 0, or -1 at the end of the stream
     * @throws ClassCastException if the channel cannot read
     * @throws IOException as the channel's {@code read}
     */
    public int read(ByteBuffer dst) throws IOException {
        return NioBoundary.read((ReadableByteChannel) channel, dst);
    }

    /**
     * {@code write} on the channel (a {@link WritableByteChannel}); see {@link #read}.
     *
     * @param src the bytes to write
     * @return the number of bytes written, possibly 0
     * @throws IOException as the channel's {@code write}
     */
    public int write(ByteBuffer src) throws IOException {
        return NioBoundary.write((WritableByteChannel) channel, src);
    }

    /**
     * {@code accept} on the channel (a {@link ServerSocketChannel}): null if none is pending; see {@link #read}.
     *
     * @return the accepted channel, or null if none is pending
     * @throws IOException as the channel's {@code accept}
     */
    public SocketChannel accept() throws IOException {
        return NioBoundary.accept((ServerSocketChannel) channel);
    }

    /**
     * {@code connect} on the channel (a {@link SocketChannel}); see {@link #read}.
     *
     * @param remote the address to connect to
     * @return {@code true} if the connection is made, {@code false} if it is pending
     * @throws IOException as the channel's {@code connect}
     */
    public boolean connect(SocketAddress remote) throws IOException {
        return NioBoundary.connect((SocketChannel) channel, remote);
    }

    /**
     * {@code finishConnect} on the channel (a {@link SocketChannel}); see {@link #read}.
     *
     * @return {@code true} if the connection is made, {@code false} if it is still pending
     * @throws IOException as the channel's {@code finishConnect}
     */
    public boolean finishConnect() throws IOException {
        return NioBoundary.finishConnect((SocketChannel) channel);
    }

    /**
     * {@code shutdownInput} on the channel (a {@link SocketChannel}); see {@link #read}.
     *
     * @throws IOException as the channel's {@code shutdownInput}
     */
    public void shutdownInput() throws IOException {
        NioBoundary.shutdownInput((SocketChannel) channel);
    }

    /**
     * {@code shutdownOutput} on the channel (a {@link SocketChannel}); see {@link #read}.
     *
     * @throws IOException as the channel's {@code shutdownOutput}
     */
    public void shutdownOutput() throws IOException {
        NioBoundary.shutdownOutput((SocketChannel) channel);
    }

    /** {@link #close}, for the scheduler closing what it owns: a failure is ignored. */
    void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException ignored) {
            // the channel is closed as far as it can be; nothing more to do for it
        }
    }

    private SocketException closedException() {
        return new SocketException("use of closed network connection: " + channel);
    }

    @Override
    public String toString() {
        return "PollDesc[" + channel + (closed ? ", closed" : "") + "]";
    }
}
