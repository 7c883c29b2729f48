package gmpj.net;

import static gmpj.net.NetTests.LIVENESS;
import static gmpj.net.NetTests.LOOPBACK;
import static gmpj.net.NetTests.awaitCondition;
import static gmpj.net.NetTests.awaitNetWaiters;
import static gmpj.net.NetTests.builder;
import static gmpj.net.NetTests.connToSocket;
import static gmpj.net.NetTests.join;
import static gmpj.net.NetTests.listen;
import static gmpj.net.NetTests.pair;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Sockets used from outside their scheduler's goroutines: plain threads block in {@code accept},
 * {@code read} and {@code write} against goroutines on the other end, and goroutines of another
 * scheduler wait on them too. Neither kind of waiter passes through the owning scheduler's run
 * loop, so only its poller (woken for them) can ready them.
 */
class ThreadsAndSchedulersTest {
    private static final int CLIENTS = 20;

    private static byte[] request(int id) {
        return ("request " + id + " from a goroutine").getBytes();
    }

    /** A plain thread accepts and serves every connection while goroutines dial, send and read their echo. */
    @Test
    void plainThreadServesGoroutineClients() throws Exception {
        try (Scheduler s = builder("thread-server").procs(2).build()) {
            Listener ln = listen(s);
            AtomicReference<Throwable> serverFailed = new AtomicReference<>();
            Thread server = new Thread(() -> {
                try {
                    for (int i = 0; i < CLIENTS; i++) {
                        try (Conn c = ln.accept()) {
                            byte[] len = new byte[1];
                            c.readFully(len);
                            byte[] body = new byte[len[0]];
                            c.readFully(body);
                            c.write(body);
                        }
                    }
                } catch (Throwable t) {
                    serverFailed.set(t);
                }
            }, "plain-server");
            server.start();
            List<Task<byte[]>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                byte[] req = request(i);
                clients.add(s.submit(() -> {
                    try (Conn c = Net.dial("127.0.0.1", ln.port(), LIVENESS)) {
                        c.setDeadline(LIVENESS);
                        c.write(new byte[] {(byte) req.length});
                        c.write(req);
                        byte[] back = new byte[req.length];
                        c.readFully(back);
                        assertEquals(-1, c.read(new byte[1]), "the server closed after its echo");
                        return back;
                    }
                }));
            }
            for (int i = 0; i < CLIENTS; i++) {
                assertArrayEquals(request(i), join(s, clients.get(i)), "client " + i);
            }
            join(server);
            assertEquals(null, serverFailed.get());
            ln.close();
        }
    }

    /** Goroutines serve; plain threads dial (through the scheduler), send and block reading their echo. */
    @Test
    void goroutinesServePlainThreadClients() throws Exception {
        try (Scheduler s = builder("thread-clients").procs(2).build()) {
            Listener ln = listen(s);
            s.go(() -> {
                for (;;) {
                    Conn c;
                    try {
                        c = ln.accept();
                    } catch (IOException closed) {
                        return;
                    }
                    s.go(() -> echoOnce(c));
                }
            });
            List<CompletableFuture<byte[]>> clients = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                byte[] req = request(i);
                CompletableFuture<byte[]> f = new CompletableFuture<>();
                clients.add(f);
                Thread t = new Thread(() -> {
                    try (Conn c = Net.dial(s, new InetSocketAddress(LOOPBACK, ln.port()), LIVENESS)) {
                        c.setDeadline(LIVENESS);
                        c.write(new byte[] {(byte) req.length});
                        c.write(req);
                        byte[] back = new byte[req.length];
                        c.readFully(back);
                        f.complete(back);
                    } catch (Throwable e) {
                        f.completeExceptionally(e);
                    }
                }, "plain-client-" + i);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                join(t);
            }
            for (int i = 0; i < CLIENTS; i++) {
                assertArrayEquals(request(i), clients.get(i).join(), "client " + i);
            }
            ln.close();
        }
    }

    private static void echoOnce(Conn c) {
        try (c) {
            c.setDeadline(LIVENESS);
            byte[] len = new byte[1];
            c.readFully(len);
            byte[] body = new byte[len[0]];
            c.readFully(body);
            c.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A plain thread writes 8 MB, far more than the socket buffers hold, while a goroutine reads
     * slowly: the thread blocks for room again and again, and the poller must wake it each time.
     */
    @Test
    void plainThreadWriterBlocksOnAFullBufferAndIsWokenByThePoller() throws Exception {
        int total = 8 << 20;
        try (Scheduler s = builder("thread-writer").procs(2).build()) {
            Conn[] p = pair(s);
            Conn writer = p[0];
            Conn reader = p[1];
            byte[] data = ConnTest.pattern(total, 11);
            CRC32 want = new CRC32();
            want.update(data);
            AtomicReference<Throwable> writeFailed = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try (writer) {
                    writer.setWriteDeadline(LIVENESS);
                    writer.write(data);
                } catch (Throwable e) {
                    writeFailed.set(e);
                }
            }, "plain-writer");
            t.start();
            Task<long[]> read = s.submit(() -> ConnTest.readSlowly(reader, 64 << 10));
            long[] got = join(s, read);
            join(t);
            assertEquals(null, writeFailed.get());
            assertEquals(total, got[0], "bytes read");
            assertEquals(want.getValue(), got[1], "CRC32 of the bytes read, in order");
            reader.close();
        }
    }

    /** A goroutine of scheduler B reads, writes and waits on connections that belong to scheduler A. */
    @Test
    void goroutineOfAnotherSchedulerUsesTheConnections() throws Exception {
        try (Scheduler a = builder("owner").procs(1).build(); Scheduler b = builder("user").procs(1).build()) {
            Listener ln = listen(a);
            Task<Conn> accepted = b.submit(ln::accept); // B waits on A's listener
            Conn dialled = join(b, b.submit(() -> Net.dial(a, new InetSocketAddress(LOOPBACK, ln.port()), LIVENESS)));
            Conn served = join(b, accepted);
            assertEquals(a, served.scheduler(), "accepted connections belong to the listener's scheduler");
            assertEquals(a, dialled.scheduler());
            int rounds = 200;
            Task<Integer> echo = b.submit(() -> {
                byte[] buf = new byte[64];
                int n = 0;
                for (int r; (r = served.read(buf)) > 0; ) {
                    served.write(buf, 0, r);
                    n += r;
                }
                served.close();
                return n;
            });
            Task<Integer> client = b.submit(() -> {
                byte[] back = new byte[8];
                for (int i = 0; i < rounds; i++) {
                    byte[] msg = String.format("%08d", i).getBytes();
                    dialled.write(msg);
                    dialled.readFully(back);
                    assertArrayEquals(msg, back, "round " + i);
                }
                dialled.shutdownOutput();
                assertEquals(-1, dialled.read(back), "the end of the stream after the echo side closed");
                dialled.close();
                return rounds;
            });
            assertEquals(rounds, join(b, client));
            assertEquals(rounds * 8, join(b, echo));
            assertTrue(a.stats().netpoll().readied() > 0, "A's poller readied B's goroutines: " + a.stats().netpoll());
            ln.close();
        }
    }

    /**
     * A read by a plain thread whose earlier read timed out, on an otherwise idle scheduler. The
     * timed-out wait leaves the read interest registered, so the new wait adds none; it must still
     * get a poller: the idle carriers parked while nobody waited, and sysmon sleeps while every
     * processor is idle. (It hung: only a wait that added interest woke a carrier to poll.)
     */
    @Test
    void plainThreadReadAfterATimeoutOnAnIdleSchedulerIsWoken() throws Exception {
        try (Scheduler s = builder("rearm-thread").procs(1).build()) {
            Object[] p = connToSocket(s);
            Conn c = (Conn) p[0];
            try (Socket peer = (Socket) p[1]; c) {
                readTimesOutThenGetsData(s, c, peer, () -> {
                    byte[] one = new byte[1];
                    CompletableFuture<Integer> got = new CompletableFuture<>();
                    Thread t = new Thread(() -> {
                        try {
                            got.complete(c.read(one) == 1 ? one[0] & 0xff : -1);
                        } catch (Throwable e) {
                            got.completeExceptionally(e);
                        }
                    }, "plain-reader");
                    t.start();
                    return got;
                });
            }
        }
    }

    /** {@link #plainThreadReadAfterATimeoutOnAnIdleSchedulerIsWoken} for a goroutine of another scheduler. */
    @Test
    void otherSchedulersGoroutineReadAfterATimeoutOnAnIdleSchedulerIsWoken() throws Exception {
        try (Scheduler s = builder("rearm-owner").procs(1).build(); Scheduler other = builder("rearm-user").procs(1).build()) {
            Object[] p = connToSocket(s);
            Conn c = (Conn) p[0];
            try (Socket peer = (Socket) p[1]; c) {
                readTimesOutThenGetsData(s, c, peer, () -> {
                    CompletableFuture<Integer> got = new CompletableFuture<>();
                    other.go(() -> {
                        try {
                            byte[] one = new byte[1];
                            got.complete(c.read(one) == 1 ? one[0] & 0xff : -1);
                        } catch (Throwable e) {
                            got.completeExceptionally(e);
                        }
                    });
                    return got;
                });
            }
        }
    }

    private interface Reader {
        CompletableFuture<Integer> start();
    }

    /**
     * A short read deadline passes (from the test thread); a goroutine of {@code s} runs and ends,
     * so its carrier leaves the poller and goes idle with nobody waiting; then {@code reader}
     * starts a read without a deadline, and the peer sends one byte.
     */
    private static void readTimesOutThenGetsData(Scheduler s, Conn c, Socket peer, Reader reader) throws Exception {
        c.setReadDeadline(Duration.ofMillis(20));
        assertThrows(SocketTimeoutException.class, () -> c.read(new byte[1]));
        c.setReadDeadline(null);
        join(s, s.submit(() -> Gmp.goid())); // takes the carrier out of the poller
        awaitCondition(s, "the scheduler idle", () -> s.stats().idleProcs() == s.procs());
        CompletableFuture<Integer> got = reader.start();
        awaitNetWaiters(s, 1);
        peer.getOutputStream().write(42);
        peer.getOutputStream().flush();
        awaitCondition(s, "the reader woken by the poller for the byte that arrived", got::isDone);
        assertEquals(42, got.join());
    }
}
