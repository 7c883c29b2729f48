package gmpj.core;

import gmpj.core.Fixtures.Taken;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Go's {@code runqputslow}: a full ring spills half of itself plus the new goroutine to the
 * global queue, claiming that half with the same head CAS a thief uses.
 */
@JCStressTest
@Description("A processor's 4-slot run queue: its owner puts goroutines 1..5. The 5th put finds the ring "
        + "full and overflows: it claims the older half (2) by CAS on the head and moves it, plus goroutine 5, "
        + "to the global queue. Meanwhile a thief steals half of what it sees, once. "
        + "Result: ids the thief got, ids in the global queue (in the order they come out of it), ids left in the "
        + "owner's ring, and 1 if the owner overflowed (else 0). Each goroutine must end up in exactly one place, "
        + "and the spilled batch must come out of the global queue oldest first: 1, 2, then 5.")
@Outcome(id = "0, 125, 34, 1", expect = ACCEPTABLE, desc = "The thief found the queue empty; the 5th put overflowed.")
@Outcome(id = "1, 0, 2345, 0", expect = ACCEPTABLE,
        desc = "The thief took goroutine 1 early, which left room for the 5th: no overflow.")
@Outcome(id = "12, 0, 345, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "The thief took 2 from a (nearly) full ring, possibly winning the head CAS against the overflow, "
                + "which then found room and put goroutine 5 on the ring.")
@Outcome(id = "3, 125, 4, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "The overflow won (or came first): the thief then saw 3 and 4 and took half (goroutine 3).")
@Outcome(expect = FORBIDDEN, desc = "A goroutine was lost or taken twice (overflow and steal claimed the same slots), "
        + "or the spilled batch came out of order.")
@State
public class OverflowRacingStealLosesNoGoroutine {
    private final LocalRunQueue owner = new LocalRunQueue(4);
    private final LocalRunQueue thief = new LocalRunQueue(4);
    private final GlobalRunQueue global = new GlobalRunQueue();
    private final Taken byThief = new Taken();
    private final G g1 = Fixtures.g(1);
    private final G g2 = Fixtures.g(2);
    private final G g3 = Fixtures.g(3);
    private final G g4 = Fixtures.g(4);
    private final G g5 = Fixtures.g(5);
    private boolean overflowed;

    @Actor
    public void owner() {
        owner.put(g1, global);
        owner.put(g2, global);
        owner.put(g3, global);
        owner.put(g4, global);
        overflowed = owner.put(g5, global);
    }

    @Actor
    public void thief() {
        byThief.add(thief.stealFrom(owner, StealPolicy.go(), false));
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        Fixtures.drain(thief, byThief);
        int inGlobal = Fixtures.drainInOrder(global);
        Taken left = new Taken();
        Fixtures.drain(owner, left);
        r.r1 = byThief.digits();
        r.r2 = inGlobal;
        r.r3 = left.digits();
        r.r4 = overflowed ? 1 : 0;
    }
}
