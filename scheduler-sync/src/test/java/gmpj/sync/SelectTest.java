package gmpj.sync;

import static gmpj.sync.SyncTestSupport.LIVENESS;
import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.runTogether;
import static gmpj.sync.SyncTestSupport.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Select: readiness, fairness, default, timeout, closed channels, blocking selects served by others, misuse. */
class SelectTest {

    @Test
    void performsTheOnlyReadyCaseAndRunsItsAction() {
        Chan<String> empty = new Chan<>(1);
        Chan<String> full = new Chan<>(1);
        full.send("v");
        AtomicReference<Received<String>> got = new AtomicReference<>();
        int chosen = new Select().onReceive(empty, r -> { throw new AssertionError("not ready"); })
                .onReceive(full, got::set).run();
        assertEquals(1, chosen);
        assertEquals("v", got.get().value());
        assertEquals(0, full.size());
    }

    @Test
    void aSendCaseSendsTheValueAndRunsItsAction() {
        Chan<Integer> ch = new Chan<>(1);
        AtomicBoolean ran = new AtomicBoolean();
        assertEquals(0, new Select().onSend(ch, 42, () -> ran.set(true)).run());
        assertTrue(ran.get());
        assertEquals(42, ch.receive().value());
    }

    @Test
    void readyCasesAreChosenUniformlyAtRandom() {
        Chan<Integer> a = new Chan<>(1);
        Chan<Integer> b = new Chan<>(1);
        Chan<Integer> c = new Chan<>(1);
        int[] counts = new int[3];
        Select sel = new Select().onReceive(a).onReceive(b).onReceive(c);
        int rounds = 30_000;
        for (int i = 0; i < rounds; i++) {
            a.trySend(1);
            b.trySend(1);
            c.trySend(1);
            counts[sel.run()]++;
        }
        // Binomial(30000, 1/3): sd is about 82; 9000..11000 is more than 12 sd either side.
        for (int k = 0; k < 3; k++) {
            assertTrue(counts[k] > 9000 && counts[k] < 11000, "case " + k + " chosen " + counts[k] + " of " + rounds
                    + " times; all: " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void defaultRunsWhenNothingIsReady() {
        Chan<String> ch = new Chan<>();
        AtomicBoolean fallback = new AtomicBoolean();
        assertEquals(Select.DEFAULT, new Select().onReceive(ch).onSend(ch, "x").orElse(() -> fallback.set(true)).run());
        assertTrue(fallback.get());
        assertTrue(ch.toString().contains("senders=0, receivers=0"), "a select with a default never queues: " + ch);
    }

    @Test
    void timeoutRunsWhenNothingBecomesReadyAndLeavesNoNodeBehind() {
        Chan<String> a = new Chan<>();
        Chan<String> b = new Chan<>(1);
        b.send("full");
        AtomicBoolean timedOut = new AtomicBoolean();
        Select sel = new Select().onReceive(a).onSend(b, "more").timeout(Duration.ofMillis(30), () -> timedOut.set(true));
        assertEquals(Select.TIMEOUT, sel.run());
        assertTrue(timedOut.get());
        assertTrue(a.toString().contains("senders=0, receivers=0"), a.toString());
        assertTrue(b.toString().contains("senders=0, receivers=0"), b.toString());
        assertEquals("full", b.receive().value(), "the timed-out send case sent nothing");
        assertTrue(b.tryReceive().timedOut());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void selectWithTimeoutGetsAValueThatArrivesInTime(int procs) {
        // Go by Example's "Timeouts": a result that comes in time wins over time.After.
        Chan<String> result = new Chan<>(1);
        try (Scheduler s = scheduler("select-timeout", procs)) {
            Task<String> waiter = s.submit(() -> {
                AtomicReference<String> out = new AtomicReference<>();
                new Select().onReceive(result, r -> out.set(r.value())).timeout(LIVENESS, () -> out.set("timeout")).run();
                return out.get();
            });
            awaitCondition("the select to wait", () -> result.toString().contains("receivers=1"));
            result.send("result 1");
            assertEquals("result 1", join(s, waiter));
        }
    }

    @Test
    void aClosedChannelIsAlwaysReadyForReceive() {
        Chan<String> closed = new Chan<>();
        closed.close();
        AtomicReference<Received<String>> got = new AtomicReference<>();
        assertEquals(0, new Select().onReceive(closed, got::set).run());
        assertTrue(got.get().closed());
    }

    @Test
    void aSendCaseOnAClosedChannelThrows() {
        Chan<String> closed = new Chan<>(1);
        closed.close();
        ChanClosedException e = assertThrows(ChanClosedException.class, () -> new Select().onSend(closed, "x").run());
        assertTrue(e.getMessage().startsWith("send on closed channel"), e.getMessage());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void aBlockedSelectIsServedByExactlyOneChannel(int procs) {
        Chan<Integer> a = new Chan<>();
        Chan<Integer> b = new Chan<>();
        try (Scheduler s = scheduler("select-served", procs)) {
            Task<Integer> selector = s.submit(() -> new Select().onReceive(a).onReceive(b).run());
            awaitCondition("the select to queue on both", () -> a.toString().contains("receivers=1")
                    && b.toString().contains("receivers=1"));
            b.send(2);
            assertEquals(1, join(s, selector));
            assertTrue(a.toString().contains("receivers=0"), "the other case's node was unlinked: " + a);
            assertFalse(a.trySend(1), "no receiver left on a");
        }
    }

    @Test
    void aBlockedSendCaseIsServedByAReceiver() {
        Chan<String> ch = new Chan<>();
        try (Scheduler s = scheduler("select-send", 2)) {
            Task<Integer> selector = s.submit(() -> new Select().onReceive(new Chan<String>()).onSend(ch, "sent").run());
            awaitCondition("the select to queue its send", () -> ch.toString().contains("senders=1"));
            assertEquals("sent", ch.receive().value());
            assertEquals(1, join(s, selector));
        }
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void manySelectorsAndSendersEveryValueReceivedExactlyOnce(int procs) {
        // Selectors race for values on two channels; each value must be taken by exactly one select.
        int perChannel = 5000;
        Chan<Integer> a = new Chan<>();
        Chan<Integer> b = new Chan<>(8);
        AtomicIntegerArray seen = new AtomicIntegerArray(2 * perChannel);
        AtomicInteger taken = new AtomicInteger();
        Chan<Boolean> stop = new Chan<>();
        try (Scheduler s = scheduler("select-race", procs)) {
            // 0,1: senders on a and b (goroutines); 2..7 goroutine selectors; 8,9 thread selectors
            runTogether(s, 8, 2, i -> {
                if (i < 2) {
                    Chan<Integer> out = i == 0 ? a : b;
                    for (int k = 0; k < perChannel; k++) {
                        out.send(i * perChannel + k);
                    }
                    return;
                }
                AtomicBoolean stopped = new AtomicBoolean();
                Select sel = new Select()
                        .onReceive(a, r -> seen.incrementAndGet(r.value()))
                        .onReceive(b, r -> seen.incrementAndGet(r.value()))
                        .onReceive(stop, r -> stopped.set(true));
                while (!stopped.get()) {
                    if (sel.run() != 2 && taken.incrementAndGet() == 2 * perChannel) {
                        stop.close(); // the last value: release every selector
                    }
                }
            });
        }
        for (int v = 0; v < seen.length(); v++) {
            assertEquals(1, seen.get(v), "value " + v);
        }
    }

    @Test
    void theSameChannelInTwoCasesIsLockedOnce() {
        Chan<Integer> ch = new Chan<>(1);
        ch.send(7);
        AtomicInteger got = new AtomicInteger();
        int chosen = new Select().onReceive(ch, r -> got.set(r.value())).onReceive(ch, r -> got.set(r.value())).run();
        assertTrue(chosen == 0 || chosen == 1);
        assertEquals(7, got.get());
        // Send and receive on one buffered channel: the send fits, the receive finds nothing.
        assertEquals(1, new Select().onReceive(ch).onSend(ch, 8).run());
        assertEquals(8, ch.receive().value());
    }

    @Test
    void aSelectIsReusableAndRunsOneCallerAtATime() {
        Chan<Integer> ch = new Chan<>(4);
        AtomicInteger sum = new AtomicInteger();
        AtomicReference<Select> self = new AtomicReference<>();
        AtomicReference<Throwable> nested = new AtomicReference<>();
        Select sel = new Select().onReceive(ch, r -> {
            sum.addAndGet(r.value());
            if (r.value() == 3) {
                try {
                    self.get().run();
                } catch (IllegalStateException e) {
                    nested.set(e);
                }
            }
        });
        self.set(sel);
        for (int i = 1; i <= 4; i++) {
            ch.send(i);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(0, sel.run());
        }
        assertEquals(10, sum.get());
        assertTrue(nested.get() instanceof IllegalStateException && nested.get().getMessage().contains("already running"),
                String.valueOf(nested.get()));
    }

    @Test
    void misuseIsRejectedWithAClearMessage() {
        IllegalStateException empty = assertThrows(IllegalStateException.class, () -> new Select().run());
        assertTrue(empty.getMessage().contains("wait forever"), empty.getMessage());
        assertThrows(NullPointerException.class, () -> new Select().onReceive(null));
        assertThrows(NullPointerException.class, () -> new Select().onSend(new Chan<String>(), null));
        IllegalStateException both = assertThrows(IllegalStateException.class,
                () -> new Select().orElse(() -> {}).timeout(Duration.ofSeconds(1), () -> {}));
        assertTrue(both.getMessage().contains("never"), both.getMessage());
        assertThrows(IllegalStateException.class, () -> new Select().timeout(Duration.ZERO, () -> {}).orElse(() -> {}));
        assertThrows(IllegalStateException.class, () -> new Select().orElse(() -> {}).orElse(() -> {}));
        // Only a default: legal, never waits.
        assertEquals(Select.DEFAULT, new Select().orElse(() -> {}).run());
        // Only a timeout: a sleep.
        assertEquals(Select.TIMEOUT, new Select().timeout(Duration.ofMillis(1), () -> {}).run());
    }

    @Test
    void anExceptionFromAnActionPropagatesAndLeavesTheSelectUsable() {
        Chan<Integer> ch = new Chan<>(2);
        ch.send(1);
        ch.send(2);
        AtomicInteger calls = new AtomicInteger();
        Select sel = new Select().onReceive(ch, r -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalArgumentException("boom");
            }
        });
        assertThrows(IllegalArgumentException.class, sel::run);
        assertEquals(0, sel.run());
        assertEquals(2, calls.get());
    }
}
