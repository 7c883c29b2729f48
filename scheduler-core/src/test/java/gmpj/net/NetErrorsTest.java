package gmpj.net;

import static gmpj.net.NetTests.LIVENESS;
import static gmpj.net.NetTests.LOOPBACK;
import static gmpj.net.NetTests.awaitNetWaiters;
import static gmpj.net.NetTests.builder;
import static gmpj.net.NetTests.join;
import static gmpj.net.NetTests.listen;
import static gmpj.net.NetTests.pair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.PollDesc;
import gmpj.core.Scheduler;
import gmpj.core.Task;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Failures name what failed: the address, the host, the parameter and its value. */
class NetErrorsTest {
    private static final String NO_SUCH_HOST = "no-such-host.invalid"; // .invalid never resolves (RFC 2606)

    private static <T extends Throwable> T assertMessage(Class<T> type, Executable op, String... parts) {
        T e = assertThrows(type, op);
        for (String part : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(part), "\"" + e.getMessage() + "\" should contain \"" + part + "\"");
        }
        return e;
    }

    /** A port nobody listens on: bound by a ServerSocket, then freed. */
    private static int closedPort() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, LOOPBACK)) {
            return ss.getLocalPort();
        }
    }

    @Test
    void dialToAPortNobodyListensOnIsRefusedNamingTheAddress() throws Exception {
        int port = closedPort();
        try (Scheduler s = builder("refused").procs(1).build()) {
            assertMessage(ConnectException.class, () -> Net.dial(s, "127.0.0.1", port, LIVENESS),
                    "dial ", "127.0.0.1:" + port, "connection refused");
            Task<Void> fromGoroutine = s.submit(() -> {
                assertMessage(ConnectException.class, () -> Net.dial("127.0.0.1", port, LIVENESS), "127.0.0.1:" + port,
                        "connection refused");
                return null;
            });
            join(s, fromGoroutine);
            assertEquals(0, s.stats().netpoll().descriptors(), "the failed dials' sockets are closed");
        }
    }

    @Test
    void anUnresolvableHostIsNoSuchHost() throws Exception {
        try (Scheduler s = builder("no-such-host").procs(1).build()) {
            assertMessage(UnknownHostException.class, () -> Net.dial(s, NO_SUCH_HOST, 80, LIVENESS), "no such host", NO_SUCH_HOST);
            assertMessage(UnknownHostException.class, () -> Net.listen(s, NO_SUCH_HOST, 0), "no such host", NO_SUCH_HOST);
            assertMessage(UnknownHostException.class, () -> Net.dial(s, InetSocketAddress.createUnresolved(NO_SUCH_HOST, 80),
                    LIVENESS), "no such host", NO_SUCH_HOST);
            Task<Void> fromGoroutine = s.submit(() -> { // looked up through Gmp.blocking
                assertMessage(UnknownHostException.class, () -> Net.dial(NO_SUCH_HOST, 80, LIVENESS), "no such host", NO_SUCH_HOST);
                return null;
            });
            join(s, fromGoroutine);
        }
    }

    @Test
    void listeningOnAPortInUseIsABindExceptionNamingTheAddress() throws Exception {
        try (Scheduler s = builder("in-use").procs(1).build()) {
            Listener first = listen(s);
            String where = "127.0.0.1:" + first.port();
            assertMessage(BindException.class, () -> Net.listen(s, "127.0.0.1", first.port()), "listen ", where);
            assertMessage(BindException.class, () -> Net.listen(s, new InetSocketAddress(LOOPBACK, first.port()), 16), where);
            assertEquals(1, s.stats().netpoll().descriptors(), "only the first listener is on the poller");
            first.close();
            Net.listen(s, "127.0.0.1", first.port()).close(); // free again
        }
    }

    @Test
    void portsOutsideTheRangeAreRejectedNamingThePortAndTheLimit() throws Exception {
        try (Scheduler s = builder("bad-port").procs(1).build()) {
            for (int port : new int[] {-1, 65536, Integer.MIN_VALUE}) {
                assertMessage(IllegalArgumentException.class, () -> Net.listen(s, "127.0.0.1", port), "port " + port, "0..65535");
                assertMessage(IllegalArgumentException.class, () -> Net.dial(s, "127.0.0.1", port, LIVENESS), "port " + port,
                        "0..65535");
            }
            assertEquals(0, s.stats().netpoll().descriptors());
        }
    }

    @Test
    void badArgumentsNameTheParameter() throws Exception {
        try (Scheduler s = builder("bad-args").procs(1).build()) {
            InetSocketAddress any = new InetSocketAddress(LOOPBACK, 1);
            assertMessage(NullPointerException.class, () -> Net.listen(null, any, 0), "scheduler");
            assertMessage(NullPointerException.class, () -> Net.listen(s, (InetSocketAddress) null, 0), "address");
            assertMessage(NullPointerException.class, () -> Net.dial(null, any, LIVENESS), "scheduler");
            assertMessage(NullPointerException.class, () -> Net.dial(s, (InetSocketAddress) null, LIVENESS), "address");
            assertMessage(NullPointerException.class, () -> Net.dial(s, (String) null, 1, LIVENESS), "host");
            assertMessage(NullPointerException.class, () -> Net.dial(s, "127.0.0.1", 1, null), "timeout");
            assertMessage(NullPointerException.class, () -> Net.dial(s, any, null), "timeout");
            assertMessage(IllegalArgumentException.class, () -> Net.dial(s, any, Duration.ZERO), "timeout", "PT0S", "positive");
            assertMessage(IllegalArgumentException.class, () -> Net.dial(s, any, Duration.ofSeconds(-1)), "timeout", "PT-1S");
            assertMessage(IllegalArgumentException.class, () -> Net.listen(s, any, -1), "backlog", "-1");
            assertMessage(IllegalArgumentException.class, () -> Net.listen(s, InetSocketAddress.createUnresolved("localhost", 0), 0),
                    "unresolved");
            assertMessage(IllegalStateException.class, () -> Net.listen("127.0.0.1", 0), "goroutine");
            assertMessage(IllegalStateException.class, () -> Net.dial("127.0.0.1", 1, LIVENESS), "goroutine");

            Conn[] p = pair(s);
            assertMessage(NullPointerException.class, () -> p[0].read((byte[]) null), "b");
            assertMessage(NullPointerException.class, () -> p[0].read((java.nio.ByteBuffer) null), "dst");
            assertMessage(NullPointerException.class, () -> p[0].write((byte[]) null), "b");
            assertMessage(NullPointerException.class, () -> p[0].write((java.nio.ByteBuffer) null), "src");
            assertThrows(IndexOutOfBoundsException.class, () -> p[0].read(new byte[4], 3, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> p[0].write(new byte[4], -1, 2));
            p[0].close();
            p[1].close();
            assertEquals(0, s.stats().netpoll().descriptors(), "nothing left open by the rejected calls");
        }
    }

    /** One reader and one writer at a time: a second concurrent reader is told so, and the first is unaffected. */
    @Test
    void aSecondConcurrentReaderIsAnIllegalStateException() throws Exception {
        try (Scheduler s = builder("two-readers").procs(2).build()) {
            Conn[] p = pair(s);
            Task<Integer> first = s.submit(() -> p[0].read(new byte[1]));
            awaitNetWaiters(s, 1);
            assertMessage(IllegalStateException.class, () -> p[0].read(new byte[1]), "already waiting", "one waiter per direction");
            p[1].write(new byte[] {1});
            assertEquals(1, join(s, first));
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void pollDescRejectsAnOperationTheChannelDoesNotSupport() throws Exception {
        try (Scheduler s = builder("bad-op").procs(1).build(); SocketChannel ch = SocketChannel.open()) {
            PollDesc pd = PollDesc.open(s, ch);
            assertMessage(IllegalArgumentException.class, () -> pd.await(SelectionKey.OP_ACCEPT), "op " + SelectionKey.OP_ACCEPT);
            assertMessage(IllegalArgumentException.class, () -> pd.await(SelectionKey.OP_READ | SelectionKey.OP_WRITE), "op 5");
            assertMessage(NullPointerException.class, () -> PollDesc.open(null, ch), "scheduler");
            assertMessage(NullPointerException.class, () -> PollDesc.open(s, null), "channel");
            pd.close();
        }
    }
}
