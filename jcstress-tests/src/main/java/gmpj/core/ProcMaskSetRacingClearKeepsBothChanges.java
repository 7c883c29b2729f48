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
 * {@link ProcMask}: one processor's bit set while a neighbour's bit in the same word is cleared (a
 * processor going idle while another is taken off the idle set, or a heap getting its first timer
 * while another heap loses its last). Each change is one atomic read-modify-write of the word, so
 * neither undoes the other.
 *
 * <p>Checked against broken code: with {@link ProcMask#set} a volatile read of the word followed by
 * a volatile store (check-then-act) it reports the forbidden {@code 1, 1} (the clear undone); with
 * {@link ProcMask#clear} broken the same way, {@code 0, 0} (the set undone) (see
 * {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("A mask of 8 processors with only bit 1 set. One thread sets bit 0 (getAndBitwiseOr) while another "
        + "clears bit 1 of the same word (getAndBitwiseAnd). Result: bit 0, bit 1, read after both.")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "Both changes kept: bit 0 set, bit 1 clear.")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "The clear undone: the set of bit 0 wrote back a word read before it.")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "The set undone: the clear of bit 1 wrote back a word read before it.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
@State
public class ProcMaskSetRacingClearKeepsBothChanges {
    private final ProcMask mask = new ProcMask(8);

    public ProcMaskSetRacingClearKeepsBothChanges() {
        mask.set(1);
    }

    @Actor
    public void setZero() {
        mask.set(0);
    }

    @Actor
    public void clearOne() {
        mask.clear(1);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = mask.get(0) ? 1 : 0;
        r.r2 = mask.get(1) ? 1 : 0;
    }
}
