package gmpj.net;

import gmpj.core.PollDesc;
import gmpj.core.Scheduler;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * A TCP connection (Go's {@code net.Conn}), from {@link Net#dial} or {@link Listener#accept}.
 *
 * <p>A read parks until at least one byte has arrived (or the peer closed its side: -1). A write
 * returns only when every byte has been handed to the kernel, parking while the socket buffer is
 * full. {@link #inputStream()} and {@link #outputStream()} give the same operations as streams,
 * so existing Java code (a {@code BufferedReader}, a parser) runs on a connection unchanged.
 * {@code TCP_NODELAY} is on, as in Go.
 *
 * <h2>Deadlines</h2>
 * As Go's {@code SetDeadline} family, set from now with a {@link Duration}: a read or write still
 * waiting when its deadline passes throws {@link SocketTimeoutException} (for a write,
 * {@link SocketTimeoutException#bytesTransferred} says how much went out). The connection stays
 * usable: set a later deadline (or none, with null) and carry on. Setting a deadline wakes an
 * operation waiting now, which then waits for the new one; zero times it out at once. Deadlines
 * run on the scheduler's timers.
 *
 * <h2>Thread safety and closing</h2>
 * One reader and one writer at a time, each a goroutine or a thread; a read and a write may run at
 * the same time. A second reader (or writer) that has to wait while another one already waits in
 * the same direction gets an {@link IllegalStateException}; two readers that both find bytes
 * ready are not detected, and their bytes interleave in no useful order. {@link #close}, the
 * deadline setters and {@link #shutdownOutput} may be called from any goroutine or thread at any
 * time; a close wakes a blocked read or write with a {@link SocketException} "use of closed
 * network connection", and so does every operation after it.
 *
 * <h2>Goroutines and plain threads</h2>
 * A goroutine waiting for bytes or for room parks (wait reason {@code IO wait}) and frees its
 * carrier; the connection's scheduler's poller readies it. A plain thread may use the same
 * connection: it blocks in {@code LockSupport} until that poller wakes it. Either wait is
 * uninterruptible: a thread's interrupt neither ends it nor is lost, and does not close the
 * socket; a deadline or a {@link #close} ends it. Waiting on a carrier thread outside any
 * goroutine throws {@link IllegalStateException}.
 */
public final class Conn implements Closeable {
    /**
     * The most one call hands to the channel from a heap buffer. NIO copies a heap buffer's whole
     * remaining range into a temporary direct buffer (cached per thread) on every call, while the
     * kernel takes a socket buffer's worth at most: a 64 MB write in one piece would copy tens of
     * megabytes per call and leave a 64 MB direct buffer behind on the carrier.
     */
    static final int MAX_HEAP_CHUNK = 256 * 1024;
    private final Scheduler scheduler;
    private final SocketChannel channel;
    private final PollDesc pd;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private volatile boolean outputShut;
    private final InputStream in = new ConnInput();
    private final OutputStream out = new ConnOutput();

    Conn(Scheduler scheduler, SocketChannel channel, PollDesc pd) throws IOException {
        this.scheduler = scheduler;
        this.channel = channel;
        this.pd = pd;
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
    }

    static Conn accepted(Scheduler scheduler, SocketChannel channel) throws IOException {
        PollDesc pd = PollDesc.open(scheduler, channel);
        try {
            return new Conn(scheduler, channel, pd);
        } catch (IOException | RuntimeException e) {
            pd.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads into {@code b[off..off+len)}: waits until at least one byte is there, then returns how
     * many it read, or -1 once the peer has closed its side and everything was read. {@code len} 0
     * returns 0 at once.
     *
     * @param b   the buffer to read into
     * @param off where in {@code b} the bytes go
     * @param len the most bytes to read
     * @return the number of bytes read, or -1 at the end of the stream
     * @throws IOException if the connection is closed, its read deadline passes
     *                     ({@link SocketTimeoutException}), or the socket fails
     */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b must not be null").length);
        if (len == 0) {
            return 0;
        }
        return read(ByteBuffer.wrap(b, off, len));
    }

    /**
     * {@code read(b, 0, b.length)}.
     *
     * @param b the buffer to read into
     * @return the number of bytes read, or -1 at the end of the stream
     * @throws IOException as {@link #read(byte[], int, int)}
     */
    public int read(byte[] b) throws IOException {
        return read(b, 0, b.length);
    }

    /**
     * Reads into {@code dst}'s remaining space, as {@link #read(byte[], int, int)}; advances its position.
     *
     * @param dst the buffer to read into
     * @return the number of bytes read, or -1 at the end of the stream
     * @throws IOException as {@link #read(byte[], int, int)}
     */
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst must not be null");
        if (!dst.hasRemaining()) {
            return 0;
        }
        for (;;) {
            checkDeadline(pd.readDeadline(), "read", 0);
            int n;
            try {
                n = dst.isDirect() || dst.remaining() <= MAX_HEAP_CHUNK ? pd.read(dst) : readChunk(dst);
            } catch (ClosedChannelException e) {
                throw closed("read");
            } catch (IOException e) {
                throw failed("read", e);
            }
            if (n != 0) {
                return n;
            }
            if (!pd.await(SelectionKey.OP_READ)) {
                throw timeout("read", 0);
            }
        }
    }

    /**
     * Reads exactly {@code b.length} bytes.
     *
     * @param b the buffer to fill
     * @throws EOFException if the peer closed its side first (the message says how many came)
     */
    public void readFully(byte[] b) throws IOException {
        int done = 0;
        while (done < b.length) {
            int n = read(b, done, b.length - done);
            if (n < 0) {
                throw new EOFException("read " + describe() + ": the peer closed after " + done + " of " + b.length + " bytes");
            }
            done += n;
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code b[off..off+len)}: returns once every byte is handed to the kernel.
     *
     * @param b   the bytes to write
     * @param off where in {@code b} they start
     * @param len how many to write
     * @throws IOException if the connection is closed, its write deadline passes
     *                     ({@link SocketTimeoutException}), or the socket fails
     */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b must not be null").length);
        write(ByteBuffer.wrap(b, off, len));
    }

    /**
     * {@code write(b, 0, b.length)}.
     *
     * @param b the bytes to write
     * @throws IOException as {@link #write(byte[], int, int)}
     */
    public void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    /**
     * Writes {@code src}'s remaining bytes, all of them, parking while the socket buffer is full;
     * advances its position (on a timeout, to the first byte not written).
     *
     * @param src the bytes to write
     * @throws IOException as {@link #write(byte[], int, int)}
     */
    public void write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src must not be null");
        int start = src.position();
        while (src.hasRemaining()) {
            if (outputShut) {
                throw new SocketException("write " + describe() + ": write after shutdownOutput");
            }
            checkDeadline(pd.writeDeadline(), "write", src.position() - start);
            int n;
            try {
                n = src.isDirect() || src.remaining() <= MAX_HEAP_CHUNK ? pd.write(src) : writeChunk(src);
            } catch (ClosedChannelException e) {
                throw outputShut ? new SocketException("write " + describe() + ": write after shutdownOutput") : closed("write");
            } catch (IOException e) {
                throw failed("write", e);
            }
            if (n == 0 && !pd.await(SelectionKey.OP_WRITE)) {
                throw timeout("write", src.position() - start);
            }
        }
    }

    private int readChunk(ByteBuffer dst) throws IOException {
        int n = pd.read(dst.slice(dst.position(), MAX_HEAP_CHUNK));
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    private int writeChunk(ByteBuffer src) throws IOException {
        int n = pd.write(src.slice(src.position(), MAX_HEAP_CHUNK));
        src.position(src.position() + n);
        return n;
    }

    // ------------------------------------------------------------------ deadlines

    /**
     * Sets both deadlines; see the class comment. Null clears them.
     *
     * @param fromNow the time left to reads and writes, or null for no deadline
     */
    public void setDeadline(Duration fromNow) {
        long d = Net.deadline("fromNow", fromNow);
        pd.setReadDeadline(d);
        pd.setWriteDeadline(d);
    }

    /**
     * Sets the read deadline, {@code fromNow} from now; null clears it.
     *
     * @param fromNow the time left to reads, or null for no deadline
     */
    public void setReadDeadline(Duration fromNow) {
        pd.setReadDeadline(Net.deadline("fromNow", fromNow));
    }

    /**
     * Sets the write deadline, {@code fromNow} from now; null clears it.
     *
     * @param fromNow the time left to writes, or null for no deadline
     */
    public void setWriteDeadline(Duration fromNow) {
        pd.setWriteDeadline(Net.deadline("fromNow", fromNow));
    }

    private void checkDeadline(long d, String op, int transferred) throws SocketTimeoutException {
        if (d != 0 && d - System.nanoTime() <= 0) {
            throw timeout(op, transferred);
        }
    }

    private SocketTimeoutException timeout(String op, int transferred) {
        SocketTimeoutException e = new SocketTimeoutException(op + " " + describe() + ": deadline exceeded"
                + (op.equals("write") ? " after " + transferred + " bytes" : ""));
        e.bytesTransferred = transferred;
        return e;
    }

    // ------------------------------------------------------------------ closing

    /**
     * Half-close (Go's {@code CloseWrite}): the peer reads the end of the stream; this side can
     * still read. A write after it throws {@link SocketException}.
     *
     * @throws IOException if the connection is closed or the socket fails
     */
    public void shutdownOutput() throws IOException {
        outputShut = true;
        try {
            pd.shutdownOutput();
        } catch (ClosedChannelException e) {
            throw closed("shutdownOutput");
        }
    }

    /**
     * Half-close of the reading side (Go's {@code CloseRead}): reads return -1 from now on.
     *
     * @throws IOException if the connection is closed or the socket fails
     */
    public void shutdownInput() throws IOException {
        try {
            pd.shutdownInput();
        } catch (ClosedChannelException e) {
            throw closed("shutdownInput");
        }
    }

    /**
     * Closes the connection; a read or write waiting now, and every one after, throws
     * {@link SocketException} "use of closed network connection". Idempotent; from any goroutine
     * or thread.
     */
    @Override
    public void close() throws IOException {
        pd.close();
    }

    /**
     * Whether it has been closed (by {@link #close}, a stream's close, or its scheduler closing).
     *
     * @return whether it is closed
     */
    public boolean isClosed() {
        return pd.isClosed();
    }

    private SocketException closed(String op) {
        return new SocketException(op + " " + describe() + ": use of closed network connection");
    }

    private SocketException failed(String op, IOException e) {
        if (pd.isClosed()) {
            return closed(op);
        }
        SocketException named = new SocketException(op + " " + describe() + ": " + e.getMessage());
        named.initCause(e);
        return named;
    }

    private String describe() {
        return local + "->" + remote;
    }

    // ------------------------------------------------------------------ views

    /**
     * The connection as an {@link InputStream}: {@code read} as {@link #read(byte[], int, int)};
     * closing the stream closes the connection (as a {@code Socket}'s streams do).
     *
     * @return a stream that reads from this connection
     */
    public InputStream inputStream() {
        return in;
    }

    /**
     * The connection as an {@link OutputStream}: {@code write} as {@link #write(byte[], int, int)}
     * (nothing is buffered: {@code flush} does nothing); closing the stream closes the connection.
     *
     * @return a stream that writes to this connection
     */
    public OutputStream outputStream() {
        return out;
    }

    private final class ConnInput extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = Conn.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return Conn.this.read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            Conn.this.close();
        }
    }

    private final class ConnOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            Conn.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Conn.this.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            Conn.this.close();
        }
    }

    // ------------------------------------------------------------------ about it

    /**
     * This end's address.
     *
     * @return the local address
     */
    public InetSocketAddress localAddress() {
        return local;
    }

    /**
     * The peer's address.
     *
     * @return the remote address
     */
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /**
     * The scheduler whose poller watches it.
     *
     * @return the connection's scheduler
     */
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public String toString() {
        return "Conn[" + describe() + (isClosed() ? ", closed" : "") + "]";
    }
}
