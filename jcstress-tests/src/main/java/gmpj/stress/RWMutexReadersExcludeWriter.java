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

/** RWMutex: a reader never overlaps the writer, and sees the writer's section whole or not at all. */
@JCStressTest
@Description("Driven from two plain threads. The writer takes the write lock of a gmpj RWMutex, writes two "
        + "plain ints x = 1 and y = 1, and unlocks. The reader takes the read lock, reads x and y, and "
        + "unlocks. Either the reader got in first (the writer then waits for it to leave) or it arrived while "
        + "the writer was in or waiting (it then waits for the writer's unlock, which also publishes x and y). "
        + "Result: x and y as the reader saw them.")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The reader's section ran first.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The writer's section ran first.")
@Outcome(id = {"1, 0", "0, 1"}, expect = FORBIDDEN, desc = "The reader overlapped the writer, or saw only half its writes.")
@Outcome(expect = FORBIDDEN, desc = "Impossible: only 0 and 1 are ever written.")
@State
public class RWMutexReadersExcludeWriter {
    private final RWMutex rw = new RWMutex();
    private int x;
    private int y;

    @Actor
    public void writer() {
        rw.lock();
        try {
            x = 1;
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
            r.r2 = y;
        } finally {
            rw.runlock();
        }
    }
}
