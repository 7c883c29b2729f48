package gmpj.sync;

import static gmpj.sync.SyncTestSupport.LIVENESS;
import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Synctest;
import gmpj.core.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Select case handles: which case fired, and switching a case off and on (Go's nil channel). */
class SelectCaseTest {

    @Test
    void runCaseReturnsTheHandleOfTheCaseThatFired() {
        Chan<String> empty = new Chan<>(1);
        Chan<String> full = new Chan<>(1);
        Select sel = new Select().onReceive(empty);
        Select.Case fromEmpty = sel.receive(empty);
        Select.Case fromFull = sel.receive(full);
        Chan<String> out = new Chan<>(1);
        Select.Case toOut = sel.send(out, "x");
        assertEquals(1, fromEmpty.index());
        assertEquals(2, fromFull.index());
        assertEquals(3, toOut.index());

        full.send("v");
        toOut.disable();
        assertSame(fromFull, sel.runCase());
        toOut.enable();
        assertSame(toOut, sel.runCase());
        assertEquals("x", out.receive().value());
        full.send("w");
        out.send("blocks the send case");
        assertEquals(fromFull.index(), sel.run(), "run() still returns the index");

        AtomicBoolean fallback = new AtomicBoolean();
        Select withDefault = new Select();
        withDefault.receive(empty);
        withDefault.orElse(() -> fallback.set(true));
        assertNull(withDefault.runCase(), "null when the default ran");
        assertTrue(fallback.get());
    }

    @Test
    void aDisabledReceiveCaseIsNeverTakenEvenWhenItsChannelIsReady() {
        Chan<Integer> a = new Chan<>(1);
        Chan<Integer> b = new Chan<>(1);
        Select sel = new Select();
        Select.Case fromA = sel.receive(a);
        Select.Case fromB = sel.receive(b);
        a.send(1);
        fromA.disable();
        assertFalse(fromA.isEnabled());
        for (int i = 0; i < 2000; i++) {
            b.send(2);
            assertSame(fromB, sel.runCase(), "run " + i);
        }
        assertEquals(1, a.size(), "the disabled case took nothing");
        assertTrue(sel.toString().contains("(disabled)"), sel.toString());

        fromA.enable();
        assertTrue(fromA.isEnabled());
        int tookA = 0;
        for (int i = 0; i < 2000 && tookA == 0; i++) {
            b.trySend(2);
            if (sel.runCase() == fromA) {
                tookA++;
            }
        }
        assertEquals(1, tookA, "once enabled, the ready case is chosen again (fair choice: 2000 misses is 2^-2000)");
        assertEquals(0, a.size());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void aDisabledCaseIsNotWaitedOn(int procs) {
        Chan<Integer> a = new Chan<>();
        Chan<Integer> b = new Chan<>();
        Select sel = new Select();
        Select.Case fromA = sel.receive(a);
        Select.Case fromB = sel.receive(b);
        fromA.disable();
        try (Scheduler s = scheduler("select-disabled-wait", procs)) {
            Task<Select.Case> selector = s.submit(sel::runCase);
            awaitCondition("the select to queue on b", () -> b.toString().contains("receivers=1"));
            assertTrue(a.toString().contains("receivers=0"), "no node on the disabled case's channel: " + a);
            assertFalse(a.trySend(1), "nobody receives on a");
            b.send(2);
            assertSame(fromB, join(s, selector));
        }
    }

    @Test
    void aCaseSwitchedOffByItsOwnActionSitsOutFromTheNextRun() {
        Chan<Integer> a = new Chan<>(4);
        Chan<Integer> b = new Chan<>(4);
        for (int i = 0; i < 4; i++) {
            a.send(i);
            b.send(i);
        }
        Select sel = new Select();
        AtomicReference<Select.Case> self = new AtomicReference<>();
        Select.Case fromA = sel.receive(a, r -> self.get().disable());
        self.set(fromA);
        Select.Case fromB = sel.receive(b);
        Select.Case first;
        do {
            first = sel.runCase();
        } while (first != fromA);
        assertFalse(fromA.isEnabled());
        while (b.size() > 0) {
            assertSame(fromB, sel.runCase());
        }
        assertEquals(3, a.size());
    }

    /**
     * Go's loop: {@code for a != nil || b != nil { select { case v, ok := <-a: if !ok { a = nil } ... } } }.
     * It runs exactly once per value and once per close: a run more means a disabled case fired.
     */
    private static List<Integer> merge(Chan<Integer> a, Chan<Integer> b, int values) {
        List<Integer> merged = new ArrayList<>();
        AtomicReference<Received<Integer>> got = new AtomicReference<>();
        Select sel = new Select();
        Select.Case fromA = sel.receive(a, got::set);
        Select.Case fromB = sel.receive(b, got::set);
        int runs = 0;
        while (fromA.isEnabled() || fromB.isEnabled()) {
            if (++runs > values + 2) {
                throw new AssertionError("the loop ran " + runs + " times for " + values + " values and two closes");
            }
            Select.Case fired = sel.runCase();
            if (got.get().closed()) {
                fired.disable();
            } else {
                merged.add(got.get().value());
            }
        }
        assertEquals(values + 2, runs, "one run per value and one per close");
        return merged;
    }

    private static void produce(Chan<Integer> out, int from, int count) {
        for (int v = from; v < from + count; v++) {
            out.send(v);
        }
        out.close();
    }

    private static void assertAllOnce(List<Integer> merged, int count) {
        assertEquals(count, merged.size(), String.valueOf(merged));
        boolean[] seen = new boolean[count];
        for (int v : merged) {
            assertFalse(seen[v], "value " + v + " twice");
            seen[v] = true;
        }
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void mergingTwoChannelsEndsExactlyWhenBothAreClosed(int procs) {
        int perChannel = 2000;
        Chan<Integer> a = new Chan<>();
        Chan<Integer> b = new Chan<>(3);
        try (Scheduler s = scheduler("select-merge", procs)) {
            Task<List<Integer>> merger = s.submit(() -> merge(a, b, 2 * perChannel));
            s.go(() -> produce(a, 0, perChannel));
            Task<Void> lateB = s.submit(() -> {
                SyncTestSupport.yieldUntil("a to be closed", a::isClosed);
                produce(b, perChannel, perChannel);
                return null;
            });
            List<Integer> merged = join(s, merger);
            join(s, lateB);
            assertTrue(a.isClosed() && b.isClosed(), "the loop ended only after both closed");
            assertAllOnce(merged, 2 * perChannel);
        }
    }

    @Test
    void mergingUnderManySchedules() {
        assertEquals(200, Synctest.explore(200, () -> {
            Scheduler s = Gmp.currentScheduler();
            Chan<Integer> a = new Chan<>();
            Chan<Integer> b = new Chan<>(1);
            s.go(() -> produce(a, 0, 5));
            s.go(() -> produce(b, 5, 5));
            List<Integer> merged = merge(a, b, 10);
            assertTrue(a.isClosed() && b.isClosed());
            assertAllOnce(merged, 10);
        }));
    }

    @Test
    void allCasesDisabledWithoutDefaultOrTimeoutThrowsInsteadOfWaitingForever() {
        Chan<Integer> a = new Chan<>(1);
        a.send(1);
        Select sel = new Select();
        Select.Case fromA = sel.receive(a);
        fromA.disable();
        IllegalStateException e = assertTimeoutPreemptively(LIVENESS,
                () -> assertThrows(IllegalStateException.class, sel::runCase));
        assertTrue(e.getMessage().contains("every case of Select[receive from Chan#") && e.getMessage().contains("disabled")
                && e.getMessage().contains("wait forever"), e.getMessage());
        assertEquals(1, a.size());
        fromA.enable();
        assertSame(fromA, sel.runCase(), "usable again once a case is enabled");

        a.send(2);
        AtomicBoolean fallback = new AtomicBoolean();
        Select withDefault = new Select();
        withDefault.receive(a).disable();
        withDefault.orElse(() -> fallback.set(true));
        assertEquals(Select.DEFAULT, withDefault.run());
        assertTrue(fallback.get());

        Select withTimeout = new Select();
        withTimeout.receive(a).disable();
        withTimeout.timeout(Duration.ofMillis(1), () -> {});
        assertEquals(Select.TIMEOUT, withTimeout.run(), "all disabled with a timeout: a sleep");
        assertEquals(1, a.size(), "the disabled cases took nothing");
    }

    @Test
    void handlesSayWhatTheyAre() {
        Select sel = new Select();
        Chan<String> ch = new Chan<>();
        Select.Case rx = sel.receive(ch);
        Select.Case tx = sel.send(ch, "v", () -> {});
        tx.disable();
        assertEquals("case 0: receive from Chan#" + idOf(ch), rx.toString());
        assertEquals("case 1: send to Chan#" + idOf(ch) + " (disabled)", tx.toString());
        NullPointerException nil = assertThrows(NullPointerException.class, () -> sel.receive(null));
        assertTrue(nil.getMessage().contains("Case.disable()"), nil.getMessage());
        assertThrows(NullPointerException.class, () -> sel.send(ch, null));
        assertThrows(NullPointerException.class, () -> sel.receive(ch, null));
    }

    private static long idOf(Chan<?> ch) {
        return ch.id;
    }
}
