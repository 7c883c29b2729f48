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
 * The {@code runnext} slot: the owner swaps it (and queues what it displaced, as {@code P.put} does),
 * a thief whose victim's ring is empty takes runnext itself by CAS, as Go's last steal round does.
 */
@JCStressTest
@Description("The owner readies goroutine 1 and then goroutine 2 the way a processor readies a goroutine it "
        + "woke: swap it into runnext and put the goroutine it displaced on the ring. Meanwhile a thief steals "
        + "once with takeRunnext=true: from the ring if it has any, else the runnext goroutine itself. "
        + "Result: ids the thief got, id left in runnext, ids left in the owner's ring, and 1 if the owner's "
        + "second swap displaced goroutine 1 (else 0). Each goroutine must end up in exactly one place.")
@Outcome(id = "0, 2, 1, 1", expect = ACCEPTABLE, desc = "The thief found nothing (it came first).")
@Outcome(id = "1, 2, 0, 1", expect = ACCEPTABLE, desc = "The thief took goroutine 1 from the ring (it came last).")
@Outcome(id = "1, 2, 0, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "The thief took goroutine 1 out of runnext before the second swap, which then displaced nothing.")
@Outcome(id = "2, 0, 1, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "The thief took goroutine 2 out of runnext while the displaced goroutine 1 was not yet on the ring.")
@Outcome(expect = FORBIDDEN, desc = "A goroutine was lost or taken twice: runnext's swap and CAS failed to arbitrate.")
@State
public class RunnextGoesToExactlyOneTaker {
    private final LocalRunQueue owner = new LocalRunQueue(4);
    private final LocalRunQueue thief = new LocalRunQueue(4);
    private final Taken byThief = new Taken();
    private final G g1 = Fixtures.g(1);
    private final G g2 = Fixtures.g(2);

    private boolean secondSwapDisplaced;

    @Actor
    public void owner() {
        readyNext(g1);
        secondSwapDisplaced = readyNext(g2);
    }

    /**
     * What {@code P.put(g, true, global)} does; returns whether it displaced a goroutine. No
     * overflow queue: 2 goroutines never fill 4 slots (an overflow would fail with an NPE).
     */
    private boolean readyNext(G g) {
        G displaced = owner.swapRunnext(g);
        if (displaced != null) {
            owner.put(displaced, null);
        }
        return displaced != null;
    }

    @Actor
    public void thief() {
        byThief.add(thief.stealFrom(owner, StealPolicy.go(), true));
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        Fixtures.drain(thief, byThief);
        Taken runnext = new Taken();
        runnext.add(owner.pollRunnext());
        Taken ring = new Taken();
        Fixtures.drain(owner, ring);
        r.r1 = byThief.digits();
        r.r2 = runnext.digits();
        r.r3 = ring.digits();
        r.r4 = secondSwapDisplaced ? 1 : 0;
    }
}
