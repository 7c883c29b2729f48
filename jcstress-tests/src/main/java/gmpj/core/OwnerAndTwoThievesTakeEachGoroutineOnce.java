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
 * The owner of a local run queue and two thieves: two batches taken by CAS from the same head,
 * racing the owner's own polls. Three actors: jcstress runs it only on machines with at least three
 * CPUs; its two-actor companion {@link TwoThievesTakeEachGoroutineOnce} runs everywhere.
 */
@JCStressTest
@Description("Needs 3 CPUs. A processor's 8-slot run queue: its owner puts goroutines 1, 2, 3, 4 and polls "
        + "once, while two thieves (idle processors A and B) each steal half of what they see, once, with Go's "
        + "policy. Result: ids the owner polled, ids thief A got, ids thief B got, ids left in the owner's ring. "
        + "Too many interleavings to list one by one, so the outcomes are patterns: the regular expression "
        + "EACH_ONCE accepts a result only if each of the digits 1, 2, 3, 4 appears exactly once in it.")
@Outcome(id = OwnerAndTwoThievesTakeEachGoroutineOnce.EACH_ONCE + "\\d+, [1-9]\\d*, [1-9]\\d*, \\d+",
        expect = ACCEPTABLE_INTERESTING, desc = "Both thieves got goroutines, each a different one.")
@Outcome(id = OwnerAndTwoThievesTakeEachGoroutineOnce.EACH_ONCE + "\\d+, (0, \\d+|[1-9]\\d*, 0), \\d+",
        expect = ACCEPTABLE, desc = "At least one thief found the queue empty; each goroutine is in one place.")
@Outcome(expect = FORBIDDEN, desc = "A goroutine was lost or taken twice: the head CAS failed to arbitrate.")
@State
public class OwnerAndTwoThievesTakeEachGoroutineOnce {
    /** Look-aheads: the whole result holds exactly one 1, one 2, one 3 and one 4. */
    static final String EACH_ONCE = "(?=[^1]*1[^1]*$)(?=[^2]*2[^2]*$)(?=[^3]*3[^3]*$)(?=[^4]*4[^4]*$)";

    private final LocalRunQueue owner = new LocalRunQueue(8);
    private final LocalRunQueue thiefA = new LocalRunQueue(8);
    private final LocalRunQueue thiefB = new LocalRunQueue(8);
    private final Taken byOwner = new Taken();
    private final Taken byA = new Taken();
    private final Taken byB = new Taken();
    private final G g1 = Fixtures.g(1);
    private final G g2 = Fixtures.g(2);
    private final G g3 = Fixtures.g(3);
    private final G g4 = Fixtures.g(4);

    @Actor
    public void owner() {
        // No overflow queue: 4 puts never fill 8 slots (an overflow would fail with an NPE).
        owner.put(g1, null);
        owner.put(g2, null);
        owner.put(g3, null);
        owner.put(g4, null);
        byOwner.add(owner.poll());
    }

    @Actor
    public void thiefA() {
        byA.add(thiefA.stealFrom(owner, StealPolicy.go(), false));
    }

    @Actor
    public void thiefB() {
        byB.add(thiefB.stealFrom(owner, StealPolicy.go(), false));
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        Fixtures.drain(thiefA, byA);
        Fixtures.drain(thiefB, byB);
        Taken left = new Taken();
        Fixtures.drain(owner, left);
        r.r1 = byOwner.digits();
        r.r2 = byA.digits();
        r.r3 = byB.digits();
        r.r4 = left.digits();
    }
}
