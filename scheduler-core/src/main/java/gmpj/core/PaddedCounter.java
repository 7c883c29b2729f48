package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One atomic long on cache lines of its own: for a scheduler-wide counter that carriers write
 * (the goroutine-id counter processors reserve batches from, the count of goroutines in blocking
 * calls, the idle and spinning counts of {@link Idle}), so that its writes do not invalidate whatever the JVM allocated next to it. Every
 * access is volatile ({@code getAndAdd} is a full fence).
 */
final class PaddedCounter extends PaddedCounterValue {
    long p10, p11, p12, p13, p14, p15, p16, p17;
    long p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;

    PaddedCounter(long initial) {
        setValue(initial);
    }
}

/** Padding before the value. */
abstract class PaddedCounterLhs {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
}

/** The value, between two pads. */
abstract class PaddedCounterValue extends PaddedCounterLhs {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(PaddedCounterValue.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private volatile long value;

    final void setValue(long v) {
        value = v;
    }

    /** Volatile load. */
    final long get() {
        return value;
    }

    /** Volatile CAS. */
    final boolean compareAndSet(long expect, long update) {
        return VALUE.compareAndSet(this, expect, update);
    }

    /** Full-fence add; returns the value before it. */
    final long getAndAdd(long delta) {
        return (long) VALUE.getAndAdd(this, delta);
    }
}
