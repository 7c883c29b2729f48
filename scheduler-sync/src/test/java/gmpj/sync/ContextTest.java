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
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Context: cancellation trees, deadlines observed by waiters, values, and the goroutine leak it prevents. */
class ContextTest {

    @Test
    void backgroundIsNeverDone() {
        Context bg = Context.background();
        assertFalse(bg.isDone());
        assertNull(bg.err());
        assertNull(bg.cause());
        assertTrue(bg.remaining().isEmpty());
        assertTrue(bg.done().tryReceive().timedOut());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> bg.done().close());
        assertTrue(e.getMessage().contains("cancel"), e.getMessage());
        bg.throwIfDone();
    }

    @Test
    void cancelClosesDoneAndReportsCanceled() {
        Context.Cancellable ctx = Context.background().withCancel();
        Chan<Void> done = ctx.done();
        assertFalse(ctx.isDone());
        assertTrue(done.tryReceive().timedOut());
        ctx.cancel();
        assertTrue(done.tryReceive().closed());
        assertTrue(ctx.done().isClosed(), "a done channel asked for after cancel is closed too");
        assertSame(Context.Err.CANCELED, ctx.err());
        assertEquals("context canceled", ctx.cause().getMessage());
        CancellationException e = assertThrows(CancellationException.class, ctx::throwIfDone);
        assertEquals("context canceled", e.getMessage());
        ctx.cancel(); // idempotent
        assertSame(Context.Err.CANCELED, ctx.err());
        assertThrows(UnsupportedOperationException.class, () -> ctx.done().close());
    }

    @Test
    void cancellingAParentCancelsEveryDescendantButNeverTheOtherWayRound() {
        Context.Cancellable root = Context.background().withCancel();
        Context.Cancellable child = root.withCancel();
        Context valued = child.withValue("user", "ada");
        Context.Cancellable grandchild = valued.withTimeout(Duration.ofHours(1));
        Context.Cancellable sibling = root.withCancel();

        sibling.cancel();
        assertFalse(root.isDone(), "a child's cancel does not reach its parent");
        assertFalse(child.isDone());

        Chan<Void> grandchildDone = grandchild.done();
        child.cancel(new IOException("disk gone"));
        assertTrue(child.isDone());
        assertTrue(valued.isDone(), "a value context reports its parent's state");
        assertTrue(grandchild.isDone());
        assertTrue(grandchildDone.tryReceive().closed());
        assertTrue(grandchild.cause() instanceof IOException, "the cause flows down: " + grandchild.cause());
        CancellationException e = assertThrows(CancellationException.class, grandchild::throwIfDone);
        assertTrue(e.getCause() instanceof IOException);
        assertFalse(root.isDone());
        assertEquals("ada", grandchild.value("user"), "values are inherited");
        assertNull(root.value("user"));
    }

    @Test
    void aChildOfACancelledParentIsBornCancelled() {
        Context.Cancellable parent = Context.background().withCancel();
        parent.cancel();
        Context.Cancellable child = parent.withTimeout(Duration.ofHours(1));
        assertSame(Context.Err.CANCELED, child.err());
        assertTrue(child.done().tryReceive().closed());
    }

    @Test
    void deadlinePassesAndIsObservedByIsDone() {
        Context.Cancellable ctx = Context.background().withTimeout(Duration.ofMillis(20));
        assertTrue(ctx.remaining().isPresent());
        awaitCondition("the deadline to pass", ctx::isDone);
        assertSame(Context.Err.DEADLINE_EXCEEDED, ctx.err());
        assertEquals("context deadline exceeded", ctx.cause().getMessage());
        assertEquals(Duration.ZERO, ctx.remaining().orElseThrow());
    }

    @Test
    void aChildNeverOutlivesItsParentsDeadline() {
        Context.Cancellable parent = Context.background().withTimeout(Duration.ofMillis(20));
        Context.Cancellable child = parent.withTimeout(Duration.ofHours(1));
        assertTrue(child.remaining().orElseThrow().compareTo(Duration.ofMillis(20)) <= 0, child.toString());
        Context.Cancellable past = Context.background().withDeadline(Instant.now().minusSeconds(1));
        assertSame(Context.Err.DEADLINE_EXCEEDED, past.err());
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void aGoroutineWaitingOnDoneIsWokenByTheDeadline(int procs) {
        // Nobody calls cancel and nobody polls: the waiter's own timed park observes the deadline.
        try (Scheduler s = scheduler("deadline-wakes", procs)) {
            Context.Cancellable ctx = Context.background().withTimeout(Duration.ofMillis(30));
            Task<Received<Void>> waiter = s.submit(() -> ctx.done().receive());
            assertTrue(join(s, waiter).closed());
            Task<Integer> selector = s.submit(() -> new Select().onReceive(ctx.withCancel().done())
                    .onReceive(new Chan<String>()).run());
            assertEquals(0, join(s, selector), "a select on an expired context's child is ready at once");
        }
    }

    @Test
    void aThreadSelectingOnDoneIsWokenByTheDeadline() {
        Context.Cancellable ctx = Context.background().withTimeout(Duration.ofMillis(30));
        Chan<String> never = new Chan<>();
        assertEquals(1, new Select().onReceive(never).onReceive(ctx.done()).run());
        assertSame(Context.Err.DEADLINE_EXCEEDED, ctx.err());
    }

    @Test
    void aDeadlineWaitIsNotReportedAsADeadlock() {
        Queue<String> diag = new ConcurrentLinkedQueue<>();
        try (Scheduler s = Scheduler.builder().name("ctx-no-deadlock").procs(1).deadlockGrace(Duration.ofMillis(20))
                .diagnostics(diag::add).closeTimeout(LIVENESS).build()) {
            Context.Cancellable ctx = Context.background().withTimeout(Duration.ofMillis(200));
            assertTrue(join(s, s.submit(() -> ctx.done().receive())).closed());
            assertTrue(diag.stream().noneMatch(l -> l.contains("deadlock!")), "reported: " + diag);
        }
    }

    /** The Go blog's leaky generator, fixed: it stops when its consumer's context is cancelled. */
    private static Chan<Integer> generate(Scheduler s, Context ctx, AtomicInteger exited) {
        Chan<Integer> out = new Chan<>();
        s.go(() -> {
            try {
                boolean[] stop = {false};
                int[] next = {0};
                while (!stop[0]) {
                    new Select().onSend(out, next[0], () -> next[0]++).onReceive(ctx.done(), r -> stop[0] = true).run();
                }
            } finally {
                exited.incrementAndGet();
            }
        });
        return out;
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2})
    void cancellationLetsAnAbandonedProducerExitInsteadOfLeaking(int procs) {
        AtomicInteger exited = new AtomicInteger();
        try (Scheduler s = scheduler("leak", procs)) {
            try (Context.Cancellable ctx = Context.background().withCancel()) {
                for (int g = 0; g < 10; g++) {
                    Chan<Integer> numbers = generate(s, ctx, exited);
                    assertEquals(0, numbers.receive().value()); // the consumer wants only the first few
                    assertEquals(1, numbers.receive().value());
                }
                awaitCondition("10 producers blocked on their next send", () -> s.liveGoroutines() == 10);
            } // cancel: every producer's select takes the done case
            awaitCondition("every producer to exit", () -> exited.get() == 10 && s.liveGoroutines() == 0);
        }
    }

    @Test
    void aContextIsUsableFromManyGoroutinesAtOnce() {
        Context.Cancellable root = Context.background().withCancel();
        AtomicInteger woken = new AtomicInteger();
        try (Scheduler s = scheduler("ctx-many", 2)) {
            for (int i = 0; i < 200; i++) {
                Context child = i % 2 == 0 ? root.withCancel() : root.withValue("i", i);
                s.go(() -> {
                    if (child.done().receive().closed() && child.err() == Context.Err.CANCELED) {
                        woken.incrementAndGet();
                    }
                });
            }
            awaitCondition("200 waiters parked", () -> s.liveGoroutines() == 200 && s.goroutines().stream()
                    .allMatch(g -> "waiting".equals(g.state())));
            root.cancel();
            awaitCondition("every waiter to see the cancel", () -> woken.get() == 200);
        }
    }
}
