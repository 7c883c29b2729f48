package gmpj.net;

import static gmpj.net.NetTests.LIVENESS;
import static gmpj.net.NetTests.LOOPBACK;
import static gmpj.net.NetTests.awaitCondition;
import static gmpj.net.NetTests.awaitNetWaiters;
import static gmpj.net.NetTests.builder;
import static gmpj.net.NetTests.join;
import static gmpj.net.NetTests.listen;
import static gmpj.net.NetTests.pair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gmpj.core.Scheduler;
import gmpj.core.Task;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Closing: a close wakes whoever waits on the socket with "use of closed network connection",
 * whichever side wins the race; every operation after a close says so too; a closed listener's
 * port is free at once; and closing a listener under load loses no connection silently.
 */
class NetCloseTest {
    private static final String CLOSED = "use of closed network connection";

    private static void assertClosedError(Throwable e, String what) {
        if (!(e instanceof SocketException) || e.getMessage() == null || !e.getMessage().contains(CLOSED)) {
            fail(what + ": expected SocketException \"" + CLOSED + "\", got " + e, e);
        }
    }

    private static void assertClosed(String what, Executable op) {
        assertClosedError(assertThrows(Throwable.class, op, what), what);
    }

    // ------------------------------------------------------------------ close racing a wait

    /**
     * Many rounds of a read racing a close, the reader and the closer each a goroutine or a plain
     * thread; in half the rounds the close waits until the reader is parked, in the others it
     * races the reader's arming. The reader always ends with "use of closed network connection":
     * never a hang, never data or the end of the stream.
     */
    @Test
    void closeRacingABlockedReadAlwaysWakesItWithClosed() throws Exception {
        int rounds = 400;
        try (Scheduler s = builder("close-race").procs(2).build()) {
            for (int i = 0; i < rounds; i++) {
                Conn[] p = pair(s);
                Conn c = p[0];
                boolean threadReader = (i & 1) != 0;
                boolean threadCloser = (i & 2) != 0;
                boolean waitForPark = (i & 4) != 0;
                CompletableFuture<Integer> read = new CompletableFuture<>();
                Runnable reader = () -> {
                    try {
                        read.complete(c.read(new byte[1]));
                    } catch (Throwable e) {
                        read.completeExceptionally(e);
                    }
                };
                if (threadReader) {
                    Thread t = new Thread(reader, "plain-reader");
                    t.setDaemon(true);
                    t.start();
                } else {
                    s.go(reader);
                }
                if (waitForPark) {
                    awaitNetWaiters(s, 1);
                }
                Runnable closer = () -> {
                    try {
                        c.close();
                    } catch (IOException e) {
                        read.completeExceptionally(new AssertionError("close failed", e));
                    }
                };
                if (threadCloser) {
                    new Thread(closer, "plain-closer").start();
                } else {
                    s.go(closer);
                }
                int round = i;
                awaitCondition(s, "round " + i + ": the reader woken by the close (reader " + (threadReader ? "thread" : "goroutine")
                        + ", closer " + (threadCloser ? "thread" : "goroutine") + ")", read::isDone);
                Throwable e = assertThrows(Throwable.class, read::join, () -> "round " + round + ": the read returned "
                        + read.getNow(null)).getCause();
                assertClosedError(e, "round " + i);
                p[1].close();
            }
            awaitCondition(s, "every socket off the poller", () -> s.stats().netpoll().descriptors() == 0);
        }
    }

    /** A write blocked on a full buffer, woken by a close from another goroutine. */
    @Test
    void closeWakesABlockedWrite() throws Exception {
        try (Scheduler s = builder("close-write").procs(2).build()) {
            Conn[] p = pair(s);
            Task<Void> writer = s.submit(() -> {
                assertClosed("write into a full buffer, then closed", () -> p[0].write(ByteBuffer.allocate(64 << 20)));
                return null;
            });
            awaitNetWaiters(s, 1);
            s.go(() -> {
                try {
                    p[0].close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            join(s, writer);
            p[1].close();
        }
    }

    /** Closing a listener wakes a goroutine and a plain thread blocked in accept (on two listeners). */
    @Test
    void closingAListenerWakesABlockedAccept() throws Exception {
        try (Scheduler s = builder("close-accept").procs(1).build()) {
            Listener forGoroutine = listen(s);
            Listener forThread = listen(s);
            Task<Void> g = s.submit(() -> {
                assertClosed("goroutine's accept", forGoroutine::accept);
                return null;
            });
            CompletableFuture<Void> t = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    forThread.accept();
                    t.completeExceptionally(new AssertionError("accepted a connection nobody made"));
                } catch (Throwable e) {
                    t.completeExceptionally(e);
                }
            }, "plain-acceptor");
            thread.start();
            awaitNetWaiters(s, 2);
            forGoroutine.close();
            forThread.close();
            join(s, g);
            join(thread);
            assertClosedError(assertThrows(Throwable.class, t::join).getCause(), "thread's accept");
        }
    }

    // ------------------------------------------------------------------ after a close

    @Test
    void everyOperationAfterCloseSaysClosed() throws Exception {
        try (Scheduler s = builder("after-close").procs(1).build()) {
            Conn[] p = pair(s);
            Conn c = p[0];
            c.close();
            c.close(); // idempotent
            assertTrue(c.isClosed());
            assertTrue(c.toString().contains("closed"), c.toString());
            assertClosed("read", () -> c.read(new byte[1]));
            assertClosed("read ByteBuffer", () -> c.read(ByteBuffer.allocate(1)));
            assertClosed("readFully", () -> c.readFully(new byte[1]));
            assertClosed("write", () -> c.write(new byte[1]));
            assertClosed("write ByteBuffer", () -> c.write(ByteBuffer.allocate(1)));
            assertClosed("inputStream().read", () -> c.inputStream().read());
            assertClosed("outputStream().write", () -> c.outputStream().write(1));
            assertClosed("shutdownOutput", c::shutdownOutput);
            assertClosed("shutdownInput", c::shutdownInput);
            assertEquals(p[1].remoteAddress(), c.localAddress(), "the addresses stay readable");
            p[1].setReadDeadline(LIVENESS);
            assertEquals(-1, p[1].read(new byte[1]), "the peer reads the end of the stream");
            p[1].close();

            Listener ln = listen(s);
            ln.close();
            ln.close();
            assertTrue(ln.isClosed());
            assertClosed("accept", ln::accept);
            awaitCondition(s, "every socket off the poller", () -> s.stats().netpoll().descriptors() == 0);
        }
    }

    /** A goroutine's read after its peer closed gets the end of the stream; readFully says how much came. */
    @Test
    void readAfterThePeerClosedIsTheEndOfTheStream() throws Exception {
        try (Scheduler s = builder("peer-closed").procs(1).build()) {
            Conn[] p = pair(s);
            p[1].write(new byte[] {1, 2, 3});
            p[1].close();
            Task<String> r = s.submit(() -> {
                p[0].setReadDeadline(LIVENESS);
                EOFException e = assertThrows(EOFException.class, () -> p[0].readFully(new byte[10]));
                assertEquals(-1, p[0].read(new byte[1]));
                return e.getMessage();
            });
            String m = join(s, r);
            assertTrue(m.contains("after 3 of 10 bytes"), m);
            p[0].close();
        }
    }

    /**
     * The port of a closed listener is free when close returns, on an idle scheduler too (a
     * closed channel keeps its descriptor until a select drops it): a dial is refused at once and
     * the port can be listened on again.
     */
    @Test
    void aClosedListenersPortIsFreeWhenCloseReturns() throws Exception {
        try (Scheduler s = builder("port-free").procs(1).build()) {
            for (int i = 0; i < 20; i++) {
                Listener ln = listen(s);
                int port = ln.port();
                awaitCondition(s, "the scheduler idle", () -> s.stats().idleProcs() == 1);
                ln.close();
                ConnectException e = assertThrows(ConnectException.class,
                        () -> Net.dial(s, new InetSocketAddress(LOOPBACK, port), LIVENESS).close(), "round " + i);
                assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
                Net.listen(s, new InetSocketAddress(LOOPBACK, port), 0).close();
            }
        }
    }

    // ------------------------------------------------------------------ a listener closed under load

    /** How a client's attempt ended. */
    private enum Outcome {
        /** Connected, sent its request, got exactly its echo and then the end of the stream. */
        SERVED,
        /** The dial was refused: the listener was gone. */
        REFUSED,
        /**
         * Connected (into the listen backlog), then reset (in the dial's last step, or later) or the
         * end of the stream before any echo: never accepted.
         */
        DROPPED_UNACCEPTED,
        /** Anything else: a hang (the read deadline), a wrong echo, an unexpected error. */
        FAILED
    }

    /**
     * A listener closed while clients keep dialing. "Not lost" means: every connection the server
     * accepted is served (its request read, echoed and closed), and every client attempt ends
     * within the liveness bound in one of: served (its own echo, then the end of the stream),
     * refused (the dial failed: the listener was gone), or reset or ended before any byte came
     * back (the connection sat in the kernel's backlog and was never accepted). The served counts
     * of server and clients agree one for one, so no accepted connection vanished on the way, and
     * every dial that began after close returned was refused (the port was free at once).
     */
    @Test
    void aListenerClosedUnderLoadLosesNoAcceptedConnection() throws Exception {
        int clients = 16;
        try (Scheduler s = builder("close-under-load").procs(2).build()) {
            Listener ln = Net.listen(s, new InetSocketAddress(LOOPBACK, 0), 64);
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, ln.port());
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger served = new AtomicInteger();
            Queue<String> serverErrors = new ConcurrentLinkedQueue<>();
            Task<Throwable> acceptor = s.submit("acceptor", () -> {
                for (;;) {
                    Conn c;
                    try {
                        c = ln.accept();
                    } catch (IOException e) {
                        return e;
                    }
                    accepted.incrementAndGet();
                    s.go(() -> serveOne(c, served, serverErrors));
                }
            });
            AtomicLong closedAt = new AtomicLong(); // 0 until ln.close() has returned
            AtomicInteger[] outcomes = new AtomicInteger[Outcome.values().length];
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] = new AtomicInteger();
            }
            Queue<String> clientErrors = new ConcurrentLinkedQueue<>();
            List<Task<Void>> dialers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                dialers.add(s.submit("client-" + i, () -> {
                    int afterClose = 0;
                    for (long seq = 0; afterClose < 20; seq++) {
                        boolean closed = closedAt.get() != 0;
                        Outcome o = attempt(s, to, id * 1_000_000L + seq, clientErrors);
                        outcomes[o.ordinal()].incrementAndGet();
                        if (o == Outcome.FAILED) {
                            return null; // reported; a client that hung once would only hang again
                        }
                        if (closed) {
                            afterClose++;
                            if (o != Outcome.REFUSED) {
                                clientErrors.add("client " + id + ": a dial begun after close returned ended " + o);
                            }
                        }
                    }
                    return null;
                }));
            }
            awaitCondition(s, "200 connections served before the close", () -> served.get() >= 200);
            ln.close();
            closedAt.set(System.nanoTime());
            Throwable end = join(s, acceptor);
            assertTrue(end instanceof SocketException && end.getMessage().contains(CLOSED), "the acceptor ended with " + end);
            for (Task<Void> d : dialers) {
                join(s, d);
            }
            awaitCondition(s, "every accepted connection served", () -> served.get() == accepted.get());
            String summary = "accepted " + accepted + ", served " + served + "; clients: served " + outcomes[0] + ", refused "
                    + outcomes[1] + ", dropped unaccepted " + outcomes[2] + ", failed " + outcomes[3];
            System.out.println("NetCloseTest under load: " + summary);
            assertTrue(serverErrors.isEmpty(), summary + "\nserver errors: " + serverErrors);
            assertTrue(clientErrors.isEmpty(), summary + "\nclient errors: " + clientErrors.stream().limit(10).toList());
            assertEquals(0, outcomes[Outcome.FAILED.ordinal()].get(), summary);
            assertEquals(served.get(), outcomes[Outcome.SERVED.ordinal()].get(), "connections served, by server and by clients: "
                    + summary);
            assertTrue(outcomes[Outcome.REFUSED.ordinal()].get() >= clients * 20, "every client dialled 20 times after the close: "
                    + summary);
        }
    }

    /** Server side of one connection: an 8-byte request, echoed, then close. */
    private static void serveOne(Conn c, AtomicInteger served, Queue<String> errors) {
        try (c) {
            c.setDeadline(LIVENESS);
            byte[] req = new byte[8];
            c.readFully(req);
            c.write(req);
        } catch (IOException | RuntimeException e) {
            errors.add(c + ": " + e);
        } finally {
            served.incrementAndGet();
        }
    }

    /** One client attempt: dial, send an 8-byte request, read the echo and the end of the stream. */
    private static Outcome attempt(Scheduler s, InetSocketAddress to, long request, Queue<String> errors) {
        Conn c;
        try {
            c = Net.dial(s, to, LIVENESS);
        } catch (ConnectException refused) {
            return Outcome.REFUSED;
        } catch (SocketException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return Outcome.DROPPED_UNACCEPTED; // the handshake was done, the listener closed before finishConnect
            }
            errors.add("dial: " + e);
            return Outcome.FAILED;
        } catch (IOException | RuntimeException e) {
            errors.add("dial: " + e);
            return Outcome.FAILED;
        }
        byte[] back = new byte[8];
        int got = 0;
        try (c) {
            c.setDeadline(LIVENESS);
            c.write(ByteBuffer.allocate(8).putLong(request).flip());
            for (int n; got < 8 && (n = c.read(back, got, 8 - got)) > 0; ) {
                got += n;
            }
            if (got == 0) {
                return Outcome.DROPPED_UNACCEPTED; // the end of the stream before any echo
            }
            if (got < 8 || ByteBuffer.wrap(back).getLong() != request || c.read(new byte[1]) != -1) {
                errors.add(c + ": a short, wrong or overlong echo (" + got + " bytes)");
                return Outcome.FAILED;
            }
            return Outcome.SERVED;
        } catch (SocketException e) {
            if (got == 0 && !e.getMessage().contains(CLOSED)) {
                return Outcome.DROPPED_UNACCEPTED; // reset: the listener closed with it in its backlog
            }
            errors.add(c + ": " + e);
            return Outcome.FAILED;
        } catch (IOException | RuntimeException e) {
            errors.add(c + ": " + e);
            return Outcome.FAILED;
        }
    }
}
