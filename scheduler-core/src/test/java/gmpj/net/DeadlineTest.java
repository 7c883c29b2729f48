package gmpj.net;

import static gmpj.net.NetTests.LIVENESS;
import static gmpj.net.NetTests.LOOPBACK;
import static gmpj.net.NetTests.awaitNetWaiters;
import static gmpj.net.NetTests.builder;
import static gmpj.net.NetTests.join;
import static gmpj.net.NetTests.listen;
import static gmpj.net.NetTests.pair;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Scheduler;
import gmpj.core.Task;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Deadlines as in Go: a read, write or accept still waiting when its deadline passes throws
 * {@link SocketTimeoutException}, and the socket stays usable; a new deadline wakes a waiting
 * operation; zero times out at once; negative is rejected.
 */
class DeadlineTest {
    private static final Duration SHORT = Duration.ofMillis(30);

    private static void assertTimesOut(String what, Executable op) {
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, op, what);
        assertTrue(e.getMessage().contains("deadline exceeded"), e.getMessage());
    }

    /** From a goroutine: the read times out, then, deadline extended, cleared, it reads what comes. */
    @Test
    void readDeadlineFiresAndTheConnectionStaysUsable() throws Exception {
        try (Scheduler s = builder("read-deadline").procs(1).build()) {
            Conn[] p = pair(s);
            Conn c = p[0];
            AtomicBoolean timedOut = new AtomicBoolean();
            Task<String> reader = s.submit(() -> {
                byte[] b = new byte[5];
                c.setReadDeadline(SHORT);
                assertTimesOut("nothing sent", () -> c.read(b));
                assertTimesOut("still past", () -> c.read(b));
                c.setReadDeadline(LIVENESS); // extended: waits for what comes
                timedOut.set(true);
                c.readFully(b);
                String first = new String(b);
                c.setReadDeadline(null); // cleared
                c.readFully(b);
                return first + new String(b);
            });
            awaitTimedOutAndWaiting(s, timedOut);
            p[1].write("hello".getBytes());
            p[1].write("world".getBytes());
            assertEquals("helloworld", join(s, reader));
            p[0].close();
            p[1].close();
        }
    }

    /** The same contract for a plain thread, whose timed wait is not on the scheduler's timers. */
    @Test
    void readDeadlineFiresForAPlainThread() throws Exception {
        try (Scheduler s = builder("read-deadline-thread").procs(1).build()) {
            Conn[] p = pair(s);
            p[0].setReadDeadline(SHORT);
            assertTimesOut("nothing sent", () -> p[0].read(new byte[1]));
            p[0].setReadDeadline(LIVENESS);
            p[1].write(new byte[] {4});
            assertEquals(1, p[0].read(new byte[1]));
            p[0].close();
            p[1].close();
        }
    }

    /**
     * A write into a full socket buffer times out and says how much went out (the ByteBuffer's
     * position agrees); with the deadline cleared and the peer reading, the rest goes out and
     * every byte arrives once, in order.
     */
    @Test
    void writeDeadlineReportsBytesTransferredAndTheWriteCanCarryOn() throws Exception {
        int total = 32 << 20;
        try (Scheduler s = builder("write-deadline").procs(2).build()) {
            Conn[] p = pair(s);
            byte[] data = ConnTest.pattern(total, 3);
            ByteBuffer src = ByteBuffer.wrap(data);
            Task<Integer> timedOut = s.submit(() -> {
                p[0].setWriteDeadline(Duration.ofMillis(200));
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> p[0].write(src),
                        "nobody reads: the buffer fills");
                assertEquals(src.position(), e.bytesTransferred, "bytesTransferred is where the buffer stopped");
                assertTrue(e.getMessage().contains("after " + e.bytesTransferred + " bytes"), e.getMessage());
                return e.bytesTransferred;
            });
            int sent = join(s, timedOut);
            assertTrue(sent > 0 && sent < total, "some but not all of " + total + " bytes went out: " + sent);
            Task<long[]> read = s.submit(() -> ConnTest.readSlowly(p[1], 4 << 20));
            Task<Void> rest = s.submit(() -> {
                p[0].setWriteDeadline(null);
                p[0].write(src);
                p[0].close();
                return null;
            });
            join(s, rest);
            long[] got = join(s, read);
            CRC32 want = new CRC32();
            want.update(data);
            assertEquals(total, got[0], "bytes read");
            assertEquals(want.getValue(), got[1], "CRC32 of the bytes read");
            p[1].close();
        }
    }

    @Test
    void acceptDeadlineFiresAndTheListenerStaysUsable() throws Exception {
        try (Scheduler s = builder("accept-deadline").procs(1).build()) {
            Listener ln = listen(s);
            AtomicBoolean timedOut = new AtomicBoolean();
            Task<Conn> accepted = s.submit(() -> {
                ln.setDeadline(SHORT);
                assertTimesOut("nobody dials", ln::accept);
                ln.setDeadline(null);
                timedOut.set(true);
                return ln.accept();
            });
            awaitTimedOutAndWaiting(s, timedOut);
            assertTrue(!ln.isClosed());
            try (Conn dialled = Net.dial(s, new InetSocketAddress(LOOPBACK, ln.port()), LIVENESS); Conn c = join(s, accepted)) {
                dialled.write(new byte[] {1});
                byte[] one = new byte[1];
                c.setReadDeadline(LIVENESS);
                c.readFully(one);
                assertEquals(1, one[0]);
            }
            ln.close();
        }
    }

    /** Until the goroutine timed out and then waits on the poller again, with its new deadline. */
    private static void awaitTimedOutAndWaiting(Scheduler s, AtomicBoolean timedOut) {
        NetTests.awaitCondition(s, "a timeout, then a wait again", () -> timedOut.get() && s.stats().netpoll().waiters() == 1);
    }

    /** A deadline set while a read waits without one wakes it: the read times out at the new deadline. */
    @Test
    void aDeadlineSetWhileAReadWaitsWakesIt() throws Exception {
        try (Scheduler s = builder("deadline-wakes").procs(1).build()) {
            Conn[] p = pair(s);
            Task<Void> reader = s.submit(() -> {
                assertTimesOut("woken by the new deadline", () -> p[0].read(new byte[1]));
                return null;
            });
            awaitNetWaiters(s, 1);
            p[0].setReadDeadline(SHORT); // from the test thread, while the goroutine is parked
            join(s, reader);
            p[0].close();
            p[1].close();
        }
    }

    /** The same for a plain thread blocked in write on a full buffer, and for an accept: both woken by a zero deadline. */
    @Test
    void aZeroDeadlineSetWhileWaitingEndsTheWaitAtOnce() throws Exception {
        try (Scheduler s = builder("deadline-zero-waiting").procs(1).build()) {
            Conn[] p = pair(s);
            CompletableFuture<SocketTimeoutException> write = new CompletableFuture<>();
            Thread writer = new Thread(() -> {
                try {
                    p[0].write(new byte[32 << 20]);
                    write.complete(null);
                } catch (SocketTimeoutException e) {
                    write.complete(e);
                } catch (Throwable e) {
                    write.completeExceptionally(e);
                }
            }, "plain-writer");
            writer.start();
            awaitNetWaiters(s, 1);
            p[0].setWriteDeadline(Duration.ZERO);
            join(writer);
            SocketTimeoutException e = write.join();
            assertTrue(e != null && e.bytesTransferred > 0, "the write timed out after some bytes: " + e);

            Listener ln = listen(s);
            Task<Void> accept = s.submit(() -> {
                assertTimesOut("woken by the zero deadline", ln::accept);
                return null;
            });
            awaitNetWaiters(s, 1);
            ln.setDeadline(Duration.ZERO);
            join(s, accept);
            ln.close();
            p[0].close();
            p[1].close();
        }
    }

    /**
     * A zero deadline times out at once: even with bytes waiting to be read, and without arming
     * a wait on the poller; the bytes are still there once the deadline is cleared.
     */
    @Test
    void aZeroDeadlineTimesOutAtOnceEvenWithBytesWaiting() throws Exception {
        try (Scheduler s = builder("deadline-zero").procs(1).build()) {
            Conn[] p = pair(s);
            p[1].write("ready".getBytes());
            long registrations = s.stats().netpoll().registrations();
            p[0].setReadDeadline(Duration.ZERO);
            assertTimesOut("zero read deadline", () -> p[0].read(new byte[5]));
            p[0].setWriteDeadline(Duration.ZERO);
            assertTimesOut("zero write deadline", () -> p[0].write(new byte[1]));
            p[0].setDeadline(Duration.ZERO);
            assertTimesOut("zero deadline, ByteBuffer read", () -> p[0].read(ByteBuffer.allocate(1)));
            assertEquals(registrations, s.stats().netpoll().registrations(), "no wait was armed");
            p[0].setDeadline(null);
            byte[] b = new byte[5];
            p[0].readFully(b);
            assertArrayEquals("ready".getBytes(), b);
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aNegativeDeadlineIsRejectedNamingTheParameter() throws Exception {
        try (Scheduler s = builder("deadline-negative").procs(1).build()) {
            Conn[] p = pair(s);
            Listener ln = listen(s);
            Duration minus = Duration.ofMillis(-1);
            for (Executable set : new Executable[] {() -> p[0].setDeadline(minus), () -> p[0].setReadDeadline(minus),
                    () -> p[0].setWriteDeadline(minus), () -> ln.setDeadline(minus)}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, set);
                assertTrue(e.getMessage().contains("fromNow") && e.getMessage().contains(minus.toString()), e.getMessage());
            }
            p[1].write(new byte[] {2});
            p[0].setReadDeadline(LIVENESS);
            assertEquals(1, p[0].read(new byte[1]), "the rejected deadline changed nothing");
            ln.close();
            p[0].close();
            p[1].close();
        }
    }

    /** Many goroutines time out together, each on its own connection, and all are still usable. */
    @Test
    void manyReadsTimeOutTogetherOnTheSchedulersTimers() throws Exception {
        int n = 200;
        try (Scheduler s = builder("deadline-many").procs(2).build()) {
            Conn[][] pairs = new Conn[n][];
            for (int i = 0; i < n; i++) {
                pairs[i] = pair(s);
            }
            @SuppressWarnings("unchecked")
            Task<Integer>[] readers = new Task[n];
            AtomicInteger timedOut = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                Conn c = pairs[i][0];
                readers[i] = s.submit(() -> {
                    c.setReadDeadline(Duration.ofMillis(50));
                    assertTimesOut("nothing sent", () -> c.read(new byte[1]));
                    c.setReadDeadline(LIVENESS);
                    timedOut.incrementAndGet();
                    byte[] one = new byte[1];
                    c.readFully(one);
                    return (int) one[0];
                });
            }
            NetTests.awaitCondition(s, "every read timed out once, and waits again", () -> timedOut.get() == n
                    && s.stats().netpoll().waiters() == n);
            for (int i = 0; i < n; i++) {
                pairs[i][1].write(new byte[] {(byte) i});
            }
            for (int i = 0; i < n; i++) {
                assertEquals((byte) i, (byte) (int) join(s, readers[i]));
                pairs[i][0].close();
                pairs[i][1].close();
            }
        }
    }
}
