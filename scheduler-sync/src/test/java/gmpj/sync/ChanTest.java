package gmpj.sync;

import static gmpj.sync.SyncTestSupport.LIVENESS;
import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.joinThread;
import static gmpj.sync.SyncTestSupport.runTogether;
import static gmpj.sync.SyncTestSupport.scheduler;
import static gmpj.sync.SyncTestSupport.startThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Scheduler;
import gmpj.core.Task;
import gmpj.sync.SyncTestSupport.TestThread;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chan: Go's rules for unbuffered and buffered channels and for close, timed and non-blocking
 * operations, misuse, and mixed goroutine/thread use. The programs from Go's tutorials (pipelines,
 * fan-in, worker pools, the owned counter) are in {@link ChanProgramsTest}.
 */
class ChanTest {

    @Test
    void bufferedChannelKeepsFifoOrderAndReportsSizeAndCapacity() {
        Chan<Integer> ch = new Chan<>(3);
        assertEquals(3, ch.capacity());
        assertTrue(ch.trySend(1));
        assertTrue(ch.trySend(2));
        assertTrue(ch.trySend(3));
        assertFalse(ch.trySend(4), "a full buffer refuses a non-blocking send");
        assertEquals(3, ch.size());
        assertEquals(1, ch.receive().value());
        assertTrue(ch.trySend(4), "room again after one receive");
        assertEquals(List.of(2, 3, 4), List.of(ch.receive().value(), ch.receive().value(), ch.receive().value()));
        assertTrue(ch.tryReceive().timedOut(), "empty and open: nothing ready");
        assertEquals(0, ch.size());
    }

    @Test
    void unbufferedChannelHasNoRoomWithoutAReceiver() {
        Chan<String> ch = new Chan<>();
        assertEquals(0, ch.capacity());
        assertFalse(ch.trySend("x"), "no receiver waiting: an unbuffered send cannot complete");
        assertTrue(ch.tryReceive().timedOut());
    }

    @ParameterizedTest(name = "capacity={0}")
    @ValueSource(ints = {0, 1, 5})
    void closeLetsBufferedValuesDrainThenReportsClosed(int capacity) {
        Chan<Integer> ch = new Chan<>(capacity);
        for (int i = 0; i < capacity; i++) {
            ch.send(i);
        }
        ch.close();
        assertTrue(ch.isClosed());
        for (int i = 0; i < capacity; i++) {
            Received<Integer> r = ch.receive();
            assertTrue(r.ok());
            assertEquals(i, r.value());
        }
        Received<Integer> r = ch.receive();
        assertTrue(r.closed());
        assertFalse(r.ok());
        assertFalse(r.timedOut());
        assertEquals(-1, r.orElse(-1));
        assertThrows(NoSuchElementException.class, r::value);
        assertTrue(ch.tryReceive().closed(), "tryReceive also says closed");
        assertTrue(ch.receive(Duration.ofSeconds(5)).closed(), "a timed receive returns at once when closed");
    }

    @Test
    void sendOnClosedAndDoubleCloseThrowWithGoMessages() {
        Chan<Integer> ch = new Chan<>(2);
        ch.close();
        ChanClosedException send = assertThrows(ChanClosedException.class, () -> ch.send(1));
        assertTrue(send.getMessage().startsWith("send on closed channel"), send.getMessage());
        assertThrows(ChanClosedException.class, () -> ch.trySend(1));
        assertThrows(ChanClosedException.class, () -> ch.send(1, Duration.ofMillis(1)));
        ChanClosedException twice = assertThrows(ChanClosedException.class, ch::close);
        assertTrue(twice.getMessage().startsWith("close of closed channel"), twice.getMessage());
    }

    @Test
    void capacityAboveTheLimitIsRejectedNamingTheLimit() {
        for (int capacity : new int[] {Chan.MAX_CAPACITY + 1, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Chan<>(capacity));
            assertTrue(e.getMessage().contains("capacity") && e.getMessage().contains(String.valueOf(capacity))
                    && e.getMessage().contains(String.valueOf(Chan.MAX_CAPACITY)), e.getMessage());
        }
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        IllegalArgumentException cap = assertThrows(IllegalArgumentException.class, () -> new Chan<>(-1));
        assertTrue(cap.getMessage().contains("-1"), cap.getMessage());
        Chan<String> ch = new Chan<>(1);
        NullPointerException npe = assertThrows(NullPointerException.class, () -> ch.send(null));
        assertTrue(npe.getMessage().contains("null"), npe.getMessage());
        assertThrows(NullPointerException.class, () -> ch.trySend(null));
        assertThrows(NullPointerException.class, () -> ch.receive(null));
        assertEquals(0, ch.size(), "a rejected send leaves nothing behind");
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void closeWakesEveryBlockedReceiverWithClosedAndEveryBlockedSenderWithAnException(int procs) {
        Chan<Integer> receiveFrom = new Chan<>();
        Chan<Integer> sendTo = new Chan<>();
        try (Scheduler s = scheduler("close-wakes", procs)) {
            List<Task<Received<Integer>>> receivers = new ArrayList<>();
            List<Task<Throwable>> senders = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                receivers.add(s.submit(() -> receiveFrom.receive()));
                int v = i;
                senders.add(s.submit(() -> {
                    try {
                        sendTo.send(v);
                        return null;
                    } catch (ChanClosedException e) {
                        return e;
                    }
                }));
            }
            awaitCondition("5 receivers and 5 senders blocked", () -> receiveFrom.toString().contains("receivers=5")
                    && sendTo.toString().contains("senders=5"));
            receiveFrom.close();
            sendTo.close();
            for (Task<Received<Integer>> t : receivers) {
                assertTrue(join(s, t).closed());
            }
            for (Task<Throwable> t : senders) {
                Throwable e = join(s, t);
                assertTrue(e instanceof ChanClosedException && e.getMessage().contains("closed while the sender waited"),
                        String.valueOf(e));
            }
        }
    }

    @Test
    void timedOperationsGiveUpAndLeaveTheQueue() {
        Chan<String> ch = new Chan<>();
        assertFalse(ch.send("late", Duration.ofMillis(20)), "nobody received");
        assertTrue(ch.receive(Duration.ofMillis(20)).timedOut(), "nobody sent");
        assertTrue(ch.toString().contains("senders=0, receivers=0"), "both waiters left the queues: " + ch);
        // The abandoned send must not be delivered later.
        assertTrue(ch.tryReceive().timedOut());
    }

    @Test
    void zeroOrNegativeTimeoutOnlyTries() {
        Chan<String> ch = new Chan<>(1);
        assertTrue(ch.send("a", Duration.ZERO));
        assertFalse(ch.send("b", Duration.ofMillis(-5)));
        assertEquals("a", ch.receive(Duration.ZERO).value());
        assertTrue(ch.receive(Duration.ofMillis(-1)).timedOut());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void timedReceiveGetsAValueSentWhileItWaits(int procs) {
        Chan<String> ch = new Chan<>();
        try (Scheduler s = scheduler("timed-recv", procs)) {
            Task<Received<String>> r = s.submit(() -> ch.receive(LIVENESS));
            awaitCondition("the receiver to block", () -> ch.toString().contains("receivers=1"));
            ch.send("hello");
            assertEquals("hello", join(s, r).value());
        }
    }

    @Test
    void iterationEndsWhenTheChannelIsClosedAndDrained() {
        Chan<Integer> ch = new Chan<>(10);
        for (int i = 0; i < 10; i++) {
            ch.send(i);
        }
        ch.close();
        int sum = 0;
        int n = 0;
        for (int v : ch) {
            sum += v;
            n++;
        }
        assertEquals(10, n);
        assertEquals(45, sum);
        Iterator<Integer> it = ch.iterator();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @ParameterizedTest(name = "capacity={0}")
    @ValueSource(ints = {0, 1, 16})
    void goroutinesAndThreadsShareAChannelEveryValueDeliveredOnce(int capacity) {
        int producers = 6; // 4 goroutines, 2 threads
        int consumers = 6;
        int perProducer = 2000;
        Chan<Integer> ch = new Chan<>(capacity);
        AtomicIntegerArray seen = new AtomicIntegerArray(producers * perProducer);
        AtomicInteger producersLeft = new AtomicInteger(producers);
        try (Scheduler s = scheduler("mixed", 2)) {
            // indexes 0..7 goroutines, 8..11 threads: even indexes produce, odd ones consume
            runTogether(s, 8, 4, i -> {
                if (i % 2 == 0) {
                    int p = i / 2;
                    for (int k = 0; k < perProducer; k++) {
                        ch.send(p * perProducer + k);
                    }
                    if (producersLeft.decrementAndGet() == 0) {
                        ch.close();
                    }
                } else {
                    for (int v : ch) {
                        seen.incrementAndGet(v);
                    }
                }
            });
        }
        for (int v = 0; v < seen.length(); v++) {
            assertEquals(1, seen.get(v), "value " + v);
        }
        assertEquals(0, ch.size());
    }

    @Test
    void unbufferedSendHappensBeforeTheReceiveCompletes() {
        // Go's memory model: a send happens before the corresponding receive completes.
        int rounds = 5000;
        int[] data = new int[rounds];
        Chan<Integer> ch = new Chan<>();
        try (Scheduler s = scheduler("hb", 2)) {
            Task<Void> producer = s.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    data[i] = i + 1; // plain write
                    ch.send(i);
                }
            });
            Task<Integer> consumer = s.submit(() -> {
                int bad = 0;
                for (int i = 0; i < rounds; i++) {
                    int idx = ch.receive().value();
                    if (data[idx] != idx + 1) {
                        bad++;
                    }
                }
                return bad;
            });
            join(s, producer);
            assertEquals(0, join(s, consumer));
        }
    }

    @Test
    void aBlockedSenderOnAThreadIsServedByAGoroutineAndTheOtherWayRound() {
        Chan<String> toGoroutine = new Chan<>();
        Chan<String> toThread = new Chan<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> got = new AtomicReference<>();
        try (Scheduler s = scheduler("thread-g", 1)) {
            TestThread sender = startThread("sender", () -> toGoroutine.send("from thread"), failure);
            TestThread receiver = startThread("receiver", () -> got.set(toThread.receive().value()), failure);
            Task<String> g = s.submit(() -> {
                String v = toGoroutine.receive().value();
                toThread.send("from goroutine");
                return v;
            });
            assertEquals("from thread", join(s, g));
            joinThread(sender);
            joinThread(receiver);
        }
        assertNull(failure.get());
        assertEquals("from goroutine", got.get());
    }

    @Test
    void aThreadWaitIsUninterruptibleAndKeepsTheInterruptFlag() {
        Chan<String> ch = new Chan<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> got = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        TestThread t = startThread("uninterruptible", () -> {
            got.set(ch.receive().value());
            flag.set(Thread.currentThread().isInterrupted());
        }, failure);
        awaitCondition("the thread to block", () -> ch.toString().contains("receivers=1"));
        t.interrupt();
        awaitCondition("the thread to be back in its wait", () -> t.getState() == Thread.State.WAITING);
        ch.send("after interrupt");
        joinThread(t);
        assertNull(failure.get());
        assertEquals("after interrupt", got.get());
        assertTrue(flag.get(), "the interrupt flag is set again when the receive returns");
    }

    /**
     * A timed receive that has given up (its CAS to CANCELLED won) but has not yet taken the channel
     * lock to unlink its node is still queued. A sender that finds it there must see that it gave up
     * and not hand it the value. The test holds the channel lock across that moment and makes the
     * sender's step there, so the order is certain. A server that settled every plain node with a
     * store, as it may a node that waits until served, would overwrite the cancellation: the send
     * would count as done and the value would be lost.
     */
    @Test
    void aSenderSkipsATimedReceiverThatGaveUpWhileStillQueued() throws ReflectiveOperationException {
        Field receivers = Chan.class.getDeclaredField("receivers");
        receivers.setAccessible(true);
        for (int attempt = 1; ; attempt++) {
            Chan<Integer> ch = new Chan<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Received<Integer>> got = new AtomicReference<>();
            TestThread receiver = startThread("timed receiver", () -> got.set(ch.receive(Duration.ofSeconds(1))), failure);
            awaitCondition("the receiver to queue", () -> ch.toString().contains("receivers=1") || got.get() != null);
            ch.lock();
            ChanNode node = firstNode(receivers.get(ch));
            if (node == null) { // it gave up and left before this look: run the scene again
                ch.unlock();
                joinThread(receiver);
                assertTrue(attempt < 5, "the receiver left its queue before the test could look, 5 times");
                continue;
            }
            boolean served;
            try {
                awaitCondition("the receiver to give up", () -> node.state == ChanWait.CANCELLED);
                served = ch.offerLocked(42);
            } finally {
                ch.unlockAndWake();
            }
            joinThread(receiver);
            assertNull(failure.get());
            assertFalse(served, "the value was handed to a receiver that had given up");
            assertTrue(got.get().timedOut(), "the receiver gave up: " + got.get());
            return;
        }
    }

    /** The first node of a channel's {@code NodeQueue} (a private class), or null. */
    private static ChanNode firstNode(Object nodeQueue) throws ReflectiveOperationException {
        Field first = nodeQueue.getClass().getDeclaredField("first");
        first.setAccessible(true);
        return (ChanNode) first.get(nodeQueue);
    }
}
