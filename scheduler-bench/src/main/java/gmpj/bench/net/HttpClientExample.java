package gmpj.bench.net;

import gmpj.core.Scheduler;
import gmpj.net.Conn;
import gmpj.net.Net;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A tiny HTTP/1.1 client on {@code gmpj.net}: one keep-alive connection, one request at a time,
 * {@code Content-Length} bodies (or a body that runs to the close). The counterpart of
 * {@link HttpServerExample} for its tests and the demo; not a general client.
 *
 * <p>It tells the two ways a request can fail apart, which is what a graceful shutdown is judged
 * by: {@link NoResponseException} when the server closed the connection before the first byte of
 * the response (the request was never started: safe to send again on a new connection), and a
 * plain {@link IOException} when the response was cut off. After a response that closes the
 * connection ({@code Connection: close}), or after a failure, {@link #isOpen()} is false.
 *
 * <p>One goroutine or thread uses a client at a time.
 */
public final class HttpClientExample implements AutoCloseable {
    private final HttpWire wire;
    private final String hostHeader;
    private boolean open = true;

    /**
     * A response.
     *
     * @param status  the status code
     * @param reason  the reason phrase
     * @param headers the headers, names in lower case
     * @param body    the body
     */
    public record Response(int status, String reason, Map<String, String> headers, byte[] body) {
        /** The body as UTF-8 text. */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Whether the server said it closes the connection after this response. */
        public boolean closesConnection() {
            return HttpWire.hasToken(headers.get("connection"), "close");
        }
    }

    /**
     * The server closed (or reset) the connection before the first byte of the response: it never
     * started the request.
     */
    public static final class NoResponseException extends IOException {
        NoResponseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private HttpClientExample(Conn conn, String host, int port) {
        this.wire = new HttpWire(conn);
        this.hostHeader = host + ":" + port;
    }

    /** Connects to {@code host}:{@code port} for {@code scheduler}, giving up after {@code timeout}. */
    public static HttpClientExample connect(Scheduler scheduler, String host, int port, Duration timeout) throws IOException {
        return new HttpClientExample(Net.dial(scheduler, host, port, timeout), host, port);
    }

    /** Connects from a goroutine, for its scheduler; see {@link #connect(Scheduler, String, int, Duration)}. */
    public static HttpClientExample connect(String host, int port, Duration timeout) throws IOException {
        return new HttpClientExample(Net.dial(host, port, timeout), host, port);
    }

    /** {@code GET path}. */
    public Response get(String path) throws IOException {
        return exchange("GET", path, null);
    }

    /** {@code POST path} with {@code body}. */
    public Response post(String path, byte[] body) throws IOException {
        return exchange("POST", path, Objects.requireNonNull(body, "body must not be null"));
    }

    /** Whether the connection can carry another request. */
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        wire.conn().close();
    }

    private Response exchange(String method, String path, byte[] body) throws IOException {
        Objects.requireNonNull(path, "path must not be null");
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("path '" + path + "' must start with / and hold no space or control character");
        }
        if (!open) {
            throw new IllegalStateException("the connection to " + hostHeader + " is closed: connect again");
        }
        StringBuilder head = new StringBuilder(96).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n");
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        try {
            wire.conn().write(HttpWire.message(head, body == null ? new byte[0] : body));
            if (!wire.fill()) {
                throw new NoResponseException(method + " " + path + ": " + hostHeader + " closed the connection before answering",
                        null);
            }
        } catch (NoResponseException e) {
            close();
            throw e;
        } catch (IOException e) {
            close();
            throw new NoResponseException(method + " " + path + ": " + hostHeader + " closed the connection before answering: "
                    + e.getMessage(), e);
        }
        try {
            Response r = readResponse(method, path);
            if (r.closesConnection() || !open) { // !open: a body that ran to the server's close
                close();
            }
            return r;
        } catch (IOException e) {
            close();
            throw new IOException(method + " " + path + ": the response from " + hostHeader + " was cut off: " + e.getMessage(), e);
        }
    }

    private Response readResponse(String method, String path) throws IOException {
        String line = wire.readLine();
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3
                || !parts[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new HttpWire.MalformedException("a status line that is not 'HTTP/1.x NNN reason': '" + HttpWire.clip(line) + "'");
        }
        Map<String, String> headers = wire.readHeaders();
        if (headers.containsKey("transfer-encoding")) {
            throw new HttpWire.MalformedException("Transfer-Encoding bodies are not supported");
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = wire.readBody(HttpWire.contentLength(headers));
        } else {
            body = readToEnd();
        }
        return new Response(Integer.parseInt(parts[1]), parts.length == 3 ? parts[2] : "", headers, body);
    }

    /** A body without a length: everything up to the close, at most {@link HttpWire#MAX_BODY} bytes. */
    private byte[] readToEnd() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (wire.fill()) {
            int n = wire.buffered();
            if (out.size() + n > HttpWire.MAX_BODY) {
                throw new HttpWire.MalformedException("a body longer than " + HttpWire.MAX_BODY + " bytes");
            }
            out.write(wire.readBody(n));
        }
        open = false;
        return out.toByteArray();
    }

    /**
     * {@code HttpClientExample port [path] [requests]}: sends {@code requests} (default 1)
     * {@code GET path} (default {@code /}) to 127.0.0.1:{@code port} on one keep-alive connection,
     * prints the first response and how many came back with each status.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3) {
            throw new IllegalArgumentException("usage: HttpClientExample port [path (default /)] [requests (default 1)]");
        }
        int port = number("port", args[0]);
        String path = args.length > 1 ? args[1] : "/";
        int requests = args.length > 2 ? number("requests", args[2]) : 1;
        if (requests < 1) {
            throw new IllegalArgumentException("requests " + requests + " must be at least 1");
        }
        try (Scheduler s = Scheduler.builder().procs(1).name("http-client").build()) {
            String report = s.submit(() -> {
                long start = System.nanoTime();
                Map<Integer, Integer> statuses = new TreeMap<>();
                StringBuilder first = new StringBuilder();
                try (HttpClientExample client = connect("127.0.0.1", port, Duration.ofSeconds(10))) {
                    for (int i = 0; i < requests; i++) {
                        Response r = client.get(path);
                        statuses.merge(r.status(), 1, Integer::sum);
                        if (i == 0) {
                            first.append(r.status()).append(' ').append(r.reason()).append('\n').append(r.bodyText());
                        }
                        if (!client.isOpen() && i + 1 < requests) {
                            return first.toString() + "the server closed the connection after " + (i + 1) + " requests";
                        }
                    }
                }
                return first.toString() + requests + " requests in "
                        + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms; statuses " + statuses;
            }).join();
            System.out.println(report);
        }
    }

    private static int number(String name, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + text + "'", e);
        }
    }
}
