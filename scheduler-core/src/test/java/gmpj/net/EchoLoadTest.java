package gmpj.net;

import static gmpj.net.NetTests.LIVENESS;
import static gmpj.net.NetTests.LOOPBACK;
import static gmpj.net.NetTests.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.SchedulerStats;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * Ten thousand echo connections open at once on one scheduler (both ends in this JVM, so twice as
 * many descriptors; fewer connections if the descriptor limit does not allow that many), served by
 * {@code procs} carriers plus the few spares that hand-offs may start.
 *
 * <p>The protocol puts TIME_WAIT on the server's side, whose listening port is new on every run:
 * a client sends a 4-byte length and its bytes; the server echoes them and closes first; the client
 * reads its echo and the end of the stream, then closes. So repeated runs do not pile TIME_WAIT
 * sockets onto the ephemeral ports the clients dial from.
 */
class EchoLoadTest {
    /** The connections wanted: Go's classic "10k connections" load. */
    private static final int WANTED = 10_000;
    /**
     * Descriptors left free besides those open when the test starts: the poller's selector, the
     * listener, class files opened while classes load, whatever the JVM opens meanwhile.
     */
    private static final int HEADROOM = 500;
    /**
     * Carriers beyond {@code procs} the scheduler may start. Every wait for a socket parks its
     * goroutine and frees the carrier, and goroutines never wait on NIO's selector monitors (only
     * the poller takes them). What remains are sysmon's hand-offs of a goroutine that looks stuck
     * on a loaded machine: the acceptor that finds thousands of connections queued accepts them
     * without parking and may run past two time slices (a hog, handed off), and a class being
     * loaded by another carrier blocks a carrier for a moment. Each starts a spare only when no
     * spare is idle. Seen: 0 to 2 on a quiet machine. The bound leaves room for a loaded one and
     * stays three orders of magnitude below a thread per waiting connection.
     */
    private static final int SPARE_CARRIERS = 16;

    /**
     * A gate goroutines wait at until it opens (a one-shot WaitGroup.Wait): each waiter queues
     * itself and then reads {@link #open}; the opener writes {@link #open} and then drains the
     * queue. Both are sequentially consistent (a volatile field, a lock-free queue), so a waiter
     * either sees the gate open or is found in the queue and unparked.
     */
    private static final class Gate {
        private volatile boolean open;
        private final Queue<Waiter> waiting = new ConcurrentLinkedQueue<>();

        void await() {
            waiting.add(Parking.currentWaiter());
            while (!open) {
                Parking.park(WaitReason.PARK);
            }
        }

        void open() {
            open = true;
            for (Waiter w; (w = waiting.poll()) != null; ) {
                w.unpark();
            }
        }
    }

    /** Connection {@code id}'s bytes: its id first, then bytes drawn from a generator seeded with it. */
    static byte[] message(int id) {
        SplittableRandom r = new SplittableRandom(id);
        byte[] b = new byte[8 + r.nextInt(1017)];
        r.nextBytes(b);
        ByteBuffer.wrap(b).putInt(id);
        return b;
    }

    /** How many connections this process can hold open at once, both ends counted, keeping {@link #HEADROOM} spare. */
    private static int connectionsAllowed(StringBuilder why) {
        long max = Long.MAX_VALUE;
        long open = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            max = u.getMaxFileDescriptorCount();
            open = u.getOpenFileDescriptorCount();
        }
        long allowed = Math.max(0, (max - open - HEADROOM) / 2);
        int n = (int) Math.min(WANTED, allowed);
        why.append("file descriptor limit ").append(max).append(", ").append(open).append(" open, ").append(HEADROOM)
                .append(" kept spare, 2 per connection");
        return n;
    }

    /**
     * The kernel's cap on a listen backlog (somaxconn), or Linux's old default where it cannot be
     * read. Read by lines: {@code Files.readString} takes only the first byte of this procfs file.
     */
    private static int somaxconn() {
        try {
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).getFirst().trim());
        } catch (IOException | RuntimeException e) {
            return 128;
        }
    }

    @Test
    void tenThousandConnectionsOpenAtOnceEachGetsExactlyItsOwnBytesBack() throws Exception {
        StringBuilder why = new StringBuilder();
        int n = connectionsAllowed(why);
        System.out.println("EchoLoadTest: " + n + " connections (" + why + ")"
                + (n < WANTED ? ": scaled down from " + WANTED + " to what the descriptor limit allows" : ""));
        assertTrue(n >= 1_000, "the descriptor limit leaves room for only " + n + " connections (" + why + ")");
        int backlog = Math.min(n, somaxconn());
        // Dials made but not yet accepted stay under half the backlog the kernel grants, so no SYN is
        // dropped (a dropped SYN is retried after a second: slow, not wrong).
        int inFlight = Math.max(64, Math.min(1024, backlog / 2));

        Queue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger serverOpen = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        AtomicInteger dialled = new AtomicInteger();
        AtomicInteger failedBeforeGate = new AtomicInteger();
        AtomicInteger echoed = new AtomicInteger();
        AtomicInteger clientsDone = new AtomicInteger();
        Gate gate = new Gate();
        int[] peakThreads = {0};

        try (Scheduler s = builder("echo-load").procs(2).build()) {
            int procs = s.procs();
            Listener ln = Net.listen(s, new InetSocketAddress(LOOPBACK, 0), backlog);
            s.go("acceptor", () -> {
                for (;;) {
                    Conn c;
                    try {
                        c = ln.accept();
                    } catch (SocketException closed) {
                        return;
                    } catch (IOException e) {
                        errors.add("accept: " + e);
                        return;
                    }
                    accepted.incrementAndGet();
                    serverOpen.incrementAndGet();
                    s.go(() -> serve(c, served, serverOpen, errors));
                }
            });
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, ln.port());
            for (int i = 0; i < n; i++) {
                int id = i;
                // Keep the dials not yet accepted within the backlog (bounded: the acceptor must move).
                awaitMoving("the acceptor to keep up (dials in flight: " + inFlight + ")", accepted::get,
                        () -> id - accepted.get() - failedBeforeGate.get() < inFlight, s, peakThreads);
                s.go(() -> client(s, to, id, gate, dialled, failedBeforeGate, echoed, clientsDone, errors));
            }
            awaitMoving("every client connected and every connection accepted",
                    () -> dialled.get() + failedBeforeGate.get() + accepted.get(),
                    () -> dialled.get() + failedBeforeGate.get() == n && accepted.get() == dialled.get(), s, peakThreads);
            SchedulerStats atPeak = s.stats();
            int openAtOnce = serverOpen.get();
            gate.open();
            awaitMoving("every client done", clientsDone::get, () -> clientsDone.get() == n, s, peakThreads);
            awaitMoving("every server connection closed", served::get, () -> served.get() == accepted.get(), s, peakThreads);
            ln.close();
            SchedulerStats end = s.stats();
            System.out.println("EchoLoadTest: " + n + " open at once; carriers started " + end.carriersStarted()
                    + ", most alive at once " + peakThreads[0] + "\n" + end);

            if (!errors.isEmpty()) {
                fail(errors.size() + " connection(s) failed, for instance " + errors.stream().limit(5).toList());
            }
            assertEquals(n, dialled.get(), "clients connected");
            assertEquals(n, openAtOnce, "server connections open at once, before any client sent a byte");
            assertEquals(2 * n + 1, atPeak.netpoll().descriptors(), "sockets on the poller at the peak (both ends of each "
                    + "connection, and the listener): " + atPeak.netpoll());
            assertEquals(n, echoed.get(), "clients that got exactly their own bytes back, then the end of the stream");
            assertEquals(n, served.get(), "server connections served and closed");
            int bound = procs + SPARE_CARRIERS;
            assertTrue(end.carriersStarted() <= bound && peakThreads[0] <= bound, "carriers started " + end.carriersStarted()
                    + ", alive at most " + peakThreads[0] + ": more than procs (" + procs + ") + " + SPARE_CARRIERS
                    + " for " + n + " connections\n" + end);
        }
    }

    /** Server side: reads a length and that many bytes, echoes them, closes first. */
    private static void serve(Conn c, AtomicInteger served, AtomicInteger serverOpen, Queue<String> errors) {
        try (c) {
            byte[] len = new byte[4];
            c.readFully(len);
            byte[] body = new byte[ByteBuffer.wrap(len).getInt()];
            c.readFully(body);
            c.write(body);
        } catch (IOException | RuntimeException e) {
            errors.add("server " + c + ": " + e);
        } finally {
            serverOpen.decrementAndGet();
            served.incrementAndGet();
        }
    }

    /** Client {@code id}: dials, waits at the gate until every connection is open, then sends its bytes and checks the echo. */
    private static void client(Scheduler s, InetSocketAddress to, int id, Gate gate, AtomicInteger dialled,
                               AtomicInteger failedBeforeGate, AtomicInteger echoed, AtomicInteger done, Queue<String> errors) {
        Conn c;
        try {
            c = Net.dial(s, to, LIVENESS);
        } catch (IOException | RuntimeException e) {
            errors.add("client " + id + " dial: " + e);
            failedBeforeGate.incrementAndGet();
            done.incrementAndGet();
            return;
        }
        dialled.incrementAndGet();
        try (c) {
            gate.await();
            c.setDeadline(LIVENESS); // a lost wake-up fails this connection instead of hanging the test
            byte[] msg = message(id);
            ByteBuffer out = ByteBuffer.allocate(4 + msg.length).putInt(msg.length).put(msg).flip();
            c.write(out);
            byte[] back = new byte[msg.length];
            c.readFully(back);
            int eof = c.read(new byte[1]);
            if (!Arrays.equals(msg, back)) {
                errors.add("client " + id + " got bytes that are not its own (first int " + ByteBuffer.wrap(back).getInt() + ")");
            } else if (eof != -1) {
                errors.add("client " + id + " read " + eof + " more byte(s) after its echo instead of the end of the stream");
            } else {
                echoed.incrementAndGet();
            }
        } catch (IOException | RuntimeException e) {
            errors.add("client " + id + ": " + e);
        } finally {
            done.incrementAndGet();
        }
    }

    /**
     * Waits until {@code finished}, failing only if {@code progress} stands still for
     * {@link NetTests#LIVENESS}; samples the live carrier count meanwhile.
     */
    private static void awaitMoving(String what, IntSupplier progress, java.util.function.BooleanSupplier finished, Scheduler s,
                                    int[] peakThreads) {
        int last = progress.getAsInt();
        long stillSince = System.nanoTime();
        for (;;) {
            if (finished.getAsBoolean()) {
                return;
            }
            peakThreads[0] = Math.max(peakThreads[0], s.stats().threads());
            int now = progress.getAsInt();
            if (now != last) {
                last = now;
                stillSince = System.nanoTime();
            } else if (System.nanoTime() - stillSince > LIVENESS.toNanos()) {
                fail(what + ": no progress for " + LIVENESS + " (stuck at " + now + ")\n" + s.stats());
            }
            LockSupport.parkNanos(200_000);
        }
    }
}
