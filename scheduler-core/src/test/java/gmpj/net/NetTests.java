package gmpj.net;

import static org.junit.jupiter.api.Assertions.fail;

import gmpj.core.Scheduler;
import gmpj.core.Task;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Helpers shared by the network tests: schedulers with recognisable names, loopback listeners and
 * connection pairs, and bounded waits for conditions (never for times). Bounds are liveness bounds,
 * far above what anything needs on a loaded two-core machine.
 */
final class NetTests {
    /** How long a test waits for something that should take microseconds to milliseconds. */
    static final Duration LIVENESS = Duration.ofSeconds(30);
    /** 127.0.0.1: every test stays on loopback. */
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static final AtomicInteger SEQ = new AtomicInteger();

    private NetTests() {}

    /** A builder named after the test (its carriers' thread names start with it), closing within {@link #LIVENESS}. */
    static Scheduler.Builder builder(String test) {
        return Scheduler.builder().name("n-" + test + "-" + SEQ.incrementAndGet()).closeTimeout(LIVENESS);
    }

    /** A listener of {@code s} on a free loopback port. */
    static Listener listen(Scheduler s) throws IOException {
        return Net.listen(s, new InetSocketAddress(LOOPBACK, 0), 0);
    }

    /** The two ends of one loopback connection, both watched by {@code s}: [dialled, accepted]. Any thread. */
    static Conn[] pair(Scheduler s) throws IOException {
        try (Listener ln = listen(s)) {
            Conn dialled = Net.dial(s, new InetSocketAddress(LOOPBACK, ln.port()), LIVENESS);
            return new Conn[] {dialled, ln.accept()};
        }
    }

    /**
     * One end watched by {@code s} and, for the other, a plain blocking {@link Socket} that no
     * poller knows of: [conn, socket]. Any thread.
     */
    static Object[] connToSocket(Scheduler s) throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 1, LOOPBACK)) {
            Conn c = Net.dial(s, new InetSocketAddress(LOOPBACK, ss.getLocalPort()), LIVENESS);
            Socket peer = ss.accept();
            peer.setSoTimeout((int) LIVENESS.toMillis());
            return new Object[] {c, peer};
        }
    }

    /** The scheduler's counters and goroutines, for failure messages. */
    static String describe(Scheduler s) {
        return s.stats() + "\n" + s.dump();
    }

    /** Polls {@code condition} about every millisecond; fails with {@code diagnostics} after {@link #LIVENESS}. */
    static void awaitCondition(String what, BooleanSupplier condition, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + LIVENESS.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + ": not within " + LIVENESS + "\n" + diagnostics.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** {@link #awaitCondition} failing with the scheduler's state. */
    static void awaitCondition(Scheduler s, String what, BooleanSupplier condition) {
        awaitCondition(what, condition, () -> describe(s));
    }

    /** Joins {@code task} within {@link #LIVENESS}, failing with the scheduler's state. */
    static <T> T join(Scheduler s, Task<T> task) {
        try {
            return task.join(LIVENESS);
        } catch (TimeoutException e) {
            return fail(task + " did not finish within " + LIVENESS + "\n" + describe(s), e);
        }
    }

    /** Joins a plain thread within {@link #LIVENESS}. */
    static void join(Thread t) throws InterruptedException {
        t.join(LIVENESS.toMillis());
        if (t.isAlive()) {
            StringBuilder sb = new StringBuilder(t.getName() + " did not finish within " + LIVENESS + ":");
            for (StackTraceElement e : t.getStackTrace()) {
                sb.append("\n\tat ").append(e);
            }
            fail(sb.toString());
        }
    }

    /** The goroutine waits for a socket: a parked waiter is counted by its scheduler's poller. */
    static void awaitNetWaiters(Scheduler s, int n) {
        awaitCondition(s, n + " waiter(s) on the poller", () -> s.stats().netpoll().waiters() == n);
    }
}
