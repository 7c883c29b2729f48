package gmpj.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link ProcMask}: two processors' bits in the same word set at once (two processors going idle,
 * or two heaps getting their first timer). Each set is one atomic read-modify-write of the word, so
 * neither overwrites the other's bit.
 *
 * <p>Checked against broken code: with {@link ProcMask#set} a volatile read of the word followed by a
 * volatile store of it with the bit or-ed in (check-then-act) it reports the forbidden {@code 1, 0}
 * and {@code 0, 1} (see {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("A mask of 8 processors, all bits clear. One thread sets bit 0 while another sets bit 1 of the same "
        + "word (getAndBitwiseOr each). Result: bit 0, bit 1, read after both.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Both bits set.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Bit 1 lost: the set of bit 0 wrote back a word read before it.")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "Bit 0 lost: the set of bit 1 wrote back a word read before it.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
@State
public class ProcMaskSetsRacingKeepBothBits {
    private final ProcMask mask = new ProcMask(8);

    @Actor
    public void setZero() {
        mask.set(0);
    }

    @Actor
    public void setOne() {
        mask.set(1);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = mask.get(0) ? 1 : 0;
        r.r2 = mask.get(1) ? 1 : 0;
    }
}
