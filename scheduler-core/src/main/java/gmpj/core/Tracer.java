package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One recording of a scheduler's execution trace: a window ({@link Scheduler#startTrace} to
 * {@link Scheduler#stopTrace}) or a flight recorder that keeps only the last {@link #windowNanos}.
 *
 * <h2>Buffers</h2>
 * Every carrier records into its own {@link Writer}, and so does sysmon; threads from outside
 * (and goroutines of other schedulers) share one writer under its monitor. A writer owns one
 * {@link Buf} at a time: a preallocated {@code long[]} of {@link #BUFFER_EVENTS} fixed-size records
 * of {@link #EVENT_LONGS} longs, written with plain stores and no lock. Only when it is full does the
 * writer take the tracer's lock, to hand the buffer to the list of full ones and take an empty one
 * from the free list (allocated only while the free list is empty and {@link #maxBuffers} is not
 * reached). Buffers are per carrier rather than per processor because a carrier is the one thread
 * that ever writes its buffer, with or without a processor (it parks, waits as a spare, finishes a
 * goroutine after a hand-off); every record names the processor it happened on.
 *
 * <h2>Publication and reading</h2>
 * A writer stores a record's four longs plainly, then the buffer's new size with a release store
 * ({@link Buf#publish}). A reader ({@link #snapshot}) holds the tracer's lock, which keeps every
 * writer's current buffer where it is (swapping one takes the lock), reads each size with an
 * acquire load and copies only that many longs: it sees whole records, never a torn one. Records a
 * writer adds while the copy runs are simply not in this snapshot.
 *
 * <h2>Limits</h2>
 * A window recording keeps every full buffer until {@link #maxBuffers}; past that, events are
 * dropped and counted ({@link Trace#droppedEvents()}), never blocking a carrier. A flight recorder
 * recycles the full buffers whose last event is older than its window, and at the limit recycles
 * the oldest full buffer even if it is still inside the window: memory is bounded either way.
 */
final class Tracer {
    /** Longs per record: time, then kind/processor/arg packed, then goroutine, then arg2. */
    static final int EVENT_LONGS = 4;
    /** Records per buffer: 4096 records are 128 KiB. */
    static final int BUFFER_EVENTS = 4096;
    /** The default memory bound: 256 MiB of buffers, about 8 million events. */
    static final long DEFAULT_MAX_BYTES = 256L << 20;

    final Scheduler s;
    /** System.nanoTime when the recording began. */
    final long startNanos;
    /** 0: keep everything (a window recording); else the flight recorder's window. */
    final long windowNanos;
    final int maxBuffers;
    /**
     * Names of the goroutines created with one while recording (ids of unnamed ones are not kept).
     * A flight recorder, which records for the scheduler's whole life, forgets a name once its
     * goroutine exited longer than a window ago ({@link #exited}, purged under the lock by
     * {@link #take} and {@link #snapshot}), so the map holds live goroutines and those of the window.
     */
    final Map<Long, String> names = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    /**
     * Flight recorder only: {exit time, id} of named goroutines that exited, oldest first; added by
     * the exiting goroutine's carrier ({@link Tracing#goStop}), purged under the tracer's lock.
     */
    final java.util.concurrent.ConcurrentLinkedQueue<long[]> exited = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Under the lock: forgets the names of goroutines that exited before {@code horizon}. */
    private void forgetExitedBefore(long horizon) {
        long[] e;
        while ((e = exited.peek()) != null && e[0] - horizon < 0) {
            exited.poll();
            names.remove(e[1]);
        }
    }

    // Guarded by this tracer's monitor.
    private final ArrayDeque<Buf> full = new ArrayDeque<>();
    private final ArrayDeque<Buf> free = new ArrayDeque<>();
    private final List<Writer> writers = new ArrayList<>();
    private int allocated;

    /** The writer of threads outside this scheduler's carriers and sysmon; used under its monitor. */
    final Writer outside;
    /** Sysmon's writer (sysmon is one thread). */
    final Writer sysmon;
    /** Reports the JVM's garbage collections into {@link #outside}; null where the JVM cannot tell of them. */
    private final GcWatch gcWatch;

    Tracer(Scheduler s, long windowNanos, long maxBytes) {
        this.s = s;
        this.windowNanos = windowNanos;
        long perBuffer = (long) BUFFER_EVENTS * EVENT_LONGS * Long.BYTES;
        this.maxBuffers = (int) Math.max(2, Math.min(Integer.MAX_VALUE, maxBytes / perBuffer));
        this.startNanos = System.nanoTime();
        this.outside = newWriter(TraceEvent.OUTSIDE);
        this.sysmon = newWriter(TraceEvent.SYSMON);
        this.gcWatch = GcWatch.start(this);
    }

    /**
     * A garbage collection ran from {@code start} (System.nanoTime) for {@code durationNanos}: recorded
     * by the outside writer under its monitor, at its start. The part before this recording began is
     * cut off.
     */
    void gc(long start, long durationNanos) {
        long cut = startNanos - start;
        if (cut > 0) {
            if (cut > durationNanos) {
                return;
            }
            start = startNanos;
            durationNanos -= cut;
        }
        synchronized (outside) {
            outside.recordAt(start, TraceEvent.Kind.GC.ordinal(), -1, 0, durationNanos, 0);
        }
    }

    /** Whether garbage collections are still reported into this recording. */
    boolean isWatchingGc() {
        return gcWatch != null && gcWatch.isListening();
    }

    /** The recording ends (or its scheduler terminated): no more garbage collections. Idempotent. */
    void stopGcWatch() {
        if (gcWatch != null) {
            gcWatch.stop();
        }
    }

    /** A full or partly full buffer of records, and the carrier that wrote it. */
    static final class Buf {
        private static final VarHandle SIZE;

        static {
            try {
                SIZE = MethodHandles.lookup().findVarHandle(Buf.class, "size", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long[] data;
        /** Longs written and published; see the class comment of {@link Tracer}. */
        @SuppressWarnings("unused")
        private int size;
        /** The writer's carrier, set when the buffer is handed to it (under the tracer's lock). */
        int carrier;

        Buf(int events) {
            data = new long[events * EVENT_LONGS];
        }

        /** A reader: a copy of the published records, whole ones only (see the class comment of {@link Tracer}). */
        long[] copyPublished() {
            return java.util.Arrays.copyOf(data, sizeAcquire());
        }

        /** The writer: plain read of its own size. */
        int sizePlain() {
            return (int) SIZE.get(this);
        }

        /** The writer: publishes the records before {@code n} (release: the records' stores come first). */
        void publish(int n) {
            SIZE.setRelease(this, n);
        }

        /** A reader: how many longs are published (acquire: pairs with {@link #publish}). */
        int sizeAcquire() {
            return (int) SIZE.getAcquire(this);
        }

        /** The time of the last published record, or Long.MIN_VALUE if empty. */
        long lastTime() {
            int n = sizeAcquire();
            return n == 0 ? Long.MIN_VALUE : data[n - EVENT_LONGS];
        }
    }

    /** The single writer of one carrier (or sysmon, or the shared outside writer under its monitor). */
    static final class Writer {
        final Tracer tracer;
        final int carrier;
        /** The buffer being written: replaced only by this writer, under the tracer's lock. Null while dropping. */
        Buf cur;

        Writer(Tracer tracer, int carrier, Buf first) {
            this.tracer = tracer;
            this.carrier = carrier;
            this.cur = first;
        }

        /** Appends one record, stamped now; takes the tracer's lock only when the buffer is full. */
        void record(int kind, int proc, long goroutine, long arg, long arg2) {
            recordAt(System.nanoTime(), kind, proc, goroutine, arg, arg2);
        }

        /**
         * Appends one record that happened at {@code time} (System.nanoTime), for an event told of
         * after the fact: a garbage collection. The snapshot sorts by time, so it need not be the
         * writer's latest. (A full buffer's age, for the flight recorder's window, is its last
         * record's: one that ends with such a record looks older by at most that event's delay.)
         */
        void recordAt(long time, int kind, int proc, long goroutine, long arg, long arg2) {
            Buf b = cur;
            int n = b == null ? 0 : b.sizePlain();
            if (b == null || n == b.data.length) {
                b = tracer.swap(this);
                if (b == null) {
                    tracer.dropped.increment();
                    return;
                }
                n = 0;
            }
            long[] d = b.data;
            d[n] = time;
            d[n + 1] = (long) kind << 56 | (long) ((proc + 1) & 0xFFFF) << 40 | (arg & ARG_MASK);
            d[n + 2] = goroutine;
            d[n + 3] = arg2;
            b.publish(n + EVENT_LONGS);
        }
    }

    /** The bits of {@code arg} a record keeps (40: counts, processor and carrier numbers, nanoseconds up to 18 minutes). */
    static final long ARG_MASK = (1L << 40) - 1;

    /**
     * A carrier's thread ends: its partly filled buffer joins the full ones (its events stay in the
     * recording) and the writer is forgotten, so carriers that come and go do not pile up buffers.
     */
    synchronized void retire(Writer w) {
        if (writers.remove(w) && w.cur != null) {
            full.addLast(w.cur);
            w.cur = null;
        }
    }

    /** A writer for carrier {@code carrier}, with its first buffer (null if none can be had: it drops). */
    synchronized Writer newWriter(int carrier) {
        Writer w = new Writer(this, carrier, null);
        w.cur = take(carrier); // null at the limit: its first record tries again (see swap)
        writers.add(w);
        return w;
    }

    /**
     * The writer's buffer is full (or it has none): keep the full one, give the writer another.
     * Null when the limit is reached: the event is dropped.
     */
    private synchronized Buf swap(Writer w) {
        Buf b = w.cur;
        if (b == null && windowNanos == 0) {
            return null; // a window recording past its limit drops from then on
        }
        if (b != null) {
            full.addLast(b);
        }
        Buf next = take(w.carrier);
        if (next == null && windowNanos > 0 && !full.isEmpty()) {
            next = recycle(full.pollFirst(), w.carrier); // the flight recorder's bound: lose the oldest
        }
        w.cur = next;
        return next;
    }

    /** Under the lock: an empty buffer for {@code carrier}, trimming the flight recorder's old ones first. */
    private Buf take(int carrier) {
        if (windowNanos > 0) {
            long horizon = System.nanoTime() - windowNanos;
            forgetExitedBefore(horizon);
            while (!full.isEmpty() && full.peekFirst().lastTime() - horizon < 0) {
                free.addLast(full.pollFirst());
            }
        }
        Buf b = free.pollFirst();
        if (b == null) {
            if (allocated >= maxBuffers) {
                return null;
            }
            allocated++;
            b = new Buf(BUFFER_EVENTS);
        }
        return recycle(b, carrier);
    }

    private static Buf recycle(Buf b, int carrier) {
        b.carrier = carrier;
        b.publish(0);
        return b;
    }

    /**
     * The events recorded so far (for a flight recorder: those of its window), in time order. The
     * recording goes on.
     */
    synchronized Trace snapshot() {
        long end = System.nanoTime();
        long from = windowNanos > 0 ? end - windowNanos : startNanos;
        List<long[]> chunks = new ArrayList<>();
        List<Integer> carriers = new ArrayList<>();
        for (Buf b : full) {
            chunks.add(b.copyPublished());
            carriers.add(b.carrier);
        }
        for (Writer w : writers) {
            Buf b = w.cur;
            if (b != null) {
                chunks.add(b.copyPublished());
                carriers.add(b.carrier);
            }
        }
        int total = 0;
        for (long[] c : chunks) {
            total += c.length / EVENT_LONGS;
        }
        TraceEvent[] events = new TraceEvent[total];
        int k = 0;
        long base = Math.max(from, startNanos);
        TraceEvent.Kind[] kinds = TraceEvent.Kind.values();
        for (int c = 0; c < chunks.size(); c++) {
            long[] d = chunks.get(c);
            int carrier = carriers.get(c);
            for (int i = 0; i < d.length; i += EVENT_LONGS) {
                long t = d[i];
                if (t - base < 0) {
                    continue;
                }
                long packed = d[i + 1];
                int kind = (int) (packed >>> 56);
                int proc = (int) ((packed >>> 40) & 0xFFFF) - 1;
                events[k++] = new TraceEvent(kinds[kind], t - base, proc, carrier, d[i + 2], packed & ARG_MASK, d[i + 3]);
            }
        }
        TraceEvent[] kept = java.util.Arrays.copyOf(events, k);
        java.util.Arrays.sort(kept, java.util.Comparator.comparingLong(TraceEvent::timeNanos));
        if (windowNanos > 0) {
            forgetExitedBefore(from);
        }
        return new Trace(s.name(), s.procsHighWater, base, end - base, List.of(kept), Map.copyOf(names), dropped.sum(),
                windowNanos > 0);
    }
}
