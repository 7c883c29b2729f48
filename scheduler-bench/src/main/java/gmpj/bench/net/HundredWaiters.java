package gmpj.bench.net;

import gmpj.core.Scheduler;
import gmpj.core.SchedulerStats;
import gmpj.core.SchedulerStats.NetpollStats;
import gmpj.core.Task;
import gmpj.core.WaitReason;
import gmpj.net.Conn;
import gmpj.net.Listener;
import gmpj.net.Net;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Go's classic lesson about its network poller, "a goroutine waiting on the network costs no
 * thread": {@value #WAITERS} goroutines each block reading a connection on which nothing has been
 * sent yet, and the whole program keeps running on a few threads (the scheduler's carriers, one
 * per processor, and the JVM's own). With a thread per blocked read it would need
 * {@value #WAITERS} more.
 *
 * <p>The program listens on loopback; each goroutine dials it and reads one byte, and parks there
 * ({@code [IO wait]}): its carrier goes on to the next goroutine. The main thread, a plain thread
 * (whose accepts and writes simply block), accepts the connections and, once every goroutine is
 * parked, prints the JVM's live thread count, the scheduler's carrier count and its poller's
 * counters. Then it writes to each connection one byte of its own (the low byte of the peer's
 * port), and closes it: the poller readies each reader, which checks that it got its own byte. The
 * program checks that every goroutine was woken with its byte, and that while they waited the
 * scheduler had at most {@code procs} + {@value #EXTRA_CARRIERS} carriers; it exits with status 1
 * otherwise.
 *
 * <p>Every wait is bounded ({@link #LIMIT}): the reads have a deadline, the accepts too, and the
 * program gives up on a goroutine that does not finish in time (exit status 1, not a hang). The
 * main thread closes each connection first, so the connections' {@code TIME_WAIT} entries stay
 * on the listener's side (its port is new each run) and repeated runs take no ephemeral port
 * from each other.
 *
 * <p>Run it with {@code ./mvnw -q -pl scheduler-bench -am -DskipTests package exec:exec
 * -Dgmpj.main=gmpj.bench.net.HundredWaiters}.
 */
public final class HundredWaiters {
    /** How many goroutines wait. */
    public static final int WAITERS = 100;
    /**
     * Carriers allowed beyond {@code procs} while the goroutines wait: none are needed, but sysmon
     * hands a processor to another carrier (starting one if there is no spare) when a goroutine
     * blocks its carrier on a lock of the JDK's for 20 µs (the selector's, contended while many
     * sockets are registered at once) or when the operating system leaves a carrier unscheduled
     * for ten time slices, which a busy machine may do.
     */
    public static final int EXTRA_CARRIERS = 8;
    /** How long any one wait may take before the program calls the goroutine lost. */
    static final Duration LIMIT = Duration.ofSeconds(30);

    private HundredWaiters() {}

    /**
     * What a run saw.
     *
     * @param waiters        goroutines started
     * @param parkedInIo     of them, parked in {@code [IO wait]} at once, before any byte was sent
     * @param jvmThreads     the JVM's live threads meanwhile (all of them: carriers, sysmon, main, the JVM's own)
     * @param whileWaiting   the scheduler's counters meanwhile
     * @param wokenWithOwnByte goroutines that were woken and read the byte sent to them
     * @param failures       what went wrong with the others (empty when all went well)
     * @param after          the scheduler's counters once every goroutine had finished
     */
    public record Outcome(int waiters, int parkedInIo, int jvmThreads, SchedulerStats whileWaiting, int wokenWithOwnByte,
                          List<String> failures, SchedulerStats after) {
        public Outcome {
            failures = List.copyOf(failures);
        }

        /** Whether every goroutine was woken with its own byte, and the carriers were few. */
        public boolean ok() {
            return wokenWithOwnByte == waiters && failures.isEmpty() && carriersWereFew();
        }

        /** Whether the scheduler had at most {@code procs} + {@value #EXTRA_CARRIERS} carriers while the goroutines waited. */
        public boolean carriersWereFew() {
            return whileWaiting.threads() <= whileWaiting.procs() + EXTRA_CARRIERS;
        }
    }

    public static void main(String[] args) {
        boolean ok;
        // sysmon's reports, first line only (a hand-off report comes with a stack)
        try (Scheduler s = Scheduler.builder().name("waiters")
                .diagnostics(report -> System.out.println("  sysmon: " + report.lines().findFirst().orElse(""))).build()) {
            ok = run(s, WAITERS, System.out).ok();
        } catch (Exception e) {
            e.printStackTrace(System.out);
            ok = false;
        }
        System.out.println(ok ? "ok" : "FAILED");
        System.exit(ok ? 0 : 1);
    }

    /**
     * Runs the program on {@code s} with {@code waiters} goroutines, printing what it sees to
     * {@code out}.
     *
     * @throws IllegalArgumentException if {@code waiters} is not positive
     * @throws IOException if listening or accepting fails (an accept that times out included)
     * @throws TimeoutException if the goroutines do not all park in time
     */
    public static Outcome run(Scheduler s, int waiters, PrintStream out)
            throws IOException, TimeoutException, InterruptedException {
        Objects.requireNonNull(s, "s must not be null");
        if (waiters < 1) {
            throw new IllegalArgumentException("waiters " + waiters + " must be at least 1");
        }
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<Task<Boolean>> readers = new ArrayList<>(waiters);
        List<Conn> accepted = new ArrayList<>(waiters);
        SchedulerStats whileWaiting;
        int parked;
        int jvmThreads;
        List<String> threadNames;
        try (Listener ln = Net.listen(s, loopback, waiters)) { // backlog: room for every dial at once
            for (int i = 0; i < waiters; i++) {
                readers.add(s.submit("waiter-" + i, () -> readOwnByte(s, ln.address())));
            }
            ln.setDeadline(LIMIT);
            for (int i = 0; i < waiters; i++) {
                accepted.add(ln.accept());
            }
            parked = awaitParked(s, waiters);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            jvmThreads = mx.getThreadCount();
            threadNames = Arrays.stream(mx.getThreadInfo(mx.getAllThreadIds())) // names only: no stack is walked
                    .filter(Objects::nonNull).map(ThreadInfo::getThreadName).sorted().toList();
            whileWaiting = s.stats();
        } catch (IOException | TimeoutException | RuntimeException e) {
            closeAll(accepted);
            throw e;
        }
        out.printf("%d goroutines are blocked reading connections nobody has written to yet:%n", waiters);
        out.printf("  goroutines in [%s]: %d%n", WaitReason.IO.label(), parked);
        out.printf("  JVM threads alive: %d, of which %d carrier threads of scheduler %s (procs=%d);%n"
                        + "  a thread per blocked read would add %d%n",
                jvmThreads, whileWaiting.threads(), s.name(), whileWaiting.procs(), waiters);
        out.println("  they are: " + String.join(", ", threadNames));
        out.println("  poller: " + describe(whileWaiting.netpoll()));

        for (Conn c : accepted) {
            try (c) { // closed right after the write: this side closes first, so TIME_WAIT stays here
                c.write(new byte[] {ownByte(c.remoteAddress())});
            }
        }
        int woken = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            String failure = outcome(readers.get(i));
            if (failure == null) {
                woken++;
            } else {
                failures.add("waiter-" + i + ": " + failure);
            }
        }
        SchedulerStats after = s.stats();
        out.printf("one byte written to each connection: %d of %d goroutines woke with their own byte%n", woken, waiters);
        failures.stream().limit(10).forEach(f -> out.println("  " + f));
        out.printf("  carriers while they waited: %d (at most procs + %d = %d allowed); started in all: %d%n",
                whileWaiting.threads(), EXTRA_CARRIERS, whileWaiting.procs() + EXTRA_CARRIERS, after.carriersStarted());
        out.println("  poller: " + describe(after.netpoll()));
        return new Outcome(waiters, parked, jvmThreads, whileWaiting, woken, failures, after);
    }

    /** A waiter: dials, reads one byte (parking until it comes), and says whether it was its own. */
    private static boolean readOwnByte(Scheduler s, InetSocketAddress server) throws IOException {
        try (Conn c = Net.dial(s, server, LIMIT)) {
            c.setReadDeadline(LIMIT);
            byte[] one = new byte[1];
            return c.read(one) == 1 && one[0] == ownByte(c.localAddress());
        }
    }

    /** The byte a connection's client gets: the low byte of its port. */
    private static byte ownByte(InetSocketAddress client) {
        return (byte) client.getPort();
    }

    /** Waits until {@code waiters} goroutines are parked in {@code [IO wait]}; returns how many are. */
    private static int awaitParked(Scheduler s, int waiters) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        for (;;) {
            int parked = (int) s.goroutines().stream().filter(g -> g.waitReason() == WaitReason.IO).count();
            if (parked >= waiters) {
                return parked;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("after " + LIMIT.toSeconds() + " s only " + parked + " of " + waiters
                        + " goroutines are parked in [" + WaitReason.IO.label() + "]");
            }
            Thread.sleep(1);
        }
    }

    /** Null if the reader finished with its own byte, else what happened to it. */
    private static String outcome(Task<Boolean> reader) {
        try {
            return reader.join(LIMIT) ? null : "read a byte that was not its own";
        } catch (TimeoutException e) {
            return "still not finished after " + LIMIT.toSeconds() + " s";
        } catch (CompletionException | CancellationException e) {
            return "failed: " + (e.getCause() != null ? e.getCause() : e);
        }
    }

    private static String describe(NetpollStats n) {
        return String.format("descriptors=%d waiters=%d polls=%d (blocking %d) readied=%d registrations=%d",
                n.descriptors(), n.waiters(), n.polls(), n.blockingPolls(), n.readied(), n.registrations());
    }

    private static void closeAll(List<Conn> conns) {
        for (Conn c : conns) {
            try {
                c.close();
            } catch (IOException e) {
                // closing after a failure: the failure is what gets reported
            }
        }
    }
}
