package gmpj.sync;

import static gmpj.sync.SyncTestSupport.awaitCondition;
import static gmpj.sync.SyncTestSupport.join;
import static gmpj.sync.SyncTestSupport.joinThread;
import static gmpj.sync.SyncTestSupport.scheduler;
import static gmpj.sync.SyncTestSupport.startThread;
import static org.junit.jupiter.api.Assertions.assertNull;

import gmpj.sync.SyncTestSupport.TestThread;
import gmpj.core.GoroutineInfo;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import gmpj.core.WaitReason;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Every wait records its reason: a goroutine in the scheduler's {@code goroutines()}/{@code dump()},
 * a plain thread as its {@code LockSupport} blocker. Each waiter is watched until it is parked
 * with the expected reason, then released.
 */
class WaitReasonTest {

    /** How a wait of one primitive is entered and ended. */
    private record Case(WaitReason reason, Runnable setUp, Runnable waitFor, Runnable release) {}

    private static Case[] cases() {
        Mutex mu = new Mutex();
        RWMutex readersWait = new RWMutex();
        RWMutex writerWaits = new RWMutex();
        WaitGroup wg = new WaitGroup();
        Mutex condLock = new Mutex();
        Cond cond = new Cond(condLock);
        Semaphore sem = new Semaphore(1);
        Chan<String> toSend = new Chan<>();
        Chan<String> toReceive = new Chan<>();
        Chan<String> selected = new Chan<>();
        return new Case[] {
            new Case(WaitReason.MUTEX, mu::lock, () -> {
                mu.lock();
                mu.unlock();
            }, mu::unlock),
            new Case(WaitReason.RWMUTEX_R, readersWait::lock, () -> {
                readersWait.rlock();
                readersWait.runlock();
            }, readersWait::unlock),
            new Case(WaitReason.RWMUTEX, writerWaits::rlock, () -> {
                writerWaits.lock();
                writerWaits.unlock();
            }, writerWaits::runlock),
            new Case(WaitReason.WAITGROUP, () -> wg.add(1), wg::await, wg::done),
            new Case(WaitReason.COND, () -> { }, () -> {
                condLock.lock();
                cond.await();
                condLock.unlock();
            }, cond::signal),
            new Case(WaitReason.SEMAPHORE, sem::acquire, () -> {
                sem.acquire();
                sem.release();
            }, sem::release),
            new Case(WaitReason.CHAN_SEND, () -> { }, () -> toSend.send("x"), () -> toSend.receive().value()),
            new Case(WaitReason.CHAN_RECV, () -> { }, () -> toReceive.receive().value(), () -> toReceive.send("y")),
            new Case(WaitReason.SELECT, () -> { }, () -> new Select().onReceive(selected).onReceive(new Chan<Integer>()).run(),
                    () -> selected.send("z")),
        };
    }

    @Test
    void aWaitingThreadShowsItsReasonAsItsBlocker() {
        for (Case c : cases()) {
            c.setUp().run();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            TestThread t = startThread("waits-" + c.reason(), c.waitFor(), failure);
            awaitCondition("the thread to park with reason " + c.reason() + " (blocker now: " + LockSupport.getBlocker(t) + ")",
                    () -> LockSupport.getBlocker(t) == c.reason());
            c.release().run();
            joinThread(t);
            assertNull(failure.get());
        }
    }

    @Test
    void aWaitingGoroutineShowsItsReasonInTheDump() {
        try (Scheduler s = scheduler("reasons", 2)) {
            for (Case c : cases()) {
                c.setUp().run();
                Task<Void> waiter = s.submit(c.waitFor());
                awaitCondition("goroutine " + waiter.id() + " to wait with reason " + c.reason() + "; dump:\n" + s.dump(),
                        () -> reasonOf(s, waiter.id()) == c.reason());
                c.release().run();
                join(s, waiter);
            }
        }
    }

    @Test
    void callersWaitingForAOnceActionShowTheOnceReason() {
        Once once = new Once();
        WaitGroup inAction = new WaitGroup();
        WaitGroup finish = new WaitGroup();
        inAction.add(1);
        finish.add(1);
        try (Scheduler s = scheduler("once-reason", 2)) {
            Task<Void> runner = s.submit(() -> once.run(() -> {
                inAction.done();
                finish.await();
            }));
            inAction.await();
            Task<Void> waiter = s.submit(() -> once.run(() -> { }));
            awaitCondition("goroutine " + waiter.id() + " to wait for the Once; dump:\n" + s.dump(),
                    () -> reasonOf(s, waiter.id()) == WaitReason.ONCE);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            TestThread t = startThread("waits-once", () -> once.run(() -> { }), failure);
            awaitCondition("the thread to wait for the Once", () -> LockSupport.getBlocker(t) == WaitReason.ONCE);
            finish.done();
            join(s, runner);
            join(s, waiter);
            joinThread(t);
            assertNull(failure.get());
        }
    }

    private static WaitReason reasonOf(Scheduler s, long id) {
        for (GoroutineInfo g : s.goroutines()) {
            if (g.id() == id) {
                return g.waitReason();
            }
        }
        return null;
    }
}
