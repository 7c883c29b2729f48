package gmpj.bench.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.bench.net.HttpClientExample.NoResponseException;
import gmpj.bench.net.HttpClientExample.Response;
import gmpj.bench.net.HttpServerExample.Summary;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import gmpj.net.Conn;
import gmpj.net.Net;
import gmpj.sync.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpServerExample} with {@link HttpClientExample}: the protocol (keep-alive, close,
 * malformed requests), and the graceful shutdown: with requests in flight and clients hammering,
 * every request is either answered in full or never started, and the server's count of started
 * requests equals its count of finished ones and the clients' count of answers.
 */
class HttpServerExampleTest {
    /** The bound on every wait: far beyond what any step takes on a loaded machine. */
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void servesKeepAliveRequestsAndClosesWhenAsked() throws Exception {
        try (Scheduler s = Scheduler.builder().procs(2).name("http-test").build();
             Context.Cancellable ctx = Context.background().withCancel()) {
            HttpServerExample server = HttpServerExample.listen(s, "127.0.0.1", 0);
            Task<Summary> serving = s.submit(() -> server.serve(ctx, LIMIT));
            int port = server.port();

            Task<Void> client = s.submit(() -> {
                try (HttpClientExample c = HttpClientExample.connect("127.0.0.1", port, LIMIT)) {
                    for (int i = 0; i < 3; i++) {
                        Response r = c.get("/");
                        assertEquals(200, r.status());
                        assertEquals(HttpServerExample.HELLO, r.bodyText());
                        assertTrue(c.isOpen(), "keep-alive is the default in HTTP/1.1");
                    }
                    byte[] body = "some bytes to echo".getBytes(StandardCharsets.UTF_8);
                    Response echo = c.post("/echo", body);
                    assertEquals(200, echo.status());
                    assertArrayEquals(body, echo.body());
                    assertEquals(404, c.get("/nowhere").status());
                    Response wrongMethod = c.get("/echo");
                    assertEquals(405, wrongMethod.status());
                    assertEquals("POST", wrongMethod.headers().get("allow"));
                    assertTrue(c.isOpen(), "404 and 405 keep the connection");
                }
                return null;
            });
            client.join(LIMIT);

            String closing = exchangeUntilClosed(s, port, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertTrue(closing.startsWith("HTTP/1.1 200 OK\r\n") && closing.contains("\r\nConnection: close\r\n")
                    && closing.endsWith("\r\n\r\n" + HttpServerExample.HELLO), closing);
            String http10 = exchangeUntilClosed(s, port, "GET / HTTP/1.0\r\n\r\n");
            assertTrue(http10.startsWith("HTTP/1.1 200 OK\r\n") && http10.endsWith(HttpServerExample.HELLO), http10);
            String http10KeepAlive = exchangeUntilClosed(s, port,
                    "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertTrue(http10KeepAlive.contains("\r\nConnection: keep-alive\r\n")
                    && http10KeepAlive.indexOf("HTTP/1.1 200 OK") != http10KeepAlive.lastIndexOf("HTTP/1.1 200 OK"),
                    "two answers, the first keeping the connection: " + http10KeepAlive);
            for (String bad : List.of("NONSENSE\r\n\r\n", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
                    "GET / HTTP/1.1\r\nHost t\r\n\r\n", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n")) {
                String answer = exchangeUntilClosed(s, port, bad);
                assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n") && answer.contains("\r\nConnection: close\r\n"),
                        bad.replace("\r\n", "\\r\\n") + " -> " + answer);
            }

            ctx.cancel();
            Summary summary = serving.join(LIMIT);
            assertEquals(summary.started(), summary.finished(), summary.toString());
            assertEquals(3 + 3 + 1 + 1 + 2 + 5, summary.finished(), summary.toString());
            assertEquals(0, summary.abandoned() + summary.cutOff(), summary.toString());
        }
    }

    @Test
    void gracefulShutdownFinishesRequestsInFlightAndCutsNothingOff() throws Exception {
        int slowRequests = 4;
        int clients = 8;
        try (Scheduler s = Scheduler.builder().procs(2).name("http-shutdown-test").build();
             Context.Cancellable ctx = Context.background().withCancel()) {
            HttpServerExample server = HttpServerExample.listen(s, "127.0.0.1", 0);
            Task<Summary> serving = s.submit(() -> server.serve(ctx, LIMIT));
            int port = server.port();

            // Requests in flight: each has sent its head and half its body, so the server has
            // started it and cannot answer it before the rest comes, after the shutdown has begun.
            List<Conn> slow = new ArrayList<>();
            for (int i = 0; i < slowRequests; i++) {
                Conn c = Net.dial(s, "127.0.0.1", port, LIMIT);
                c.setReadDeadline(LIMIT);
                c.write(ascii("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n01234"));
                slow.add(c);
            }
            waitFor(() -> server.requestsStarted() == slowRequests, "the server to start the slow requests");

            AtomicLong answered = new AtomicLong();
            AtomicLong neverStarted = new AtomicLong();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            List<Task<Void>> load = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                load.add(s.submit(() -> {
                    hammer(port, id, answered, neverStarted, failures);
                    return null;
                }));
            }
            waitFor(() -> answered.get() >= 400 || !failures.isEmpty(), "the clients' first 400 answers");

            ctx.cancel();
            waitFor(server::isShuttingDown, "the shutdown to begin");
            for (Conn c : slow) {
                c.write(ascii("56789"));
                String answer = readUntilClosed(c);
                assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n") && answer.contains("\r\nConnection: close\r\n")
                        && answer.endsWith("\r\n\r\n0123456789"), "a request in flight at the shutdown: " + answer);
                c.close();
            }

            Summary summary = serving.join(LIMIT);
            for (Task<Void> t : load) {
                t.join(LIMIT);
            }
            assertEquals(List.of(), List.copyOf(failures), "responses cut off or wrong");
            assertEquals(summary.started(), summary.finished(), "every request the server started, it finished: " + summary);
            assertEquals(0, summary.abandoned() + summary.cutOff(), summary.toString());
            assertEquals(answered.get() + slowRequests, summary.finished(),
                    "the clients got an answer to every request the server finished: " + summary + "; the clients saw "
                            + neverStarted.get() + " requests never started");
            assertTrue(summary.connections() >= clients + slowRequests, summary.toString());
        }
    }

    @Test
    void cutsOffWhatIsStillUnfinishedWhenTheGracePeriodEnds() throws Exception {
        try (Scheduler s = Scheduler.builder().procs(1).name("http-grace-test").build();
             Context.Cancellable ctx = Context.background().withCancel()) {
            HttpServerExample server = HttpServerExample.listen(s, "127.0.0.1", 0);
            Task<Summary> serving = s.submit(() -> server.serve(ctx, Duration.ZERO));
            try (Conn stalled = Net.dial(s, "127.0.0.1", server.port(), LIMIT)) {
                stalled.setReadDeadline(LIMIT);
                stalled.write(ascii("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n01234"));
                waitFor(() -> server.requestsStarted() == 1, "the server to start the request");
                ctx.cancel();
                Summary summary = serving.join(LIMIT);
                assertEquals(1, summary.cutOff(), summary.toString());
                assertEquals(0, summary.finished(), summary.toString());
                assertEquals("", readUntilClosed(stalled), "nothing of a response to a request cut off");
            }
        }
    }

    @Test
    void writesHttpDates() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpServerExample.httpDate(784_111_777L)); // RFC 9110's example
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HttpServerExample.httpDate(0));
        assertEquals("Tue, 29 Feb 2028 23:59:59 GMT", HttpServerExample.httpDate(1_835_481_599L));
    }

    /**
     * A client goroutine's life: connects, sends requests on the connection until the server
     * closes it, connects again, until a connection is refused (the listener is closed). Counts
     * full, correct answers and requests the server never started; anything else is a failure.
     */
    private static void hammer(int port, int id, AtomicLong answered, AtomicLong neverStarted, Queue<String> failures) {
        for (int request = 0;; ) {
            HttpClientExample c;
            try {
                c = HttpClientExample.connect("127.0.0.1", port, LIMIT);
            } catch (ConnectException e) {
                return; // refused: the listener is closed
            } catch (IOException e) {
                failures.add("client " + id + ": connect: " + e);
                return;
            }
            try (c) {
                while (c.isOpen()) {
                    request++;
                    try {
                        if (request % 2 == 0) {
                            Response r = c.get("/");
                            check(r.status() == 200 && r.bodyText().equals(HttpServerExample.HELLO), id, r, failures);
                        } else {
                            byte[] body = ("client " + id + " request " + request).getBytes(StandardCharsets.UTF_8);
                            Response r = c.post("/echo", body);
                            check(r.status() == 200 && Arrays.equals(body, r.body()), id, r, failures);
                        }
                        answered.incrementAndGet();
                    } catch (NoResponseException e) {
                        neverStarted.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                failures.add("client " + id + ": " + e);
                return;
            }
        }
    }

    private static void check(boolean ok, int id, Response r, Queue<String> failures) {
        if (!ok) {
            failures.add("client " + id + ": wrong answer " + r.status() + " " + r.bodyText());
        }
    }

    /** Sends {@code request} on a new connection and reads until the server closes it. */
    private static String exchangeUntilClosed(Scheduler s, int port, String request) throws IOException {
        try (Conn c = Net.dial(s, "127.0.0.1", port, LIMIT)) {
            c.setReadDeadline(LIMIT);
            c.write(ascii(request));
            return readUntilClosed(c);
        }
    }

    private static String readUntilClosed(Conn c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = c.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // a reset after what was sent: the end of the stream all the same (a timeout is not a SocketException)
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("gave up waiting " + LIMIT.toSeconds() + " s for " + what);
            }
            Thread.sleep(1);
        }
    }
}
