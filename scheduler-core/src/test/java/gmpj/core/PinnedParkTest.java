package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A park the JVM pins blocks its carrier, and the processor goes to another carrier meanwhile. */
class PinnedParkTest {

    private static long pinnedParks(Scheduler s) {
        return s.stats().perProc().stream().mapToLong(SchedulerStats.ProcStats::pinnedParks).sum();
    }

    @Test
    void pinnedParkBlocksTheCarrierAndAnotherGoroutineOnTheOnlyProcessorCanUnparkIt() {
        try (Scheduler s = builder("pinned-park").procs(1).build()) {
            AtomicReference<Waiter> parked = new AtomicReference<>();
            AtomicBoolean released = new AtomicBoolean();
            Task<String> pinned = s.submit(() -> TestSupport.parkPinnedUntil(parked, released));
            awaitCondition(s, "the pinned park", () -> pinnedParks(s) >= 1);
            Task<Void> unparker = s.submit(() -> {
                released.set(true);
                parked.get().unpark();
                return null;
            });
            join(s, unparker);
            assertEquals("unparked", join(s, pinned), describe(s));
            assertTrue(pinnedParks(s) >= 1, describe(s));
            assertTrue(s.stats().handoffs() >= 1, "the processor left the blocked carrier\n" + describe(s));
        }
    }
}
