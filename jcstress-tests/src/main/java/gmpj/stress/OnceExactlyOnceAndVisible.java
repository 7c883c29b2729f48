package gmpj.stress;

import gmpj.sync.Once;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** Once runs its action exactly once, and every caller returns only after it, seeing its writes. */
@JCStressTest
@Description("Driven from two plain threads; CheckThenActRunsTwice, done right. Both threads call run() on "
        + "the same gmpj Once with an action that increments a plain int counter and writes a plain int "
        + "value = 42. Exactly one call runs the action; the other returns at once if it was done, or waits "
        + "(queued, blocked) while it runs. Either way both threads then read the value and must see 42: "
        + "returning before the action finished, or without its writes visible, is a bug. "
        + "Result: the value each thread read after its run(), and how many times the action ran.")
@Outcome(id = "42, 42, 1", expect = ACCEPTABLE, desc = "Ran once; both callers saw its write.")
@Outcome(id = {".*, .*, 0", ".*, .*, 2"}, expect = FORBIDDEN, desc = "The action ran twice, or never.")
@Outcome(expect = FORBIDDEN, desc = "A caller returned from run() without seeing the action's write.")
@State
public class OnceExactlyOnceAndVisible {
    private final Once once = new Once();
    private int runs;
    private int value;

    private void action() {
        runs++;
        value = 42;
    }

    @Actor
    public void first(III_Result r) {
        once.run(this::action);
        r.r1 = value;
    }

    @Actor
    public void second(III_Result r) {
        once.run(this::action);
        r.r2 = value;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = runs;
    }
}
