package gmpj.sync;

import static gmpj.sync.SyncTestSupport.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Scheduler;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ErrGroup: waiting for all, the first failure cancelling the rest, and the concurrency limit. */
class ErrGroupTest {

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void awaitReturnsWhenEveryGoroutineSucceeded(int procs) throws Exception {
        AtomicLong sum = new AtomicLong();
        try (Scheduler s = scheduler("eg-ok", procs)) {
            ErrGroup g = ErrGroup.withContext(s, Context.background());
            for (int i = 1; i <= 1000; i++) {
                long v = i;
                g.go(() -> sum.addAndGet(v));
            }
            g.await();
            assertEquals(500_500, sum.get());
            assertNull(g.failure());
            assertSame(Context.Err.CANCELED, g.context().err(), "await cancels the group's context when it returns");
        }
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void theFirstFailureCancelsTheOthersAndIsWhatAwaitThrows(int procs) {
        int workers = 50;
        AtomicInteger stoppedEarly = new AtomicInteger();
        try (Scheduler s = scheduler("eg-fail", procs)) {
            ErrGroup g = ErrGroup.withContext(s, Context.background());
            Context ctx = g.context();
            Chan<Integer> never = new Chan<>();
            for (int i = 0; i < workers; i++) {
                g.go(() -> {
                    // each waits for work that never comes, or for the group to give up
                    if (new Select().onReceive(never).onReceive(ctx.done()).run() == 1) {
                        stoppedEarly.incrementAndGet();
                        ctx.throwIfDone();
                    }
                });
            }
            IOException boom = new IOException("fetch failed");
            g.go(() -> {
                throw boom;
            });
            ExecutionException e = assertThrows(ExecutionException.class, g::await);
            assertSame(boom, e.getCause(), "the first failure, not a cancellation it caused");
            assertEquals(workers, stoppedEarly.get());
            assertSame(boom, ctx.cause());
        }
    }

    @ParameterizedTest(name = "limit={0}")
    @ValueSource(ints = {1, 3})
    void limitBoundsHowManyRunAtOnce(int limit) throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        try (Scheduler s = scheduler("eg-limit", 4)) {
            ErrGroup g = ErrGroup.of(s).limit(limit);
            for (int i = 0; i < 60; i++) {
                g.go(() -> {
                    int n = now.incrementAndGet();
                    peak.accumulateAndGet(n, Math::max);
                    for (int k = 0; k < 20; k++) {
                        gmpj.core.Gmp.yield(); // stay running a while so that overlaps would show
                    }
                    now.decrementAndGet();
                    ran.incrementAndGet();
                });
            }
            g.await();
        }
        assertEquals(60, ran.get());
        assertTrue(peak.get() <= limit, "peak " + peak.get() + " above the limit " + limit);
    }

    @Test
    void tryGoRefusesWhenTheLimitIsReached() throws Exception {
        try (Scheduler s = scheduler("eg-trygo", 1)) {
            ErrGroup g = ErrGroup.of(s).limit(1);
            Chan<String> release = new Chan<>();
            assertTrue(g.tryGo(() -> release.receive()));
            assertFalse(g.tryGo(() -> { }), "the only slot is taken");
            release.send("go");
            g.await();
            assertTrue(g.tryGo(() -> { }), "the slot is free again");
            g.await();
        }
    }

    @Test
    void misuseIsRejectedWithAClearMessage() {
        try (Scheduler s = scheduler("eg-misuse", 1)) {
            ErrGroup plain = ErrGroup.of(s);
            IllegalStateException noCtx = assertThrows(IllegalStateException.class, plain::context);
            assertTrue(noCtx.getMessage().contains("withContext"), noCtx.getMessage());
            assertThrows(IllegalArgumentException.class, () -> plain.limit(0));
            assertThrows(NullPointerException.class, () -> plain.go(null));
            assertThrows(NullPointerException.class, () -> ErrGroup.withContext(s, null));
            Chan<String> hold = new Chan<>();
            plain.go(() -> hold.receive());
            IllegalStateException busy = assertThrows(IllegalStateException.class, () -> plain.limit(2));
            assertTrue(busy.getMessage().contains("running"), busy.getMessage());
            hold.send("done");
        }
    }

    @Test
    void aRejectedGoLeavesTheGroupConsistent() throws Exception {
        Scheduler s = scheduler("eg-rejected", 1);
        ErrGroup g = ErrGroup.of(s).limit(1);
        s.close();
        assertThrows(RejectedExecutionException.class, () -> g.go(() -> { }));
        g.await(); // nothing counted, the slot released: returns at once
        assertTrue(g.toString().contains("running=0"), g.toString());
    }
}
