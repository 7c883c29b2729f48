package gmpj.bench.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Scheduler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The network examples run as they do on their own: {@link HundredWaiters} with its hundred
 * goroutines on two processors, and a small {@link ManyConnections} crowd.
 */
class NetExamplesTest {

    @Test
    void aHundredGoroutinesWaitOnTheNetworkOnAFewCarriersAndAllWakeWithTheirOwnByte() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        HundredWaiters.Outcome o;
        try (Scheduler s = Scheduler.builder().procs(2).name("waiters-test").diagnostics(NetExamplesTest::handOffReport).build();
             PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            o = HundredWaiters.run(s, HundredWaiters.WAITERS, out);
        }
        String report = printed.toString(StandardCharsets.UTF_8);
        assertEquals(HundredWaiters.WAITERS, o.parkedInIo(), report);
        assertTrue(o.whileWaiting().netpoll().waiters() >= HundredWaiters.WAITERS, report);
        assertEquals(2 * HundredWaiters.WAITERS + 1, o.whileWaiting().netpoll().descriptors(), report);
        assertEquals(HundredWaiters.WAITERS, o.wokenWithOwnByte(), report);
        assertEquals(0, o.failures().size(), report);
        assertTrue(o.carriersWereFew(), report);
        assertTrue(o.ok(), report);
        assertEquals(0, o.after().netpoll().descriptors(), "every socket closed\n" + report);
    }

    @Test
    void aSmallCrowdEchoesExactlyWithEveryConnectionOpenAtOnce() throws Exception {
        int connections = 300;
        ManyConnections.Outcome o;
        try (Scheduler s = Scheduler.builder().procs(2).name("crowd-test").diagnostics(NetExamplesTest::handOffReport).build()) {
            o = ManyConnections.run(s, connections, Duration.ofSeconds(30));
        }
        String report = o.failures() + "\n" + o.after();
        assertEquals(2 * connections + 1, o.atPeak().netpoll().descriptors(), report);
        assertTrue(o.atPeak().netpoll().waiters() >= connections, report);
        assertEquals(connections, o.echoedExactly(), report);
        assertTrue(o.ok(), report);
    }

    /**
     * Drops sysmon's reports: a goroutine that waits for the NIO selector's lock while a poll
     * holds it loses its processor like a blocking call, and sysmon says so, which is expected here.
     */
    private static void handOffReport(String report) {
    }

    @Test
    void theCrowdIsSizedToTheDescriptorLimit() {
        assertEquals(ManyConnections.MAX_CONNECTIONS, new ManyConnections.Descriptors(20_000, 40).connections());
        assertEquals((1024 - 40 - ManyConnections.DESCRIPTOR_HEADROOM) / 2,
                new ManyConnections.Descriptors(1024, 40).connections());
        assertEquals(0, new ManyConnections.Descriptors(256, 40).connections());
        assertEquals(ManyConnections.CONNECTIONS_WITHOUT_LIMIT, new ManyConnections.Descriptors(-1, -1).connections());
    }

    @Test
    void badCountsAreRejectedNamingTheParameter() {
        try (Scheduler s = Scheduler.builder().procs(1).name("bad-args").build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HundredWaiters.run(s, 0, System.out));
            assertTrue(e.getMessage().contains("waiters 0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ManyConnections.run(s, -1, Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("connections -1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ManyConnections.run(s, 1, Duration.ZERO));
            assertTrue(e.getMessage().contains("limit PT0S"), e.getMessage());
        }
    }
}
