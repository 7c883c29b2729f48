package gmpj.bench.net;

import gmpj.bench.net.HttpWire.MalformedException;
import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import gmpj.net.Conn;
import gmpj.net.Listener;
import gmpj.net.Net;
import gmpj.sync.Context;
import gmpj.sync.Mutex;
import gmpj.sync.WaitGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A minimal HTTP/1.1 server on {@code gmpj.net}, one goroutine per connection, with Go's graceful
 * shutdown: an example of the network poller at work, not a framework.
 *
 * <p>It parses the request line and the headers, reads a {@code Content-Length} body, keeps the
 * connection open between requests unless the client sends {@code Connection: close} (or speaks
 * HTTP/1.0 without {@code keep-alive}), and answers a request it cannot parse with 400 and a close.
 * Routes: {@code GET /} answers {@link #HELLO}; {@code POST /echo} answers the request's body;
 * another method on those paths gets 405, another path 404. A {@code Transfer-Encoding} body is
 * not supported (501).
 *
 * <h2>Graceful shutdown</h2>
 * {@link #serve(Context, Duration)} accepts connections until its context is cancelled, then, as
 * Go's {@code http.Server.Shutdown}: closes the listener (no new connection is accepted), closes
 * every idle keep-alive connection, lets every request in flight finish (its response says
 * {@code Connection: close}, and its connection closes after it), and returns when every
 * connection's goroutine has ended. Nothing is cut off: a request is either answered in full or
 * never started. Only a request still unfinished after the grace period is cut off, by closing its
 * connection; the {@link Summary} counts those.
 *
 * <p>"Started" is exact, which is what makes the promise checkable: each connection has a state
 * word, idle, active or closed. Its goroutine moves it from idle to active (a CAS) when the first
 * byte of a request is there, and back to idle (a CAS) after the response; the shutdown closes a
 * connection only by moving it from idle to closed (a CAS). So a connection is closed by the
 * shutdown either before its request started, and the request is never counted, or after its
 * response went out. After going idle, the goroutine reads the shutdown flag and closes its own
 * connection if it is set; the shutdown sets the flag before it tries the connections. Both the
 * flag (volatile) and the state word (CAS) are synchronization actions, which Java orders totally,
 * so of "goroutine goes idle, then reads the flag" and "shutdown sets the flag, then tries the
 * connection" at least one side sees the other's write: an idle connection is never left open.
 * The set of connections and the flag change together under a {@link Mutex}, so a connection
 * accepted during the shutdown is either in the set the shutdown walks or closed at once.
 *
 * <p>Run it with {@code HttpServerExample [port] [procs]}; it serves on 127.0.0.1 until its
 * standard input ends or it gets SIGTERM, then shuts down gracefully and says what it served.
 */
public final class HttpServerExample {
    /** The body of {@code GET /}. */
    public static final String HELLO = "hello, world\n";
    /** The port {@link #main} listens on when given none. */
    public static final int DEFAULT_PORT = 8080;
    /**
     * The listener's queue of connections not yet accepted, as large as Linux's usual cap
     * ({@code net.core.somaxconn}), as Go's listeners ask: a burst of a thousand connections must
     * not overflow it.
     */
    public static final int BACKLOG = 4096;
    /** How long {@link #main} lets requests in flight finish after the signal to stop. */
    public static final Duration MAIN_GRACE = Duration.ofSeconds(10);

    private static final byte[] HELLO_BYTES = HELLO.getBytes(StandardCharsets.UTF_8);
    private static final int IDLE = 0;
    private static final int ACTIVE = 1;
    private static final int CLOSED = 2;
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    /** The first and the longest pause after a failed accept (e.g. out of file descriptors). */
    private static final Duration ACCEPT_BACKOFF_MIN = Duration.ofMillis(5);
    private static final Duration ACCEPT_BACKOFF_MAX = Duration.ofSeconds(1);

    private final Scheduler scheduler;
    private final Listener listener;
    private final AtomicBoolean served = new AtomicBoolean();
    /** Guards {@link #conns} and the writes of {@link #shuttingDown}. */
    private final Mutex mu = new Mutex();
    private final Set<Connection> conns = new HashSet<>();
    private volatile boolean shuttingDown;
    /** The accept loop and every connection's goroutine. */
    private final WaitGroup live = new WaitGroup();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder started = new LongAdder();
    private final LongAdder finished = new LongAdder();
    private final LongAdder abandoned = new LongAdder();
    private final LongAdder closedIdle = new LongAdder();
    private final LongAdder cutOff = new LongAdder();
    /** The {@code Date} header of the current second. */
    private volatile DateLine date = new DateLine(-1, "");

    private record DateLine(long second, String text) {}

    /**
     * What a server did, once {@link #serve} has returned.
     *
     * @param connections connections accepted
     * @param started     requests whose first byte arrived and that the server took on
     * @param finished    requests answered in full
     * @param abandoned   requests the client gave up on (closed or reset its connection) before
     *                    the response went out
     * @param closedIdle  idle keep-alive connections the shutdown closed
     * @param cutOff      requests still unfinished when the grace period ended, cut off by closing
     *                    their connection
     */
    public record Summary(long connections, long started, long finished, long abandoned, long closedIdle, long cutOff) {
        @Override
        public String toString() {
            return "served " + finished + " requests on " + connections + " connections (started " + started
                    + ", finished " + finished + ", abandoned by the client " + abandoned + ", cut off " + cutOff
                    + "; idle connections closed at shutdown " + closedIdle + ")";
        }
    }

    private HttpServerExample(Scheduler scheduler, Listener listener) {
        this.scheduler = scheduler;
        this.listener = listener;
    }

    /**
     * Listens on {@code host}:{@code port} (0: a free port) for {@code scheduler}; nothing is
     * accepted before {@link #serve}.
     */
    public static HttpServerExample listen(Scheduler scheduler, String host, int port) throws IOException {
        Objects.requireNonNull(scheduler, "scheduler must not be null");
        Objects.requireNonNull(host, "host must not be null");
        if (port < 0 || port > Net.MAX_PORT) {
            throw new IllegalArgumentException("port " + port + " is outside 0.." + Net.MAX_PORT);
        }
        return new HttpServerExample(scheduler, Net.listen(scheduler, new InetSocketAddress(host, port), BACKLOG));
    }

    /** The port it listens on. */
    public int port() {
        return listener.port();
    }

    /** Whether the shutdown has begun: the listener is closed and no connection is taken on. */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /** Requests taken on so far. */
    public long requestsStarted() {
        return started.sum();
    }

    /** Requests answered in full so far. */
    public long requestsFinished() {
        return finished.sum();
    }

    /**
     * Serves until {@code ctx} is cancelled, then shuts down gracefully (see the class comment),
     * giving requests in flight {@code grace} to finish, and returns what it did. Call it once,
     * from a goroutine or a thread; connections are served by goroutines of the scheduler given to
     * {@link #listen}.
     *
     * @throws IllegalStateException if called a second time
     */
    public Summary serve(Context ctx, Duration grace) {
        Objects.requireNonNull(ctx, "ctx must not be null");
        Objects.requireNonNull(grace, "grace must not be null");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace " + grace + " must not be negative");
        }
        if (!served.compareAndSet(false, true)) {
            throw new IllegalStateException("serve was called already: a server serves once");
        }
        live.go(scheduler, this::acceptLoop);
        ctx.done().receive();
        shutdown(grace);
        return new Summary(accepted.sum(), started.sum(), finished.sum(), abandoned.sum(), closedIdle.sum(), cutOff.sum());
    }

    private void shutdown(Duration grace) {
        closeQuietly(listener);
        List<Connection> open;
        mu.lock();
        try {
            shuttingDown = true;
            open = new ArrayList<>(conns);
        } finally {
            mu.unlock();
        }
        for (Connection c : open) {
            if (c.closeIfIdle()) {
                closedIdle.increment();
            }
        }
        if (live.await(grace)) {
            return;
        }
        mu.lock();
        try {
            open = new ArrayList<>(conns);
        } finally {
            mu.unlock();
        }
        for (Connection c : open) {
            if (c.forceClose() == ACTIVE) {
                cutOff.increment();
            }
        }
        live.await();
    }

    private void acceptLoop() {
        Duration backoff = ACCEPT_BACKOFF_MIN;
        for (;;) {
            Conn conn;
            try {
                conn = listener.accept();
                backoff = ACCEPT_BACKOFF_MIN;
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
                Gmp.sleep(backoff); // a passing failure, such as too many open files: try again later
                backoff = backoff.multipliedBy(2);
                if (backoff.compareTo(ACCEPT_BACKOFF_MAX) > 0) {
                    backoff = ACCEPT_BACKOFF_MAX;
                }
                continue;
            }
            Connection c = new Connection(conn);
            mu.lock();
            try {
                if (shuttingDown) {
                    closeQuietly(conn);
                    continue;
                }
                conns.add(c);
            } finally {
                mu.unlock();
            }
            accepted.increment();
            live.go(scheduler, () -> serveConnection(c));
        }
    }

    private void serveConnection(Connection c) {
        try {
            while (c.nextRequest()) {
                started.increment();
                boolean keepOpen;
                try {
                    keepOpen = serveRequest(c);
                } catch (IOException e) {
                    if (c.state.get() != CLOSED) {
                        abandoned.increment(); // the peer went away mid-request (not the grace period's end: cut off)
                    }
                    return;
                }
                finished.increment();
                if (!keepOpen || !c.state.compareAndSet(ACTIVE, IDLE)) {
                    return;
                }
                if (shuttingDown && c.closeIfIdle()) {
                    return;
                }
            }
        } finally {
            c.forceClose();
            mu.lock();
            try {
                conns.remove(c);
            } finally {
                mu.unlock();
            }
        }
    }

    /** A parsed request: what the routes need. */
    private record Request(String method, String path, boolean http11, boolean keepAlive, byte[] body) {}

    /** A request the server will not serve, with the status that says why. */
    private static final class Rejected extends Exception {
        final int status;
        final String reason;

        Rejected(int status, String reason, String message) {
            super(message, null, false, false);
            this.status = status;
            this.reason = reason;
        }
    }

    /** Reads one request and answers it; whether the connection stays open. */
    private boolean serveRequest(Connection c) throws IOException {
        Request r;
        try {
            r = readRequest(c.wire);
        } catch (MalformedException e) {
            respond(c, 400, "Bad Request", "", text("bad request: " + e.getMessage()), false, false);
            return false;
        } catch (Rejected e) {
            respond(c, e.status, e.reason, "", text(e.getMessage()), false, false);
            return false;
        }
        boolean keepAlive = r.keepAlive && !shuttingDown;
        boolean sayKeepAlive = keepAlive && !r.http11;
        switch (r.path) {
            case "/" -> {
                if (!r.method.equals("GET")) {
                    return methodNotAllowed(c, "GET", keepAlive, sayKeepAlive);
                }
                respond(c, 200, "OK", "", HELLO_BYTES, keepAlive, sayKeepAlive);
            }
            case "/echo" -> {
                if (!r.method.equals("POST")) {
                    return methodNotAllowed(c, "POST", keepAlive, sayKeepAlive);
                }
                respond(c, 200, "OK", "", r.body, keepAlive, sayKeepAlive);
            }
            default -> respond(c, 404, "Not Found", "", text("404 page not found"), keepAlive, sayKeepAlive);
        }
        return keepAlive;
    }

    private static Request readRequest(HttpWire wire) throws IOException, Rejected {
        String[] line = wire.readLine().split(" ", -1);
        if (line.length != 3 || line[0].isEmpty() || !line[0].chars().allMatch(HttpServerExample::isTokenChar)
                || !line[1].startsWith("/")) {
            throw new MalformedException("a request line that is not 'METHOD /target HTTP/1.x'");
        }
        boolean http11 = line[2].equals("HTTP/1.1");
        if (!http11 && !line[2].equals("HTTP/1.0")) {
            throw new MalformedException("version '" + HttpWire.clip(line[2]) + "' is not HTTP/1.0 or HTTP/1.1");
        }
        Map<String, String> headers = wire.readHeaders();
        if (http11 && !headers.containsKey("host")) {
            throw new MalformedException("an HTTP/1.1 request without a Host header");
        }
        if (headers.containsKey("transfer-encoding")) {
            throw new Rejected(501, "Not Implemented", "Transfer-Encoding is not supported");
        }
        String connection = headers.get("connection");
        boolean keepAlive = http11 ? !HttpWire.hasToken(connection, "close") : HttpWire.hasToken(connection, "keep-alive");
        byte[] body = wire.readBody(HttpWire.contentLength(headers));
        int query = line[1].indexOf('?');
        return new Request(line[0], query < 0 ? line[1] : line[1].substring(0, query), http11, keepAlive, body);
    }

    private boolean methodNotAllowed(Connection c, String allow, boolean keepAlive, boolean sayKeepAlive) throws IOException {
        respond(c, 405, "Method Not Allowed", "Allow: " + allow + "\r\n", text("method not allowed"), keepAlive, sayKeepAlive);
        return keepAlive;
    }

    /** A one-line plain-text body. */
    private static byte[] text(String line) {
        return (line + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes a response, head and body in one write. {@code keepAlive} false adds
     * {@code Connection: close}; {@code sayKeepAlive} adds {@code Connection: keep-alive} (what an
     * HTTP/1.0 client that asked for it expects).
     */
    private void respond(Connection c, int status, String reason, String extraHeaders, byte[] body, boolean keepAlive,
                         boolean sayKeepAlive) throws IOException {
        StringBuilder head = new StringBuilder(160);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n")
                .append("Date: ").append(dateNow()).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append(extraHeaders);
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        } else if (sayKeepAlive) {
            head.append("Connection: keep-alive\r\n");
        }
        head.append("\r\n");
        c.wire.conn().write(HttpWire.message(head, body));
    }

    /** The {@code Date} value of this second, formatted once a second. */
    private String dateNow() {
        long now = System.currentTimeMillis() / 1000;
        DateLine d = date;
        if (d.second != now) {
            d = new DateLine(now, httpDate(now));
            date = d;
        }
        return d.text;
    }

    /**
     * An HTTP date (RFC 9110's IMF-fixdate), e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}, written
     * out here rather than by a locale-aware formatter, whose first use loads locale data.
     */
    static String httpDate(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(29).append(DAYS[t.getDayOfWeek().ordinal()]).append(", ");
        twoDigits(sb, t.getDayOfMonth()).append(' ').append(MONTHS[t.getMonthValue() - 1]).append(' ').append(t.getYear()).append(' ');
        twoDigits(sb, t.getHour()).append(':');
        twoDigits(sb, t.getMinute()).append(':');
        return twoDigits(sb, t.getSecond()).append(" GMT").toString();
    }

    private static StringBuilder twoDigits(StringBuilder sb, int n) {
        return sb.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }

    /** RFC 9110's tchar, the characters of a method name. */
    private static boolean isTokenChar(int c) {
        return c > ' ' && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing a socket fails only if it is closed already, which is what was wanted
        }
    }

    /** One accepted connection and its state word: {@link #IDLE}, {@link #ACTIVE} or {@link #CLOSED}. */
    private static final class Connection {
        final HttpWire wire;
        final AtomicInteger state = new AtomicInteger(IDLE);

        Connection(Conn conn) {
            this.wire = new HttpWire(conn);
        }

        /**
         * Waits for the first byte of the next request, then takes the request on (idle to
         * active); false if the peer closed or reset the connection, or the shutdown closed it,
         * first: no request started.
         */
        boolean nextRequest() {
            try {
                if (!wire.fill()) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
            return state.compareAndSet(IDLE, ACTIVE);
        }

        /** Closes the connection if it is idle; whether it was. */
        boolean closeIfIdle() {
            if (!state.compareAndSet(IDLE, CLOSED)) {
                return false;
            }
            closeQuietly(wire.conn());
            return true;
        }

        /** Closes the connection whatever its state; the state it was in. */
        int forceClose() {
            int was = state.getAndSet(CLOSED);
            closeQuietly(wire.conn());
            return was;
        }
    }

    // ------------------------------------------------------------------ the program

    /**
     * {@code HttpServerExample [port] [procs]}: serves on 127.0.0.1:{@code port} (default
     * {@value #DEFAULT_PORT}; 0 picks a free one) with {@code procs} processors (default: the
     * available processors), printing {@code listening on http://127.0.0.1:PORT}, until standard
     * input ends or the process gets SIGTERM; then shuts down gracefully (requests in flight get
     * {@link #MAIN_GRACE}) and prints the {@link Summary}.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 2) {
            usage("too many arguments: " + String.join(" ", args));
        }
        int port = args.length > 0 ? number("port", args[0]) : DEFAULT_PORT;
        int procs = args.length > 1 ? number("procs", args[1]) : Runtime.getRuntime().availableProcessors();
        if (procs < 1) {
            usage("procs " + procs + " must be at least 1");
        }
        PrintStream out = System.out;
        try (Scheduler s = Scheduler.builder().procs(procs).name("http").build();
             Context.Cancellable ctx = Context.background().withCancel()) {
            HttpServerExample server = listen(s, "127.0.0.1", port);
            CountDownLatch reported = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                ctx.cancel();
                try {
                    // the JVM halts when the hooks end: give the graceful shutdown time to finish and report
                    reported.await(MAIN_GRACE.toSeconds() + 5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "http-shutdown"));
            Thread.ofPlatform().daemon().name("http-stdin").start(() -> {
                drain(System.in);
                ctx.cancel();
            });
            out.println("listening on http://127.0.0.1:" + server.port() + " (" + procs + " processors)");
            out.flush();
            Task<Summary> serving = s.submit(() -> server.serve(ctx, MAIN_GRACE));
            Summary summary = serving.join();
            out.println("shut down: " + summary);
            out.flush();
            reported.countDown();
        }
    }

    private static void drain(InputStream in) {
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) >= 0) {
                // input is ignored: only its end matters
            }
        } catch (IOException e) {
            // an unreadable standard input counts as ended
        }
    }

    private static int number(String name, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            usage(name + " must be a whole number, got '" + text + "'");
            return -1;
        }
    }

    private static void usage(String problem) {
        throw new IllegalArgumentException(problem + "; usage: HttpServerExample [port (0.." + Net.MAX_PORT + ", default "
                + DEFAULT_PORT + ")] [procs (default: the available processors)]");
    }
}
