package gmpj.net;

import gmpj.core.Gmp;
import gmpj.core.Parking;
import gmpj.core.PollDesc;
import gmpj.core.Scheduler;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * TCP on the network poller, in Go's shape: {@link #listen} and {@link #dial}. A goroutine that
 * waits for a connection, for bytes, or for room in the socket buffer parks (wait reason
 * {@code IO wait}) and frees its carrier; the scheduler's poller readies it when the socket is
 * ready. So thousands of connections are served by {@code procs} carriers. Plain threads may use
 * the same listeners and connections: they block.
 *
 * <p>Every socket belongs to a scheduler, whose poller watches it: the calling goroutine's
 * scheduler for the forms without one (they throw {@link IllegalStateException} outside a
 * goroutine), the given one otherwise. Connections accepted by a listener belong to the
 * listener's scheduler. Closing (or giving up on) the scheduler closes every socket it owns.
 *
 * <pre>{@code
 * try (Scheduler s = Scheduler.builder().build()) {
 *     Listener ln = Net.listen(s, "127.0.0.1", 0);
 *     s.go(() -> {
 *         try (Conn c = ln.accept()) {
 *             byte[] buf = new byte[512];
 *             for (int n; (n = c.read(buf)) > 0; ) {
 *                 c.write(buf, 0, n); // echo
 *             }
 *         } catch (IOException e) {
 *             throw new UncheckedIOException(e);
 *         }
 *     });
 *     Task<String> reply = s.submit(() -> {
 *         try (Conn c = Net.dial("127.0.0.1", ln.port(), Duration.ofSeconds(5))) {
 *             c.write("hello".getBytes());
 *             byte[] buf = new byte[5];
 *             c.readFully(buf);
 *             return new String(buf);
 *         }
 *     });
 *     System.out.println(reply.join());
 *     ln.close();
 * }
 * }</pre>
 *
 * <p>Failures name the address: {@link ConnectException} "connection refused",
 * {@link UnknownHostException} "no such host", {@link BindException} "address already in use",
 * {@link SocketTimeoutException} at a deadline, {@link SocketException} "use of closed network
 * connection" after a close. Bad arguments (a port outside 0..65535, a negative timeout) get an
 * {@link IllegalArgumentException} naming the parameter.
 *
 * <h2>Thread safety</h2>
 * Static methods with no shared state of their own: call them from any goroutine or thread at the
 * same time.
 *
 * <h2>Goroutines and plain threads</h2>
 * In a goroutine, {@code dial} parks while the connection is being made (freeing its carrier), and
 * a host name is looked up inside {@link gmpj.core.Gmp#blocking Gmp.blocking}, a DNS lookup being
 * a blocking call (an address literal needs none). A plain thread blocks in both, uninterruptibly
 * while it waits for the connection: an interrupt neither ends that wait nor is lost; the timeout
 * does. From a plain thread, use the forms that take a {@link Scheduler}.
 */
public final class Net {
    private Net() {}

    /** The largest TCP port. */
    public static final int MAX_PORT = 65535;

    /**
     * Listens on {@code host}:{@code port} for the calling goroutine's scheduler. {@code host}
     * null or empty listens on every interface (Go's {@code ":port"}); {@code port} 0 picks a free
     * port ({@link Listener#port()} says which).
     *
     * @param host the interface to listen on, or null or empty for all
     * @param port the port, or 0 for a free one
     * @return the open listener
     * @throws IllegalStateException outside a goroutine (use {@link #listen(Scheduler, String, int)})
     * @throws IOException if the address cannot be bound
     */
    public static Listener listen(String host, int port) throws IOException {
        return listen(currentScheduler("listen"), host, port);
    }

    /**
     * Listens on {@code host}:{@code port} for {@code scheduler}; see {@link #listen(String, int)}.
     *
     * @param scheduler the scheduler whose goroutines accept on it
     * @param host      the interface to listen on, or null or empty for all
     * @param port      the port, or 0 for a free one
     * @return the open listener
     * @throws IOException if the address cannot be bound
     */
    public static Listener listen(Scheduler scheduler, String host, int port) throws IOException {
        checkPort(port);
        InetSocketAddress addr = host == null || host.isEmpty() ? new InetSocketAddress(port) : resolve(host, port);
        return listen(scheduler, addr, 0);
    }

    /**
     * Listens on {@code address} for {@code scheduler} with a connection backlog of
     * {@code backlog} (0: the system's default).
     *
     * @param scheduler the scheduler whose goroutines accept on it
     * @param address   the address to listen on
     * @param backlog   the most pending connections, or 0 for the system's default
     * @return the open listener
     * @throws BindException if the address is in use or not local (the message names it)
     * @throws IllegalArgumentException if {@code backlog} is negative or the address unresolved
     */
    public static Listener listen(Scheduler scheduler, InetSocketAddress address, int backlog) throws IOException {
        Objects.requireNonNull(scheduler, "scheduler must not be null");
        Objects.requireNonNull(address, "address must not be null");
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog " + backlog + " must be 0 (the system's default) or more");
        }
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved: resolve it, or pass host and port");
        }
        ServerSocketChannel ch = ServerSocketChannel.open();
        PollDesc pd = PollDesc.open(scheduler, ch); // closes the channel if it fails
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true); // rebind while old connections sit in TIME_WAIT
            try {
                ch.bind(address, backlog);
            } catch (BindException e) {
                BindException named = new BindException("listen " + address + ": " + e.getMessage());
                named.initCause(e);
                throw named;
            }
            return new Listener(scheduler, ch, pd);
        } catch (IOException | RuntimeException e) {
            pd.close();
            throw e;
        }
    }

    /**
     * Connects to {@code host}:{@code port} for the calling goroutine's scheduler, giving up after
     * {@code timeout}.
     *
     * @param host    the host name or address to connect to
     * @param port    the port to connect to
     * @param timeout the longest time to wait for the connection
     * @return the connection
     * @throws IllegalStateException outside a goroutine (use {@link #dial(Scheduler, String, int, Duration)})
     * @throws IOException as {@link #dial(Scheduler, String, int, Duration)}
     */
    public static Conn dial(String host, int port, Duration timeout) throws IOException {
        return dial(currentScheduler("dial"), host, port, timeout);
    }

    /**
     * Connects to {@code host}:{@code port} for {@code scheduler}, giving up after {@code timeout}
     * (positive; the resolution of the name counts against it only once it has returned).
     *
     * @param scheduler the scheduler whose goroutines use the connection
     * @param host      the host name or address to connect to
     * @param port      the port to connect to
     * @param timeout   the longest time to wait for the connection
     * @return the connection
     * @throws ConnectException if the connection is refused (the message names the address)
     * @throws UnknownHostException if {@code host} does not resolve
     * @throws SocketTimeoutException if the connection is not made within {@code timeout}
     */
    public static Conn dial(Scheduler scheduler, String host, int port, Duration timeout) throws IOException {
        Objects.requireNonNull(host, "host must not be null");
        checkPort(port);
        checkTimeout(timeout);
        return dial(scheduler, resolve(host, port), timeout);
    }

    /**
     * Connects to {@code address} for {@code scheduler}; see {@link #dial(Scheduler, String, int, Duration)}.
     *
     * @param scheduler the scheduler whose goroutines use the connection
     * @param address   the address to connect to
     * @param timeout   the longest time to wait for the connection
     * @return the connection
     * @throws IOException as {@link #dial(Scheduler, String, int, Duration)}
     */
    public static Conn dial(Scheduler scheduler, InetSocketAddress address, Duration timeout) throws IOException {
        Objects.requireNonNull(scheduler, "scheduler must not be null");
        Objects.requireNonNull(address, "address must not be null");
        checkTimeout(timeout);
        if (address.isUnresolved()) {
            throw new UnknownHostException("no such host: " + address.getHostString());
        }
        long deadline = Parking.deadlineAfter(timeout);
        SocketChannel ch = SocketChannel.open();
        PollDesc pd = PollDesc.open(scheduler, ch); // closes the channel if it fails
        try {
            pd.setWriteDeadline(deadline);
            boolean connected;
            try {
                connected = pd.connect(address);
                while (!connected) {
                    if (!pd.await(SelectionKey.OP_CONNECT)) {
                        throw new SocketTimeoutException("dial " + address + ": connection not made within " + timeout);
                    }
                    connected = pd.finishConnect();
                }
            } catch (ConnectException e) {
                ConnectException named = new ConnectException("dial " + address + ": " + describe(e));
                named.initCause(e);
                throw named;
            } catch (SocketException e) { // a reset during the handshake, say: name the address too
                SocketException named = new SocketException("dial " + address + ": " + e.getMessage());
                named.initCause(e);
                throw named;
            }
            pd.setWriteDeadline(0);
            return new Conn(scheduler, ch, pd);
        } catch (IOException | RuntimeException e) {
            pd.close();
            throw e;
        }
    }

    private static String describe(ConnectException e) {
        String m = e.getMessage();
        return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("refused") ? "connection refused" : String.valueOf(m);
    }

    /**
     * Resolves {@code host}. A goroutine looks a name up through {@link Gmp#blocking}, a DNS
     * lookup being a blocking call; an address literal needs no lookup.
     */
    private static InetSocketAddress resolve(String host, int port) throws UnknownHostException {
        InetAddress a;
        try {
            a = Gmp.inGoroutine() && !isLiteral(host) ? Gmp.blocking(() -> InetAddress.getByName(host)) : InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            UnknownHostException named = new UnknownHostException("no such host: " + host);
            named.initCause(e);
            throw named;
        } catch (Exception e) {
            throw new IllegalStateException("resolving " + host + " failed: " + e, e);
        }
        return new InetSocketAddress(a, port);
    }

    /** An IPv4 or IPv6 address literal, which {@link InetAddress#getByName} parses without a lookup. */
    private static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    static void checkPort(int port) {
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("port " + port + " is outside 0.." + MAX_PORT);
        }
    }

    private static void checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout " + timeout + " must be positive");
        }
    }

    /**
     * A deadline {@code fromNow} from now for the deadline setters: null clears it (0), a negative
     * one is rejected, zero is "now" (pending operations time out at once, as in Go).
     */
    static long deadline(String param, Duration fromNow) {
        if (fromNow == null) {
            return 0;
        }
        if (fromNow.isNegative()) {
            throw new IllegalArgumentException(param + " " + fromNow + " is negative: give a duration from now of zero or more, "
                    + "or null for no deadline");
        }
        long d = Parking.deadlineAfter(fromNow);
        return d == 0 ? 1 : d; // 0 means "none"
    }

    private static Scheduler currentScheduler(String what) {
        Scheduler s = Gmp.currentScheduler();
        if (s == null) {
            throw new IllegalStateException("Net." + what + " without a scheduler must be called from a goroutine; "
                    + "from a plain thread pass the scheduler whose poller will watch the socket");
        }
        return s;
    }
}
