package gmpj.net;

import gmpj.core.PollDesc;
import gmpj.core.Scheduler;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A listening TCP socket (Go's {@code net.Listener}), made by {@link Net#listen}. {@link #accept}
 * parks a goroutine until a connection arrives. One goroutine or thread accepts at a time;
 * {@link #close} and {@link #setDeadline} may be called from anywhere, and wake an accept in
 * progress.
 *
 * <h2>Thread safety</h2>
 * A second accept that has to wait while another one already waits gets an
 * {@link IllegalStateException}; accepts that find a connection pending do not wait and are not
 * detected. Every other method may be called from any goroutine or thread at any time.
 *
 * <h2>Goroutines and plain threads</h2>
 * A goroutine waiting in {@code accept} parks (wait reason {@code IO wait}) and frees its carrier;
 * a plain thread blocks in {@code LockSupport} until the listener's scheduler's poller wakes it.
 * Either wait is uninterruptible: a thread's interrupt neither ends it nor is lost; the deadline
 * or a {@link #close} ends it. Accepted connections belong to the listener's scheduler, whoever
 * accepted them. Waiting on a carrier thread outside any goroutine throws
 * {@link IllegalStateException}.
 */
public final class Listener implements Closeable {
    private final Scheduler scheduler;
    private final ServerSocketChannel channel;
    private final PollDesc pd;
    private final InetSocketAddress address;

    Listener(Scheduler scheduler, ServerSocketChannel channel, PollDesc pd) throws IOException {
        this.scheduler = scheduler;
        this.channel = channel;
        this.pd = pd;
        this.address = (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Waits for the next connection and returns it (it belongs to this listener's scheduler).
     *
     * @return the accepted connection
     * @throws SocketException "use of closed network connection" once the listener is closed,
     *         including while this waits
     * @throws SocketTimeoutException when the deadline ({@link #setDeadline}) passes; the listener
     *         stays open
     */
    public Conn accept() throws IOException {
        for (;;) {
            if (deadlinePassed()) {
                throw new SocketTimeoutException("accept on " + address + ": deadline exceeded");
            }
            SocketChannel c;
            try {
                c = pd.accept();
            } catch (ClosedChannelException e) {
                throw closed();
            }
            if (c != null) {
                return Conn.accepted(scheduler, c); // closes c if it fails
            }
            if (!pd.await(SelectionKey.OP_ACCEPT)) {
                throw new SocketTimeoutException("accept on " + address + ": deadline exceeded");
            }
        }
    }

    private boolean deadlinePassed() {
        long d = pd.readDeadline();
        return d != 0 && d - System.nanoTime() <= 0;
    }

    private SocketException closed() {
        return new SocketException("accept on " + address + ": use of closed network connection");
    }

    /**
     * Sets the deadline of {@link #accept}, {@code fromNow} from now; null clears it; zero makes a
     * waiting accept time out at once.
     *
     * @param fromNow the time left to accept, or null for no deadline
     * @throws IllegalArgumentException if {@code fromNow} is negative
     */
    public void setDeadline(Duration fromNow) {
        pd.setReadDeadline(Net.deadline("fromNow", fromNow));
    }

    /**
     * The address it listens on, with the port the system picked for port 0.
     *
     * @return the bound address
     */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * The port it listens on.
     *
     * @return the bound port
     */
    public int port() {
        return address.getPort();
    }

    /**
     * The scheduler whose poller watches it.
     *
     * @return the listener's scheduler
     */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Whether it has been closed (by {@link #close} or by its scheduler closing).
     *
     * @return whether it is closed
     */
    public boolean isClosed() {
        return pd.isClosed();
    }

    /**
     * Stops listening: the port is free again when this returns (a dial is refused, a listen on
     * it succeeds), and an accept waiting now gets a {@link SocketException}. Connections already
     * accepted stay open. Idempotent; from any goroutine or thread.
     */
    @Override
    public void close() throws IOException {
        pd.close();
    }

    @Override
    public String toString() {
        return "Listener[" + address + (isClosed() ? ", closed" : "") + "]";
    }
}
