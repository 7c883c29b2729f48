package gmpj.stress;

import gmpj.sync.RWMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * RWMutex: a reader never overlaps the writer, and sees the writer's section whole or not at all.
 *
 * <p>Each section pauses between its two accesses (a few microseconds), so that a reader and a
 * writer that overlap, because one of them did not wait for the other, are caught in the middle:
 * without the pauses each section is two instructions, and an overlap seldom splits one.
 */
@JCStressTest
@Description("Driven from two plain threads. The writer takes the write lock of a gmpj RWMutex, writes a plain "
        + "int x = 1, pauses a few microseconds, writes y = 1, and unlocks. The reader takes the read lock, reads "
        + "x, pauses as long, reads y, and unlocks. Either the reader got in first (the writer then waits for it "
        + "to leave) or it arrived while the writer was in or waiting (it then waits for the writer's unlock, "
        + "which also publishes x and y). Result: x and y as the reader saw them.")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The reader's section ran first.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The writer's section ran first.")
@Outcome(id = {"1, 0", "0, 1"}, expect = FORBIDDEN, desc = "The reader overlapped the writer, or saw only half its writes.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: only 0 and 1 are ever written.")
@State
public class RWMutexReadersExcludeWriter {
    /** Pauses between a section's two accesses: a few microseconds. */
    private static final int PAUSES = 200;

    private final RWMutex rw = new RWMutex();
    private int x;
    private int y;

    @Actor
    public void writer() {
        rw.lock();
        try {
            x = 1;
            pause();
            y = 1;
        } finally {
            rw.unlock();
        }
    }

    @Actor
    public void reader(II_Result r) {
        rw.rlock();
        try {
            r.r1 = x;
            pause();
            r.r2 = y;
        } finally {
            rw.runlock();
        }
    }

    private static void pause() {
        for (int i = 0; i < PAUSES; i++) {
            Thread.onSpinWait();
        }
    }
}
