package gmpj.stress;

import gmpj.sync.Mutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** Mutex.tryLock racing the unlock of the current holder: it wins or fails cleanly, and the state agrees. */
@JCStressTest
@Description("Driven from two plain threads. The mutex starts locked (a Mutex is not owned, so any thread may "
        + "unlock it). One thread unlocks it; the other calls tryLock(), which never waits. If tryLock() came "
        + "after the unlock it must succeed and leave the mutex locked; if it came before, it must fail and "
        + "the unlock must leave the mutex free. Result: 1 if unlock() returned (-1 if it threw), 1 if tryLock() "
        + "succeeded, 1 if the mutex is locked afterwards.")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "tryLock() came after the unlock and took the mutex.")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "tryLock() came while the mutex was still locked; the unlock then freed it.")
@Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "tryLock() reported success but the mutex is free: a lock was lost.")
@Outcome(id = "1, 0, 1", expect = FORBIDDEN, desc = "tryLock() failed yet the mutex stayed locked: the unlock was lost.")
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "unlock() of a locked mutex threw IllegalStateException.")
@Outcome(expect = FORBIDDEN, desc = "Impossible.")
@State
public class MutexTryLockRacingUnlock {
    private final Mutex mu = new Mutex();

    public MutexTryLockRacingUnlock() {
        mu.lock();
    }

    @Actor
    public void unlocker(III_Result r) {
        try {
            mu.unlock();
            r.r1 = 1;
        } catch (IllegalStateException e) {
            r.r1 = -1;
        }
    }

    @Actor
    public void tryLocker(III_Result r) {
        r.r2 = mu.tryLock() ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = mu.isLocked() ? 1 : 0;
    }
}
