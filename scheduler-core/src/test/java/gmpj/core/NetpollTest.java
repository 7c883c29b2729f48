package gmpj.core;

import static gmpj.core.TestSupport.LIVENESS;
import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.net.Conn;
import gmpj.net.Listener;
import gmpj.net.Net;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The network poller inside the runtime: the deadlock detector, dumps, counters, closing the
 * scheduler, sysmon's poll, the one blocking poller's hand-over, and interrupts of the carriers.
 */
class NetpollTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration GRACE = Duration.ofMillis(100);

    /** A connection watched by {@code s} and its peer, a plain blocking socket no poller knows of. */
    private record Ends(Conn conn, Socket peer) implements AutoCloseable {
        static Ends open(Scheduler s) throws IOException {
            try (ServerSocket ss = new ServerSocket(0, 1, LOOPBACK)) {
                Conn c = Net.dial(s, new InetSocketAddress(LOOPBACK, ss.getLocalPort()), LIVENESS);
                Socket peer = ss.accept();
                peer.setSoTimeout((int) LIVENESS.toMillis());
                return new Ends(c, peer);
            }
        }

        void send(int b) throws IOException {
            peer.getOutputStream().write(b);
            peer.getOutputStream().flush();
        }

        @Override
        public void close() throws IOException {
            conn.close();
            peer.close();
        }
    }

    /** Goroutine code: one byte from {@code c}, or -1 at its end. */
    private static int readByte(Conn c) throws IOException {
        byte[] one = new byte[1];
        return c.read(one) == 1 ? one[0] & 0xff : -1;
    }

    private static void awaitWaiters(Scheduler s, int n) {
        awaitCondition(s, n + " waiter(s) on the poller", () -> s.stats().netpoll().waiters() == n);
    }

    // ------------------------------------------------------------------ deadlock detector, dump, counters

    /**
     * A goroutine waiting for bytes is not asleep for good: the network may wake it. Its scheduler,
     * idle otherwise, must not be reported as deadlocked however long the wait (here, until the
     * goroutine has waited three graces by the scheduler's own clock).
     */
    @Test
    void aGoroutineWaitingInIoIsNoDeadlock() throws Exception {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = builder("io-no-deadlock").procs(1).deadlockGrace(GRACE).diagnostics(diag::add).build();
             Ends e = Ends.open(s)) {
            Task<Integer> reader = s.submit("reader", () -> readByte(e.conn()));
            awaitWaiters(s, 1);
            awaitCondition(s, "the reader waiting for 3 graces", () -> s.goroutines().stream()
                    .anyMatch(i -> i.waiting() != null && i.waiting().compareTo(GRACE.multipliedBy(3)) >= 0));
            assertEquals(0, s.stats().deadlocks(), describe(s) + "\n" + diag);
            assertTrue(diag.stream().noneMatch(l -> l.contains("deadlock")), diag.toString());
            e.send(9);
            assertEquals(9, join(s, reader));
        }
    }

    @Test
    void dumpShowsAGoroutineWaitingInIoAsIoWait() throws Exception {
        try (Scheduler s = builder("io-dump").procs(1).build(); Ends e = Ends.open(s)) {
            Task<Integer> reader = s.submit("reader", () -> readByte(e.conn()));
            awaitWaiters(s, 1);
            awaitCondition(s, "the reader parked", () -> s.goroutines().stream().anyMatch(i -> i.waitReason() == WaitReason.IO));
            String dump = s.dump();
            assertTrue(dump.contains("\"reader\" [IO wait"), dump);
            assertTrue(dump.contains("readByte"), "the goroutine's own frames: " + dump);
            e.send(1);
            join(s, reader);
        }
    }

    @Test
    void netpollCountersFollowSocketsWaitersAndPolls() throws Exception {
        try (Scheduler s = builder("io-counters").procs(1).build()) {
            assertEquals(SchedulerStats.NetpollStats.NONE, s.stats().netpoll(), "no socket yet: no poller");
            assertFalse(s.stats().traceLine().contains("netpoll="), s.stats().traceLine());
            try (Ends e = Ends.open(s)) {
                SchedulerStats.NetpollStats before = s.stats().netpoll();
                assertEquals(1, before.descriptors(), before.toString());
                assertEquals(0, before.waiters(), before.toString());
                Task<Integer> reader = s.submit(() -> readByte(e.conn()));
                awaitWaiters(s, 1);
                assertTrue(s.stats().traceLine().contains("netpoll=1/1"), s.stats().traceLine());
                e.send(3);
                assertEquals(3, join(s, reader));
                SchedulerStats.NetpollStats after = s.stats().netpoll();
                assertEquals(0, after.waiters(), after.toString());
                assertTrue(after.registrations() > before.registrations(), before + " -> " + after);
                assertTrue(after.polls() > before.polls(), before + " -> " + after);
                assertTrue(after.readied() > before.readied(), before + " -> " + after);
            }
            awaitCondition(s, "the closed socket off the poller", () -> s.stats().netpoll().descriptors() == 0);
        }
    }

    // ------------------------------------------------------------------ closing the scheduler

    /** A plain thread blocked reading a socket of a scheduler that closes gets "use of closed network connection". */
    @Test
    void closingTheSchedulerClosesItsSocketsAndWakesAThreadBlockedInRead() throws Exception {
        Scheduler s = builder("io-close").procs(1).build();
        try (Ends e = Ends.open(s)) {
            Listener ln = Net.listen(s, new InetSocketAddress(LOOPBACK, 0), 0);
            CompletableFuture<Integer> read = readOnThread(e.conn());
            awaitWaiters(s, 1);
            s.close();
            assertClosedWhileReading(read);
            assertTrue(e.conn().isClosed());
            assertTrue(ln.isClosed());
            assertEquals(-1, e.peer().getInputStream().read(), "the peer reads the end of the stream");
            assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, ln.port()).close(), "the port is free");
            IllegalStateException ise = assertThrows(IllegalStateException.class,
                    () -> Net.listen(s, new InetSocketAddress(LOOPBACK, 0), 0));
            assertTrue(ise.getMessage().contains("terminated"), ise.getMessage());
        }
    }

    /** A close that gives up on a goroutine stuck in read closes every socket too. */
    @Test
    void aCloseThatGivesUpClosesTheSocketsOfItsAbandonedGoroutines() throws Exception {
        Scheduler s = builder("io-close-timeout").procs(1).diagnostics(l -> { }).build();
        try (Ends stuck = Ends.open(s); Ends other = Ends.open(s)) {
            s.go("stuck", () -> {
                try {
                    readByte(stuck.conn());
                } catch (IOException ignored) {
                    // it never runs again: the close below abandons it
                }
            });
            CompletableFuture<Integer> read = readOnThread(other.conn());
            awaitWaiters(s, 2);
            CloseTimeoutException e = assertThrows(CloseTimeoutException.class, () -> s.close(Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("IO wait"), e.getMessage());
            assertClosedWhileReading(read);
            assertTrue(stuck.conn().isClosed(), "the abandoned goroutine's socket");
            assertEquals(-1, stuck.peer().getInputStream().read(), "its peer reads the end of the stream");
        }
    }

    @Test
    void shutdownNowClosesTheSockets() throws Exception {
        Scheduler s = builder("io-shutdown-now").procs(1).build();
        try (Ends g = Ends.open(s); Ends t = Ends.open(s)) {
            s.go(() -> {
                try {
                    readByte(g.conn());
                } catch (IOException ignored) {
                    // abandoned
                }
            });
            CompletableFuture<Integer> read = readOnThread(t.conn());
            awaitWaiters(s, 2);
            s.shutdownNow();
            assertClosedWhileReading(read);
            assertTrue(g.conn().isClosed());
            assertTrue(s.isTerminated());
        }
    }

    private static CompletableFuture<Integer> readOnThread(Conn c) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(readByte(c));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "plain-reader");
        t.setDaemon(true);
        t.start();
        return f;
    }

    private static void assertClosedWhileReading(CompletableFuture<Integer> read) {
        awaitCondition(read::isDone, LIVENESS, () -> "the plain thread still blocked in read");
        Throwable e = assertThrows(Throwable.class, read::join).getCause();
        assertInstanceOf(SocketException.class, e);
        assertTrue(e.getMessage().contains("use of closed network connection"), e.getMessage());
    }

    // ------------------------------------------------------------------ who polls

    /**
     * One processor, kept busy for good by two goroutines that yield to each other: the run queue
     * never drains, so the run loop never reaches its own network poll, and no carrier is idle to
     * block in the poller (nor may a spare carrier start: maxThreads 1, so no hand-off brings a
     * second run loop). A goroutine waiting for bytes must still get them: sysmon polls when
     * nobody has for 10 ms.
     */
    @Test
    void sysmonPollsForAProcessorThatNeverRunsOutOfWork() throws Exception {
        try (Scheduler s = builder("io-sysmon").procs(1).maxThreads(1).build(); Ends e = Ends.open(s)) {
            Task<Integer> reader = s.submit("reader", () -> readByte(e.conn()));
            awaitWaiters(s, 1);
            AtomicBoolean done = new AtomicBoolean();
            AtomicBoolean gaveUp = new AtomicBoolean();
            AtomicLong spins = new AtomicLong();
            long giveUp = System.nanoTime() + LIVENESS.multipliedBy(2).toNanos(); // after the wait below has failed
            for (int i = 0; i < 2; i++) {
                s.go("yielder-" + i, () -> {
                    while (!done.get()) {
                        if (System.nanoTime() - giveUp > 0) {
                            gaveUp.set(true); // the queue drains from here on: the run loop polls again
                            return;
                        }
                        spins.incrementAndGet();
                        Gmp.yield();
                    }
                });
            }
            long seen = spins.get();
            awaitCondition(s, "the yielders running", () -> spins.get() > seen + 1000);
            long pollsBefore = s.stats().netpoll().polls();
            e.send(5);
            try {
                awaitCondition(s, "the reader readied while its processor never ran out of work", reader::isDone);
                assertFalse(gaveUp.get(), "the yielders ran all along");
            } finally {
                done.set(true);
            }
            assertEquals(5, join(s, reader));
            assertTrue(s.stats().netpoll().polls() > pollsBefore, s.stats().netpoll().toString());
        }
    }

    /**
     * A carrier going idle finds the selector taken by a non-blocking poll (sysmon's, a close's
     * flush, another carrier's run loop) and parks. That poll ends without staying in the
     * selector; if nobody took over the blocking poll, nobody would poll again: every processor
     * idle, sysmon asleep. Driven by hand: the test holds the poller's lock as such a poll does,
     * lets the only carrier go idle, then releases it the way every poll does.
     */
    @Test
    void aCarrierThatFoundTheSelectorBusyPollsOnceTheNonBlockingPollEnds() throws Throwable {
        try (Scheduler s = builder("io-busy").procs(1).build()) {
            Pipe pipe = Pipe.open();
            PollDesc pd = PollDesc.open(s, pipe.source());
            Netpoll np = s.netpoll;
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Netpoll.class, MethodHandles.lookup());
            VarHandle busy = l.findVarHandle(Netpoll.class, "busy", int.class);
            MethodHandle freeBusy = l.findVirtual(Netpoll.class, "freeBusy", MethodType.methodType(void.class));
            awaitCondition(s, "the scheduler idle", () -> s.stats().idleProcs() == 1);
            awaitCondition(s, "the selector free", () -> busy.compareAndSet(np, 0, 1)); // a non-blocking poll begins
            long blockingBefore = s.stats().netpoll().blockingPolls();
            Task<Integer> reader = s.submit("reader", () -> {
                ByteBuffer b = ByteBuffer.allocate(1);
                while (pipe.source().read(b) == 0) {
                    pd.await(SelectionKey.OP_READ);
                }
                return (int) b.get(0);
            });
            awaitWaiters(s, 1);
            awaitCondition(s, "the carrier idle, parked", () -> s.stats().idleProcs() == 1
                    && s.carrierStates().getFirst() == Thread.State.WAITING);
            assertEquals(blockingBefore, s.stats().netpoll().blockingPolls(), "the selector was busy: no blocking poll");
            freeBusy.invoke(np); // the poll ends
            pipe.sink().write(ByteBuffer.wrap(new byte[] {77}));
            awaitCondition(s, "the reader readied: somebody polled after the busy poll ended", reader::isDone);
            assertEquals(77, join(s, reader));
            pd.close();
            pipe.sink().close();
        }
    }

    /**
     * A closed channel keeps its descriptor (here a listening port) until a select drops its key.
     * A close that finds the selector taken by a poll in progress must not return before that:
     * the port would still accept connections, and a new listener could not bind it. Driven by
     * hand: the test holds the poller's lock as a poll does while another thread closes.
     */
    @Test
    void aCloseReturnsOnlyOnceItsDescriptorIsClosedEvenWithAPollInProgress() throws Throwable {
        try (Scheduler s = builder("io-close-flush").procs(1).build()) {
            java.nio.channels.ServerSocketChannel ch = java.nio.channels.ServerSocketChannel.open();
            ch.bind(new InetSocketAddress(LOOPBACK, 0));
            int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            PollDesc pd = PollDesc.open(s, ch);
            Netpoll np = s.netpoll;
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Netpoll.class, MethodHandles.lookup());
            VarHandle busy = l.findVarHandle(Netpoll.class, "busy", int.class);
            MethodHandle freeBusy = l.findVirtual(Netpoll.class, "freeBusy", MethodType.methodType(void.class));
            awaitCondition(s, "the selector free", () -> busy.compareAndSet(np, 0, 1)); // a poll begins
            CompletableFuture<Void> closed = new CompletableFuture<>();
            Thread closer = new Thread(() -> {
                try {
                    pd.close();
                    closed.complete(null);
                } catch (Throwable e) {
                    closed.completeExceptionally(e);
                }
            }, "closer");
            closer.start();
            awaitCondition(() -> closed.isDone() || java.util.Arrays.stream(closer.getStackTrace())
                    .anyMatch(f -> f.getMethodName().equals("flush")), LIVENESS, () -> "the close neither returned nor waits");
            if (closed.isDone()) {
                closed.join();
                assertFalse(ch.isRegistered(), "close returned with its key still registered: the port is still open");
            }
            freeBusy.invoke(np); // the poll ends
            closer.join(LIVENESS.toMillis());
            closed.join();
            assertFalse(ch.isRegistered());
            assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, port).close(), "the port is free");
        }
    }

    // ------------------------------------------------------------------ interrupts

    @Test
    void interruptedIdleCarriersDoNotSpinInThePoller() throws Exception {
        interruptIdleCarriers(false);
    }

    /** The same with a timer pending, so the poller is the timekeeper and polls with a timeout. */
    @Test
    void interruptedIdleCarriersDoNotSpinInThePollerWhileKeepingTime() throws Exception {
        interruptIdleCarriers(true);
    }

    /**
     * Interrupts every carrier of an idle scheduler whose one goroutine waits in read (and, if
     * {@code timer}, another sleeps for an hour). An interrupted thread's select returns at once
     * for as long as its flag stays set, so a carrier that kept the flag would poll in a loop:
     * hundreds of thousands of polls a second. Counted over a second after the interrupts, the
     * polls must stay few.
     */
    private static void interruptIdleCarriers(boolean timer) throws Exception {
        try (Scheduler s = builder("io-intr").procs(2).build(); Ends e = Ends.open(s)) {
            Task<Integer> reader = s.submit("reader", () -> readByte(e.conn()));
            AtomicReference<Waiter> sleeper = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            if (timer) {
                s.go("sleeper", () -> {
                    sleeper.set(Parking.currentWaiter());
                    while (!released.get()) {
                        Parking.parkNanos(WaitReason.SLEEP, Duration.ofHours(1).toNanos());
                    }
                });
                awaitCondition(s, "a timer armed", () -> s.stats().timers() == 1);
            }
            awaitWaiters(s, 1);
            awaitCondition(s, "both carriers idle", () -> s.stats().idleProcs() == 2);
            List<Thread> carriers = TestSupport.liveThreadsNamed(s.name() + "-m");
            assertEquals(2, carriers.size(), carriers.toString());
            long before = s.stats().netpoll().polls();
            for (int round = 0; round < 5; round++) {
                for (Thread t : carriers) {
                    t.interrupt();
                }
            }
            Thread.sleep(1000); // the window the polls are counted over, not a wait for a condition
            long polls = s.stats().netpoll().polls() - before;
            assertTrue(polls < 1_000, polls + " polls in a second after the interrupts: a carrier kept its flag and spins\n"
                    + describe(s));
            for (Thread t : carriers) {
                awaitCondition(s, t.getName() + " cleared its interrupt flag", () -> !t.isInterrupted());
            }
            e.send(8);
            assertEquals(8, join(s, reader), "the poller still works");
            released.set(true);
            if (sleeper.get() != null) {
                sleeper.get().unpark();
            }
        }
    }
}
