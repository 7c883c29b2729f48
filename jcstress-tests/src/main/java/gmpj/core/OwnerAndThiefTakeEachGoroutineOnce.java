package gmpj.core;

import gmpj.core.Fixtures.Taken;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The owner of a local run queue and one thief, both consuming from its head: Go's
 * {@code runqput}/{@code runqget} against {@code runqsteal}.
 */
@JCStressTest
@Description("A processor's 4-slot run queue: its owner puts goroutines 1, 2, 3 and then polls twice, "
        + "while a thief (an idle processor, its own queue empty) steals half of what it sees, once, with Go's "
        + "policy. Owner and thief both advance the queue's head by CAS. "
        + "Result: ids the owner polled, ids the thief got (the one it runs plus those it queued), ids left in "
        + "the owner's ring (drained afterwards). Each goroutine must end up in exactly one of the three.")
@Outcome(id = "12, 0, 3", expect = ACCEPTABLE, desc = "The thief looked first and found the queue empty.")
@Outcome(id = "23, 1, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "The thief stole in the middle of the owner's puts (it saw 1 or 2 goroutines and took 1).")
@Outcome(id = "3, 12, 0", expect = ACCEPTABLE, desc = "The thief saw all 3 before the owner polled and took half (2).")
@Outcome(id = "13, 2, 0", expect = ACCEPTABLE, desc = "The thief stole between the owner's two polls.")
@Outcome(id = "12, 3, 0", expect = ACCEPTABLE, desc = "The thief came after the owner's polls and took the last one.")
@Outcome(expect = FORBIDDEN, desc = "A goroutine was lost or taken twice: the head CAS failed to arbitrate.")
@State
public class OwnerAndThiefTakeEachGoroutineOnce {
    private final LocalRunQueue owner = new LocalRunQueue(4);
    private final LocalRunQueue thief = new LocalRunQueue(4);
    private final Taken byOwner = new Taken();
    private final Taken byThief = new Taken();
    private final G g1 = Fixtures.g(1);
    private final G g2 = Fixtures.g(2);
    private final G g3 = Fixtures.g(3);

    @Actor
    public void owner() {
        // No overflow queue: 3 puts never fill 4 slots (an overflow would fail with an NPE).
        owner.put(g1, null);
        owner.put(g2, null);
        owner.put(g3, null);
        byOwner.add(owner.poll());
        byOwner.add(owner.poll());
    }

    @Actor
    public void thief() {
        byThief.add(thief.stealFrom(owner, StealPolicy.go(), false));
    }

    @Arbiter
    public void arbiter(III_Result r) {
        Fixtures.drain(thief, byThief);
        Taken left = new Taken();
        Fixtures.drain(owner, left);
        r.r1 = byOwner.digits();
        r.r2 = byThief.digits();
        r.r3 = left.digits();
    }
}
