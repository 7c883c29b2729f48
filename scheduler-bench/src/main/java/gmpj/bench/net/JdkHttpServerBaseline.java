package gmpj.bench.net;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import gmpj.net.Net;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The virtual-thread baseline of {@code run-http-bench.sh}: the JDK's own HTTP server
 * ({@code com.sun.net.httpserver}) with a virtual thread per request
 * ({@link Executors#newVirtualThreadPerTaskExecutor()}), answering {@code GET /} with the same
 * body and the same headers as {@link HttpServerExample} ({@link HttpServerExample#HELLO},
 * {@code Content-Type: text/plain; charset=utf-8}). The JDK's server reads requests on its
 * dispatcher thread, with a selector, and hands each one to the executor; connections are kept
 * alive between requests (up to {@value HttpServerExample#BACKLOG} idle ones: see {@link #MAX_IDLE}).
 *
 * <p>{@code JdkHttpServerBaseline [port]}: listens on 127.0.0.1:{@code port} (default
 * {@value HttpServerExample#DEFAULT_PORT}; 0 picks a free one) with a backlog of
 * {@value HttpServerExample#BACKLOG}, prints {@code listening on http://127.0.0.1:PORT}, and serves
 * until standard input ends or the process gets SIGTERM; then stops (waiting up to a second for
 * exchanges in flight) and prints how many requests it answered. The virtual-thread scheduler's
 * parallelism is the JDK's default, the available processors, unless
 * {@code -Djdk.virtualThreadScheduler.parallelism} says otherwise.
 */
public final class JdkHttpServerBaseline {
    private static final byte[] HELLO = HttpServerExample.HELLO.getBytes(StandardCharsets.UTF_8);
    /**
     * The JDK server's cap on idle keep-alive connections, 200 by default: it closes the ones over
     * it, which a benchmark with more connections than that would see as errors. Raised to
     * {@value HttpServerExample#BACKLOG} unless set on the command line.
     */
    private static final String MAX_IDLE = "sun.net.httpserver.maxIdleConnections";
    private static final byte[] NOT_FOUND = "404 page not found\n".getBytes(StandardCharsets.UTF_8);

    private JdkHttpServerBaseline() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            throw new IllegalArgumentException("usage: JdkHttpServerBaseline [port (0.." + Net.MAX_PORT + ", default "
                    + HttpServerExample.DEFAULT_PORT + ")]");
        }
        int port = HttpServerExample.DEFAULT_PORT;
        if (args.length == 1) {
            try {
                port = Integer.parseInt(args[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port must be a whole number, got '" + args[0] + "'", e);
            }
        }
        if (System.getProperty(MAX_IDLE) == null) {
            System.setProperty(MAX_IDLE, String.valueOf(HttpServerExample.BACKLOG)); // before the server's configuration loads
        }
        LongAdder answered = new LongAdder();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                HttpServerExample.BACKLOG);
        server.createContext("/", exchange -> {
            try (exchange) {
                answer(exchange);
                answered.increment();
            }
        });
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.start();

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(10, TimeUnit.SECONDS); // the JVM halts when the hooks end: let main report first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jdk-http-shutdown"));
        Thread.ofPlatform().daemon().name("jdk-http-stdin").start(() -> {
            byte[] buf = new byte[256];
            try (InputStream in = System.in) {
                while (in.read(buf) >= 0) {
                    // input is ignored: only its end matters
                }
            } catch (IOException e) {
                // an unreadable standard input counts as ended
            }
            stop.countDown();
        });
        System.out.println("listening on http://127.0.0.1:" + server.getAddress().getPort() + " ("
                + Runtime.getRuntime().availableProcessors() + " available processors, a virtual thread per request)");
        System.out.flush();
        stop.await();
        server.stop(1);
        executor.close();
        System.out.println("shut down: served " + answered.sum() + " requests");
        System.out.flush();
        stopped.countDown();
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.transferTo(OutputStream.nullOutputStream());
        }
        boolean hello = exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().equals("/");
        byte[] out = hello ? HELLO : NOT_FOUND;
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(hello ? 200 : 404, out.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
        }
    }
}
