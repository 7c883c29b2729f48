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
 * A carrier records two trace events into its buffer ({@link Tracer.Writer#record}: four plain
 * stores, then the new size with a release store) while a reader takes a snapshot of the buffer
 * ({@link Tracer.Buf#copyPublished}: the size with an acquire load, then a copy of that many longs),
 * as {@link Tracer#snapshot} does for every carrier's current buffer while the carriers go on
 * recording. The reader must see zero, one or two whole records, never a record whose size is
 * published but whose longs are not all there.
 *
 * <p>Checked against broken code: with the size published before the record's stores, the reader
 * sees torn records ({@code docs/jcstress-mutants.md} has the count).
 */
@JCStressTest
@Description("A trace buffer: the writer appends two records (time, packed kind/processor/arg, goroutine, arg2) "
        + "with plain stores and publishes each by a release store of the buffer's size; a reader copies what the "
        + "size (acquire) says is there. Result: records seen, records seen whole.")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The snapshot came first.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The snapshot saw the first record, whole.")
@Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "The snapshot saw both records, whole.")
@Outcome(expect = FORBIDDEN, desc = "A torn record: its size was published before all of its longs were visible.")
@State
public class TraceRecordRacingSnapshotSeesWholeRecords {
    private final Tracer.Buf buf = new Tracer.Buf(2);
    private final Tracer.Writer writer = new Tracer.Writer(null, 0, buf);

    @Actor
    public void carrier() {
        writer.record(TraceEvent.Kind.GO_START.ordinal(), 1, 41, 7, 43);
        writer.record(TraceEvent.Kind.GO_STOP.ordinal(), 1, 42, 8, 44);
    }

    @Actor
    public void snapshot(II_Result r) {
        long[] d = buf.copyPublished();
        int records = d.length / Tracer.EVENT_LONGS;
        int whole = 0;
        for (int i = 0; i < records; i++) {
            int at = i * Tracer.EVENT_LONGS;
            long packed = d[at + 1];
            boolean ok = d[at] != 0 && (packed >>> 56) == (i == 0 ? TraceEvent.Kind.GO_START : TraceEvent.Kind.GO_STOP).ordinal()
                    && (packed & Tracer.ARG_MASK) == 7 + i && d[at + 2] == 41 + i && d[at + 3] == 43 + i;
            whole += ok ? 1 : 0;
        }
        r.r1 = records;
        r.r2 = whole;
    }
}
