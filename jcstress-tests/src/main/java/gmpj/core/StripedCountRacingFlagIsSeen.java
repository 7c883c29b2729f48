package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The promise of {@link StripedCounter} on its own: an add followed by a read of a volatile flag,
 * racing a write of the flag followed by a sum, cannot both miss each other (the store-load pair
 * that {@link StripedCountRacingShutdownIsSeen} drives through the real spawn and shutdown, here
 * with nothing between the two accesses of each side, so that a missing fence shows often).
 *
 * <p>Checked against broken code: with {@link StripedCounter#add} a release store of the slot's
 * value plus one (no store-load fence) it reports the forbidden {@code 0, 0} (see
 * {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("A striped counter of 4 stripes at 0 and a volatile flag, clear. One thread adds 1 (a full-fence "
        + "getAndAdd on its stripe) and then reads the flag; the other sets the flag and then sums the stripes (each "
        + "read volatile), as an outside spawner and Lifecycle's termination decision do. "
        + "Result: the flag as the adder read it, the sum as the other thread read it.")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The add came first: the sum saw it, the adder did not see the flag.")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The flag came first: the adder saw it, the sum did not see the add.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Both wrote before either read: each saw the other.")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "Each missed the other: the add and the flag were not sequentially consistent.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome: a sum that is neither 0 nor 1.")
@State
public class StripedCountRacingFlagIsSeen {
    private final StripedCounter counter = new StripedCounter(4);
    private volatile boolean flag;

    @Actor
    public void adder(II_Result r) {
        counter.add(1);
        r.r1 = flag ? 1 : 0;
    }

    @Actor
    public void flagger(II_Result r) {
        flag = true;
        r.r2 = (int) counter.sum();
    }
}
