package gmpj.bench.net;

import com.sun.management.UnixOperatingSystemMXBean;
import gmpj.bench.CauseCounters;
import gmpj.bench.Countdown;
import gmpj.bench.VirtualThreadScheduler;
import gmpj.core.Parking;
import gmpj.core.Scheduler;
import gmpj.core.WaitReason;
import gmpj.core.Waiter;
import gmpj.net.Conn;
import gmpj.net.Listener;
import gmpj.net.Net;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TCP echo over loopback: {@code conns} clients, each on its own connection to an echo server that
 * serves every connection with its own goroutine or thread, send {@value #SIZE} bytes and wait for
 * them to come back, {@value #ROUND_TRIPS} round trips per invocation in all, shared out among the
 * clients. Nanoseconds per round trip: at {@code conns=1} the latency of one round trip (the
 * client's write, the server's wake-up, read and write, the client's wake-up and read); with more
 * connections, the time per round trip when they all run at once, the inverse of throughput.
 *
 * <ul>
 *   <li>{@code gmpj}: a goroutine per connection on each side, on {@code gmpj.net} (the
 *       scheduler's network poller), {@code procs} processors.</li>
 *   <li>{@code virtualThreads}: a virtual thread per connection on each side, on blocking
 *       {@link Socket}s, which the JDK parks on its own poller; {@code procs} carriers.</li>
 *   <li>{@code platformThreads}: a platform thread per connection on each side, on blocking
 *       {@link Socket}s (the system places them on every core, so no {@code procs}).</li>
 * </ul>
 *
 * <p>Each side does the same work: the connections are made in the trial's setup (as many
 * connections, {@code TCP_NODELAY} on every one, as {@code gmpj.net} sets it), and the clients live
 * as long as the trial: an invocation starts a round (the benchmark thread bumps the round number
 * and unparks every client through {@link Parking}, which is {@code LockSupport} for threads), each
 * client does its share of round trips, checking every echo, and counts down a {@link Countdown}.
 * Starting a round wakes every client once, which costs the same on each side; at 10,000
 * connections that is one wake-up per four round trips.
 *
 * <p>Descriptors: both ends of every connection are in this JVM, two descriptors per connection. A
 * {@code conns} that does not fit under the process's limit ({@code ulimit -n}) with
 * {@value #FD_SPARE} to spare is scaled down to the most that fits, and the fork says so on its
 * output ("EchoBench: conns=10000 scaled to ..."); the round trips per invocation stay the same, so
 * the time per round trip stays comparable. At a limit of 20,000 descriptors, {@code conns=10000}
 * runs about 9,800 connections.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class EchoBench {
    /** Bytes per message. */
    static final int SIZE = 64;
    /** Round trips per invocation, at every connection count: 4 per connection at 10,000. */
    static final int ROUND_TRIPS = 40_000;
    /** Descriptors left free beside the connections' (the JVM's own, JMH's). */
    static final int FD_SPARE = 256;
    /** The stack of a platform thread of the baseline: enough for the echo loops, small enough for 20,000. */
    static final long PLATFORM_STACK = 256 * 1024;
    /** How long an invocation, or the setup and teardown, may take before the run fails: far beyond any. */
    static final long WAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(120);

    /** Connections (and clients) at once: 1 for latency, more for throughput. */
    @Param({"1", "100", "10000"})
    public int conns;

    /** The gmpj scheduler under test, and its connections. */
    @State(Scope.Benchmark)
    public static class Gmpj {
        @Param({"1", "2"})
        public int procs;
        Scheduler scheduler;
        Rig rig;

        @Setup(Level.Trial)
        public void start(EchoBench bench) throws Exception {
            scheduler = Scheduler.builder().procs(procs).name("echo-bench").build();
            CauseCounters.watch(scheduler);
            int n = fit(bench.conns);
            Link[] links = new Link[n];
            try (Listener ln = Net.listen(scheduler, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), n)) {
                for (int i = 0; i < n; i++) {
                    Conn client = Net.dial(scheduler, ln.address(), Duration.ofSeconds(30));
                    links[i] = StreamLink.of(client, ln.accept());
                }
            }
            rig = new Rig(links, scheduler::go);
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            rig.close();
            scheduler.close();
        }
    }

    /** The JDK's virtual-thread scheduler with {@code procs} carriers, and the connections. */
    @State(Scope.Benchmark)
    public static class VirtualThreads {
        @Param({"1", "2"})
        public int procs;
        Rig rig;

        @Setup(Level.Trial)
        public void start(EchoBench bench) throws Exception {
            VirtualThreadScheduler.parallelism(procs);
            rig = new Rig(socketLinks(fit(bench.conns)), Thread::startVirtualThread);
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            rig.close();
        }
    }

    /** Platform threads, and the connections. */
    @State(Scope.Benchmark)
    public static class PlatformThreads {
        Rig rig;

        @Setup(Level.Trial)
        public void start(EchoBench bench) throws Exception {
            rig = new Rig(socketLinks(fit(bench.conns)),
                    task -> Thread.ofPlatform().daemon().stackSize(PLATFORM_STACK).start(task));
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            rig.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void gmpj(Gmpj state, CauseCounters causes) {
        state.rig.round();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void virtualThreads(VirtualThreads state) {
        state.rig.round();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void platformThreads(PlatformThreads state) {
        state.rig.round();
    }

    /**
     * {@code wanted} connections, or the most that fit under the descriptor limit (two descriptors
     * each, {@link #FD_SPARE} spare), saying so when that is fewer.
     */
    static int fit(int wanted) {
        if (wanted < 1) {
            throw new IllegalArgumentException("conns " + wanted + " must be at least 1");
        }
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os)) {
            return wanted;
        }
        long room = (os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - FD_SPARE) / 2;
        if (room >= wanted) {
            return wanted;
        }
        if (room < 1) {
            throw new IllegalStateException("no room for a connection under the descriptor limit of "
                    + os.getMaxFileDescriptorCount() + " (" + os.getOpenFileDescriptorCount() + " open)");
        }
        System.out.println("EchoBench: conns=" + wanted + " scaled to " + room + ": the descriptor limit is "
                + os.getMaxFileDescriptorCount() + " and a loopback connection takes two in one JVM");
        return (int) room;
    }

    /** {@code n} loopback connections of blocking sockets, both ends, {@code TCP_NODELAY} on. */
    static Link[] socketLinks(int n) throws IOException {
        Link[] links = new Link[n];
        try (ServerSocket ss = new ServerSocket(0, n, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < n; i++) {
                Socket client = new Socket();
                client.connect(ss.getLocalSocketAddress(), 30_000);
                Socket server = ss.accept();
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                links[i] = StreamLink.of(client, server);
            }
        }
        return links;
    }

    /** One connection's two ends, as the {@link Rig} drives them. */
    interface Link {
        /** Client side: sends {@code out}, reads its echo into {@code in}. */
        void roundTrip(byte[] out, byte[] in) throws IOException;

        /** Server side: echoes what arrives until the connection ends. */
        void echo();

        /** Closes the server's end (first, so that the server's side, not the client's, sits in TIME_WAIT). */
        void closeServer() throws IOException;

        void closeClient() throws IOException;
    }

    /**
     * A connection seen through its two ends' streams: {@code gmpj.net}'s {@link Conn} views and
     * blocking {@link Socket}s alike, so each side does the same work per round trip.
     */
    record StreamLink(InputStream clientIn, OutputStream clientOut, Closeable client,
                      InputStream serverIn, OutputStream serverOut, Closeable server) implements Link {
        static StreamLink of(Conn client, Conn server) {
            return new StreamLink(client.inputStream(), client.outputStream(), client,
                    server.inputStream(), server.outputStream(), server);
        }

        static StreamLink of(Socket client, Socket server) throws IOException {
            return new StreamLink(client.getInputStream(), client.getOutputStream(), client,
                    server.getInputStream(), server.getOutputStream(), server);
        }

        @Override
        public void roundTrip(byte[] out, byte[] in) throws IOException {
            clientOut.write(out);
            if (clientIn.readNBytes(in, 0, in.length) != in.length) {
                throw new IOException("the echo server closed the connection in the middle of a message");
            }
        }

        @Override
        public void echo() {
            byte[] buf = new byte[SIZE * 4];
            try {
                for (int n; (n = serverIn.read(buf)) > 0; ) {
                    serverOut.write(buf, 0, n);
                }
            } catch (IOException e) {
                // closed at the end of the trial
            }
        }

        @Override
        public void closeServer() throws IOException {
            server.close();
        }

        @Override
        public void closeClient() throws IOException {
            client.close();
        }
    }

    /**
     * The connections, a server task and a client task for each, started by {@code start}
     * (goroutine, virtual thread or platform thread), and the rounds.
     *
     * <p>A round: the benchmark thread arms {@link #done}, bumps {@link #round} (a volatile write)
     * and unparks every client's {@link Waiter}. A client publishes its waiter before it first reads
     * the round number and parks while the number is the one it last served, so it either sees the
     * bump or is unparked after publishing (an unpark before the park makes the park return). Each
     * client's writes before its count-down happen-before the benchmark thread's return from the
     * wait, which reads {@link #failure}.
     */
    static final class Rig {
        private final Link[] links;
        private final int[] shares;
        private final Waiter[] clients;
        private final CountDownLatch ready;
        private final CountDownLatch exited;
        private final Countdown done = new Countdown();
        private volatile int round;
        private volatile boolean stopping;
        private volatile Throwable failure;

        Rig(Link[] links, Consumer<Runnable> start) throws InterruptedException {
            this.links = links;
            int n = links.length;
            shares = new int[n];
            for (int i = 0; i < n; i++) {
                shares[i] = ROUND_TRIPS / n + (i < ROUND_TRIPS % n ? 1 : 0);
            }
            clients = new Waiter[n];
            ready = new CountDownLatch(n);
            exited = new CountDownLatch(2 * n);
            for (int i = 0; i < n; i++) {
                Link link = links[i];
                start.accept(() -> {
                    try {
                        link.echo();
                    } finally {
                        exited.countDown();
                    }
                });
                int id = i;
                start.accept(() -> client(id));
            }
            if (!ready.await(WAIT_LIMIT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("EchoBench: " + ready.getCount() + " of " + n + " clients never started");
            }
        }

        private void client(int id) {
            try {
                clients[id] = Parking.currentWaiter();
                ready.countDown();
                Link link = links[id];
                byte[] out = new byte[SIZE];
                byte[] in = new byte[SIZE];
                Arrays.fill(out, (byte) id);
                int served = 0;
                for (;;) {
                    int r;
                    while ((r = round) == served) {
                        Parking.park(WaitReason.PARK);
                    }
                    served = r;
                    if (stopping) {
                        return;
                    }
                    try {
                        for (int k = 0; k < shares[id]; k++) {
                            out[0] = (byte) k;
                            link.roundTrip(out, in);
                            if (!Arrays.equals(out, in)) {
                                throw new IllegalStateException("client " + id + ": the echo differs from the message");
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        failure = e;
                    }
                    done.countDown();
                }
            } finally {
                exited.countDown();
            }
        }

        /** One invocation: every client does its share of round trips. */
        void round() {
            done.reset(clients.length);
            round++;
            for (Waiter w : clients) {
                w.unpark();
            }
            done.await(WAIT_LIMIT_NANOS, "echo clients");
            Throwable f = failure;
            if (f != null) {
                throw new IllegalStateException("an echo client failed: " + f, f);
            }
        }

        /** Stops the clients, closes the connections (server ends first), waits for every task to end. */
        void close() throws Exception {
            stopping = true;
            round++;
            for (Waiter w : clients) {
                w.unpark();
            }
            for (Link l : links) {
                l.closeServer();
            }
            for (Link l : links) {
                l.closeClient();
            }
            if (!exited.await(WAIT_LIMIT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("EchoBench: " + exited.getCount() + " tasks still running after the close");
            }
        }
    }
}
