package gmpj.core;

/**
 * One moment of a {@link Trace}: what happened, when, on which processor and carrier, to which
 * goroutine. Immutable plain data, safe to share between goroutines and threads; no method blocks.
 *
 * <p>{@link #arg()} and {@link #arg2()} mean what {@link Kind} says for each kind. Times are in
 * nanoseconds since the trace began ({@link Trace#startNanos()}), from {@code System.nanoTime}.
 *
 * @param kind       what happened
 * @param timeNanos  when, in nanoseconds since the trace began
 * @param proc       the processor it happened on, or -1 if none (a carrier without one, sysmon, a thread
 *                   from outside)
 * @param carrier    who recorded it: a carrier's number ({@code >= 0}, the order carriers started in),
 *                   {@link #SYSMON}, or {@link #OUTSIDE} (a thread or goroutine of another scheduler)
 * @param goroutine  the goroutine it is about, or 0
 * @param arg        the first argument (see {@link Kind})
 * @param arg2       the second argument (see {@link Kind})
 */
public record TraceEvent(Kind kind, long timeNanos, int proc, int carrier, long goroutine, long arg, long arg2) {

    /** {@link #carrier()} of the events the system monitor recorded. */
    public static final int SYSMON = -1;
    /** {@link #carrier()} of the events recorded outside this scheduler's carriers and sysmon. */
    public static final int OUTSIDE = -2;

    /** What an event records, and what its arguments mean. Constants: plain data. */
    public enum Kind {
        /** A goroutine was created: {@code arg} is the goroutine that created it, 0 if created from outside. */
        GO_CREATE,
        /**
         * A carrier mounted the goroutine: a run slice begins. {@code arg} is the length of the
         * processor's run queue (ring and runnext) once the goroutine was taken from it.
         */
        GO_START,
        /**
         * The goroutine came off its carrier: {@code arg} is a {@link StopReason} ordinal; for
         * {@link StopReason#PARK}, {@code arg2} is its {@link WaitReason} ordinal plus one (0 for none).
         */
        GO_STOP,
        /**
         * The goroutine became runnable: {@code arg} is a {@link ReadySource} ordinal; {@code arg2} is the
         * goroutine that readied it, when {@link ReadySource#GOROUTINE}.
         */
        GO_READY,
        /** The processor stole {@code arg2} goroutines from processor {@code arg}; {@code goroutine} is the one it runs. */
        STEAL,
        /** The processor took {@code arg} goroutines from the global queue. */
        GLOBAL_TAKE,
        /** The processor's ring was full and moved {@code arg} goroutines to the global queue. */
        GLOBAL_SPILL,
        /** A timer fired for the goroutine (it is readied too, see {@link ReadySource#TIMER}). */
        TIMER_FIRED,
        /**
         * The carrier began to spin: looking for work to steal while holding its processor. Like
         * the other two carrier events, it carries the idle processors and the spinning carriers at
         * that moment ({@link #idleProcessors()}, {@link #spinningCarriers()}).
         */
        CARRIER_SPIN,
        /** The carrier parked: {@code arg} is 0 when idle (its processor released), 1 when a spare without one. */
        CARRIER_PARK,
        /** The carrier woke from {@link #CARRIER_PARK}. */
        CARRIER_WAKE,
        /**
         * Sysmon handed processor {@code proc} away from its stuck carrier {@code arg}; {@code goroutine} is
         * the goroutine that kept it (0 if none was mounted).
         */
        HANDOFF,
        /** Sysmon reported the goroutine as a hog: it ran {@code arg} nanoseconds without yielding. */
        HOG,
        /** The deadlock detector reported a deadlock of {@code arg} goroutines. */
        DEADLOCK,
        /** A garbage collection of {@code arg} nanoseconds began (the JVM tells of it only once it ended). */
        GC,
        /**
         * Sampled counters. With {@code proc >= 0}: {@code arg} is that processor's run-queue length.
         * With {@code proc == -1}: {@code arg} is the number of idle processors, {@code arg2} the
         * number of spinning carriers, and {@code goroutine} the length of the global queue.
         */
        COUNTERS,
        /** {@link Scheduler#setProcs} changed the number of processors from {@code arg} to {@code arg2}. */
        PROCS,
        /**
         * A removed processor's carrier let it go ({@link Scheduler#setProcs}), moving {@code arg}
         * queued goroutines to the global queue.
         */
        PROC_RETIRED
    }

    /** Why a goroutine came off its carrier ({@link Kind#GO_STOP}). Constants: plain data. */
    public enum StopReason {
        /** It yielded ({@link Gmp#yield()}). */
        YIELD,
        /** It honoured a preempt request at a checkpoint: its time slice was used up. */
        PREEMPTED,
        /** It parked; the event's {@code arg2} names the wait reason. */
        PARK,
        /** It finished. */
        EXIT
    }

    /** Who made a goroutine runnable ({@link Kind#GO_READY}). Constants: plain data. */
    public enum ReadySource {
        /** Another goroutine of this scheduler (an unpark, a channel send, a mutex release...). */
        GOROUTINE,
        /** A timer: a sleep or a timed wait ended. */
        TIMER,
        /** The network poller: its socket is ready. */
        POLLER,
        /** A plain thread, a goroutine of another scheduler, or one of ours on a carrier without a processor. */
        OUTSIDE
    }

    /**
     * Idle processors when the event happened: for {@link Kind#CARRIER_SPIN}, {@link Kind#CARRIER_PARK},
     * {@link Kind#CARRIER_WAKE} and the scheduler-wide {@link Kind#COUNTERS}; else -1.
     *
     * @return the idle processor count, or -1
     */
    public int idleProcessors() {
        return switch (kind) {
            case CARRIER_SPIN, CARRIER_PARK, CARRIER_WAKE -> (int) (arg2 >>> 32);
            case COUNTERS -> proc < 0 ? (int) arg : -1;
            default -> -1;
        };
    }

    /**
     * Spinning carriers when the event happened, for the same kinds as {@link #idleProcessors()}; else -1.
     *
     * @return the spinning carrier count, or -1
     */
    public int spinningCarriers() {
        return switch (kind) {
            case CARRIER_SPIN, CARRIER_PARK, CARRIER_WAKE -> (int) arg2;
            case COUNTERS -> proc < 0 ? (int) arg2 : -1;
            default -> -1;
        };
    }

    /**
     * For {@link Kind#GO_STOP}: why.
     *
     * @return why the goroutine stopped, or null for other kinds
     */
    public StopReason stopReason() {
        return kind == Kind.GO_STOP ? StopReason.values()[(int) arg] : null;
    }

    /**
     * For {@link Kind#GO_STOP} with {@link StopReason#PARK}: the wait reason, or null.
     *
     * @return the wait reason, or null
     */
    public WaitReason waitReason() {
        return kind == Kind.GO_STOP && arg == StopReason.PARK.ordinal() && arg2 > 0 ? WaitReason.values()[(int) arg2 - 1] : null;
    }

    /**
     * For {@link Kind#GO_READY}: who readied it.
     *
     * @return who readied the goroutine, or null for other kinds
     */
    public ReadySource readySource() {
        return kind == Kind.GO_READY ? ReadySource.values()[(int) arg] : null;
    }
}
