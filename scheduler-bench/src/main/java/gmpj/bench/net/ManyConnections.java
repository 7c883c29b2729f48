package gmpj.bench.net;

import com.sun.management.UnixOperatingSystemMXBean;
import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.SchedulerStats;
import gmpj.core.Task;
import gmpj.net.Conn;
import gmpj.net.Listener;
import gmpj.net.Net;
import gmpj.sync.Semaphore;
import gmpj.sync.WaitGroup;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * An echo server and thousands of client goroutines on loopback, every connection open at once,
 * all on one scheduler: the tour's network section. In Go a server gives each connection a
 * goroutine that simply blocks in {@code read}, and the runtime's poller readies it when bytes
 * arrive; so does gmpj, and the whole crowd runs on {@code procs} carriers where a thread per
 * connection would take {@code 2 x connections} threads (a client's and a server's for each).
 *
 * <p>The server is a goroutine that accepts, and a goroutine per accepted connection that reads
 * one {@value #MESSAGE}-byte message, writes it back and closes. Each client goroutine dials (at
 * most {@value #BACKLOG} of them ahead of the acceptor), then waits at a gate (a {@link WaitGroup}) until every client has dialled and every server
 * goroutine is parked in its read, so that all the connections are open at once; then it sends
 * {@value #MESSAGE} bytes of its own (its number, and bytes made from it), reads them back and
 * reads on to the end of the stream.
 *
 * <h2>Descriptors and ports</h2>
 * Both ends of a loopback connection are descriptors of this one process, so {@code n}
 * connections take {@code 2n + 1} descriptors with the listener. {@link Descriptors#connections()}
 * sizes the crowd to fit the process's limit, with {@value #DESCRIPTOR_HEADROOM} to spare for what
 * the JVM itself opens meanwhile (jars, the selector's own descriptors), and at most
 * {@value #MAX_CONNECTIONS}: thousands, set up and torn down within a second or so, and far from the
 * 28,000 ephemeral ports of a usual Linux range.
 *
 * <p>The server closes each connection first: the side that closes first keeps the connection in
 * {@code TIME_WAIT} for a minute, and here that is the server's side, whose local port is the
 * listener's, new at every run. The clients' ends close after the server's and go straight to
 * {@code CLOSED}, so their ephemeral ports are free again at once and a run repeated right away
 * finds them all.
 *
 * <p>Every wait is bounded by the {@code limit} given to {@link #run}: reads, writes, dials and
 * accepts have deadlines, the gate a timeout, and a goroutine that does not finish in time is
 * reported as a failure.
 */
public final class ManyConnections {
    /** The most connections a run opens. */
    public static final int MAX_CONNECTIONS = 5000;
    /** Descriptors left free beyond the crowd's, for what the JVM opens meanwhile. */
    public static final int DESCRIPTOR_HEADROOM = 500;
    /** Connections opened where the JVM cannot tell the descriptor limit (not a Unix). */
    public static final int CONNECTIONS_WITHOUT_LIMIT = 1000;
    /**
     * The listener's backlog, and how many clients may dial ahead of the acceptor. The backlog
     * holds the connections the kernel has set up and nobody has accepted yet; when it is full
     * the kernel drops the next SYN and the client tries again only a second later. Linux caps it
     * at {@code net.core.somaxconn} (4,096 since 5.4, 128 before), so the clients take a slot of
     * this many before they dial, and the acceptor gives one back for each connection it accepts.
     */
    public static final int BACKLOG = 128;
    /** Bytes each client sends and gets back. */
    public static final int MESSAGE = 64;
    /**
     * Carriers allowed beyond {@code procs}, from the first dial to the last close: none are
     * needed. Goroutines never wait on the NIO selector's monitors (only the poller changes
     * interest sets, and a close closes its channel while it holds the selector), so sysmon has no
     * blocked carrier to hand a processor away from; the few allowed cover a goroutine it finds
     * waiting for something else of the JDK's (a class being loaded by another carrier).
     */
    public static final int EXTRA_CARRIERS = 4;

    private ManyConnections() {}

    /**
     * This process's descriptor limit and how many descriptors it has open.
     *
     * @param limit the most descriptors the process may have open ({@code ulimit -n}), or -1 if unknown
     * @param open  how many it has open now, or -1 if unknown
     */
    public record Descriptors(long limit, long open) {
        /** This process's, from the JVM's {@link UnixOperatingSystemMXBean}; -1 and -1 where there is none. */
        public static Descriptors ofThisProcess() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
                return new Descriptors(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
            }
            return new Descriptors(-1, -1);
        }

        /** Whether the limit is known. */
        public boolean known() {
            return limit >= 0 && open >= 0;
        }

        /**
         * How many connections fit: {@code min(MAX_CONNECTIONS, (limit - open - DESCRIPTOR_HEADROOM) / 2)},
         * two descriptors each, or {@link #CONNECTIONS_WITHOUT_LIMIT} where the limit is unknown; 0
         * if none fit.
         */
        public int connections() {
            if (!known()) {
                return CONNECTIONS_WITHOUT_LIMIT;
            }
            return (int) Math.max(0, Math.min(MAX_CONNECTIONS, (limit - open - DESCRIPTOR_HEADROOM) / 2));
        }
    }

    /**
     * What a run saw.
     *
     * @param connections      connections opened
     * @param atPeak           the scheduler's counters while every connection was open, before any byte was sent
     * @param jvmThreadsAtPeak the JVM's live threads then
     * @param echoedExactly    clients that got exactly their own bytes back, then the end of the stream
     * @param failures         what went wrong elsewhere, client and server side (empty when all went well)
     * @param nanos            from the gate's opening until every client had its echo and every server goroutine ended
     * @param after            the scheduler's counters at the end
     */
    public record Outcome(int connections, SchedulerStats atPeak, int jvmThreadsAtPeak, int echoedExactly,
                          List<String> failures, long nanos, SchedulerStats after) {
        public Outcome {
            failures = List.copyOf(failures);
        }

        /** Whether every connection echoed exactly, and the scheduler started few carriers. */
        public boolean ok() {
            return echoedExactly == connections && failures.isEmpty() && carriersWereFew();
        }

        /** Whether the scheduler started at most {@code procs} + {@value #EXTRA_CARRIERS} carriers, from the first dial to the last close. */
        public boolean carriersWereFew() {
            return after.carriersStarted() <= after.procs() + EXTRA_CARRIERS;
        }
    }

    /**
     * Runs the echo server and {@code connections} clients on {@code s}, bounding every wait by
     * {@code limit}. {@code s} should run nothing else, so that its counters are the crowd's.
     *
     * @throws IllegalArgumentException if {@code connections} is not positive or {@code limit} not positive
     * @throws IOException if listening fails
     * @throws TimeoutException if the connections are not all open within {@code limit}
     */
    public static Outcome run(Scheduler s, int connections, Duration limit)
            throws IOException, TimeoutException, InterruptedException {
        Objects.requireNonNull(s, "s must not be null");
        Objects.requireNonNull(limit, "limit must not be null");
        if (connections < 1) {
            throw new IllegalArgumentException("connections " + connections + " must be at least 1");
        }
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("limit " + limit + " must be positive");
        }
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger dialled = new AtomicInteger();
        WaitGroup gate = new WaitGroup();
        gate.add(1);
        WaitGroup servers = new WaitGroup();
        Semaphore unaccepted = new Semaphore(BACKLOG);
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<Task<String>> clients = new ArrayList<>(connections);
        SchedulerStats atPeak;
        int jvmThreads;
        long t0;
        try (Listener ln = Net.listen(s, loopback, BACKLOG)) {
            ln.setDeadline(limit);
            Task<Void> acceptor = s.submit("acceptor", () -> {
                for (int i = 0; i < connections; i++) {
                    Conn c = ln.accept();
                    unaccepted.release();
                    servers.go(s, () -> echoOnce(c, limit, failures));
                    Gmp.checkpoint(); // while dials keep coming, accept never parks: yield when sysmon asks
                }
                return null;
            });
            for (int i = 0; i < connections; i++) {
                int id = i;
                clients.add(s.submit("client-" + i, () -> client(s, ln.address(), id, limit, unaccepted, dialled, gate)));
            }
            try {
                awaitCondition(limit, "every connection to be open, with its server goroutine parked in its read",
                        () -> acceptedAll(acceptor) && dialled.get() == connections
                                && s.stats().netpoll().waiters() >= connections);
                atPeak = s.stats();
                jvmThreads = ManagementFactory.getThreadMXBean().getThreadCount();
            } finally {
                gate.done(); // lets the clients go, or (after a failure) lets them end
            }
            t0 = System.nanoTime();
        }
        int exact = 0;
        for (int i = 0; i < connections; i++) {
            String failure = outcome(clients.get(i), limit);
            if (failure == null) {
                exact++;
            } else {
                failures.add("client-" + i + ": " + failure);
            }
        }
        if (!servers.await(limit)) {
            failures.add(servers.counter() + " server goroutine(s) still not finished after " + limit.toSeconds() + " s");
        }
        long nanos = System.nanoTime() - t0;
        return new Outcome(connections, atPeak, jvmThreads, exact, new ArrayList<>(failures), nanos, s.stats());
    }

    /** A server goroutine: reads one message, writes it back, and closes first. */
    private static void echoOnce(Conn c, Duration limit, Queue<String> failures) {
        try (c) {
            c.setDeadline(limit);
            byte[] buf = new byte[MESSAGE];
            c.readFully(buf);
            c.write(buf);
        } catch (IOException e) {
            failures.add("server side: " + e);
        }
    }

    /**
     * A client goroutine: takes a slot of the backlog, dials, waits at the gate, sends its message,
     * reads it back and then the end of the stream. Null if all went as it should, else what went
     * wrong.
     */
    private static String client(Scheduler s, InetSocketAddress server, int id, Duration limit, Semaphore unaccepted,
                                 AtomicInteger dialled, WaitGroup gate) throws IOException {
        if (!unaccepted.tryAcquire(1, limit)) {
            return "no room in the listener's backlog within " + limit.toSeconds() + " s";
        }
        try (Conn c = Net.dial(s, server, limit)) {
            dialled.incrementAndGet();
            if (!gate.await(limit)) {
                return "the gate did not open within " + limit.toSeconds() + " s";
            }
            c.setDeadline(limit);
            byte[] mine = message(id);
            c.write(mine);
            byte[] back = new byte[MESSAGE];
            c.readFully(back);
            if (!Arrays.equals(mine, back)) {
                return "got back " + Arrays.toString(back) + " for " + Arrays.toString(mine);
            }
            return c.read(new byte[1]) < 0 ? null : "got more bytes back than it sent";
        }
    }

    /** Client {@code id}'s message: its number, then bytes made from it. */
    static byte[] message(int id) {
        ByteBuffer b = ByteBuffer.allocate(MESSAGE).putInt(id);
        while (b.hasRemaining()) {
            b.put((byte) (id * 31 + b.position()));
        }
        return b.array();
    }

    /**
     * Whether the acceptor has accepted every connection.
     *
     * @throws CompletionException if it failed (an accept that timed out, for one)
     */
    private static boolean acceptedAll(Task<Void> acceptor) {
        if (!acceptor.isDone()) {
            return false;
        }
        try {
            acceptor.join(Duration.ZERO);
        } catch (TimeoutException e) {
            throw new IllegalStateException("a finished task timed out", e);
        }
        return true;
    }

    private static String outcome(Task<String> client, Duration limit) {
        try {
            return client.join(limit);
        } catch (TimeoutException e) {
            return "still not finished after " + limit.toSeconds() + " s";
        } catch (CompletionException | CancellationException e) {
            return "failed: " + (e.getCause() != null ? e.getCause() : e);
        }
    }

    private static void awaitCondition(Duration limit, String what, BooleanSupplier condition)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("waited " + limit.toSeconds() + " s in vain for " + what);
            }
            Thread.sleep(1);
        }
    }
}
