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
 * Two thieves robbing the same queue at once. The two-actor companion of
 * {@link OwnerAndTwoThievesTakeEachGoroutineOnce}, which needs three CPUs to run at all.
 */
@JCStressTest
@Description("A processor's 8-slot run queue holds goroutines 1, 2, 3, 4 (its owner is busy elsewhere). Two "
        + "thieves (idle processors A and B) each steal half of what they see, once, with Go's policy; both "
        + "copy slots first and then claim them by CAS on the head, so one of them may have to retry. "
        + "Result: ids thief A got, ids thief B got, ids left in the ring. Each goroutine must end up in exactly "
        + "one place.")
@Outcome(id = "12, 3, 4", expect = ACCEPTABLE, desc = "A stole first (half of 4), then B (half of the 2 left).")
@Outcome(id = "3, 12, 4", expect = ACCEPTABLE, desc = "B stole first (half of 4), then A (half of the 2 left).")
@Outcome(id = {"12, 0, 34", "0, 12, 34"}, expect = FORBIDDEN,
        desc = "Impossible: a thief that lost the CAS retries, and goroutines 3 and 4 were there to take.")
@Outcome(expect = FORBIDDEN, desc = "A goroutine was lost or taken twice: the head CAS failed to arbitrate.")
@State
public class TwoThievesTakeEachGoroutineOnce {
    private final LocalRunQueue victim = new LocalRunQueue(8);
    private final LocalRunQueue thiefA = new LocalRunQueue(8);
    private final LocalRunQueue thiefB = new LocalRunQueue(8);
    private final Taken byA = new Taken();
    private final Taken byB = new Taken();

    public TwoThievesTakeEachGoroutineOnce() {
        for (int id = 1; id <= 4; id++) {
            victim.put(Fixtures.g(id), null); // 4 of 8 slots: no overflow queue needed
        }
    }

    @Actor
    public void thiefA() {
        byA.add(thiefA.stealFrom(victim, StealPolicy.go(), false));
    }

    @Actor
    public void thiefB() {
        byB.add(thiefB.stealFrom(victim, StealPolicy.go(), false));
    }

    @Arbiter
    public void arbiter(III_Result r) {
        Fixtures.drain(thiefA, byA);
        Fixtures.drain(thiefB, byB);
        Taken left = new Taken();
        Fixtures.drain(victim, left);
        r.r1 = byA.digits();
        r.r2 = byB.digits();
        r.r3 = left.digits();
    }
}
