package gmpj.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Throttle;
import jdk.jfr.Timespan;

/**
 * The scheduler's JDK Flight Recorder events, and the calls that emit them. {@link Tracing}'s
 * observation points call these only while bit {@link Tracing#JFR} is on (some JFR recording is
 * running, see {@link JfrGate}); each one then costs an event object that escape analysis usually
 * removes and a {@code shouldCommit()} check, and fills and commits the event only when a
 * recording enables it.
 *
 * <p>JFR attributes an event to the thread that commits it: a carrier, or sysmon. What a user needs
 * is in the fields: the goroutine, the processor ({@code -1}: none) and the scheduler's name.
 * Stack traces are off by default: the committing thread's stack is the run loop or sysmon, never
 * the goroutine's.
 *
 * <p>A park has no event of its own: {@code gmpj.GoroutineStop} with reason {@code park} carries
 * the wait reason, so a park is recorded once. The per-goroutine events (create, start, stop) and
 * steals are throttled to {@value #RATE} each by default; a recording can raise or lift that with
 * the {@code throttle} setting (for example {@code gmpj.GoroutineStop#throttle=off}).
 */
final class JfrEvents {
    /** The default throttle of the high-rate events, the rate the JDK's own I/O events use. */
    static final String RATE = "100/s";

    private JfrEvents() {
    }

    @Name("gmpj.GoroutineCreate")
    @Label("Goroutine Create")
    @Category({"gmpj", "Goroutines"})
    @Description("A goroutine was created")
    @StackTrace(false)
    @Throttle(RATE)
    static final class GoroutineCreate extends Event {
        @Label("Scheduler")
        String scheduler;
        @Label("Goroutine")
        long goroutine;
        @Label("Processor")
        @Description("The processor of the goroutine that created it, -1 if created from outside")
        int processor;
        @Label("Parent")
        @Description("The goroutine that created it, 0 if created from outside the scheduler")
        long parent;
        @Label("Name")
        String name;
    }

    @Name("gmpj.GoroutineStart")
    @Label("Goroutine Start")
    @Category({"gmpj", "Goroutines"})
    @Description("A carrier mounted a goroutine: a run slice begins")
    @StackTrace(false)
    @Throttle(RATE)
    static final class GoroutineStart extends Event {
        @Label("Scheduler")
        String scheduler;
        @Label("Goroutine")
        long goroutine;
        @Label("Processor")
        int processor;
    }

    @Name("gmpj.GoroutineStop")
    @Label("Goroutine Stop")
    @Category({"gmpj", "Goroutines"})
    @Description("A goroutine came off its carrier: it yielded, was preempted, parked or finished")
    @StackTrace(false)
    @Throttle(RATE)
    static final class GoroutineStop extends Event {
        @Label("Scheduler")
        String scheduler;
        @Label("Goroutine")
        long goroutine;
        @Label("Processor")
        @Description("The processor it ran on, -1 if its carrier lost it meanwhile")
        int processor;
        @Label("Reason")
        @Description("yield, preempted, park or exit")
        String reason;
        @Label("Wait Reason")
        @Description("For a park: what it waits for (sleep, chan receive, sync.Mutex.Lock...)")
        String waitReason;
    }

    @Name("gmpj.Steal")
    @Label("Steal")
    @Category({"gmpj", "Scheduler"})
    @Description("A processor without work took goroutines from another's run queue")
    @StackTrace(false)
    @Throttle(RATE)
    static final class Steal extends Event {
        @Label("Scheduler")
        String scheduler;
        @Label("Goroutine")
        @Description("The stolen goroutine the thief runs first")
        long goroutine;
        @Label("Processor")
        @Description("The thief")
        int processor;
        @Label("Victim")
        @Description("The processor robbed")
        int victim;
        @Label("Count")
        int count;
    }

    @Name("gmpj.Handoff")
    @Label("Processor Hand-off")
    @Category({"gmpj", "Scheduler"})
    @Description("Sysmon took a processor from a carrier stuck in a blocking call or a hog and gave it to another")
    @StackTrace(false)
    static final class Handoff extends Event {
        @Label("Scheduler")
        String scheduler;
        @Label("Goroutine")
        @Description("The goroutine that kept the processor, 0 if none was mounted")
        long goroutine;
        @Label("Processor")
        int processor;
        @Label("Carrier")
        @Description("The number of the stuck carrier, -1 if unknown")
        int carrier;
    }

    @Name("gmpj.Hog")
    @Label("Hog")
    @Category({"gmpj", "Scheduler"})
    @Description("Sysmon found a goroutine computing for two time slices without reaching a checkpoint")
    @StackTrace(false)
    static final class Hog extends Event {
        @Label("Scheduler")
        String scheduler;
        @Label("Goroutine")
        long goroutine;
        @Label("Goroutine Name")
        String name;
        @Label("Processor")
        int processor;
        @Label("Ran")
        @Description("How long it had run without yielding")
        @Timespan(Timespan.NANOSECONDS)
        long ran;
    }

    @Name("gmpj.Deadlock")
    @Label("Deadlock")
    @Category({"gmpj", "Scheduler"})
    @Description("The deadlock detector found every goroutine parked with nothing left to wake them")
    @StackTrace(false)
    static final class Deadlock extends Event {
        @Label("Scheduler")
        String scheduler;
        @Label("Goroutines")
        @Description("How many goroutines are parked")
        long goroutines;
    }

    static void goCreate(Scheduler s, int proc, long goroutine, long parent, String name) {
        GoroutineCreate e = new GoroutineCreate();
        if (e.shouldCommit()) {
            e.scheduler = s.name();
            e.goroutine = goroutine;
            e.processor = proc;
            e.parent = parent;
            e.name = name;
            e.commit();
        }
    }

    static void goStart(Scheduler s, int proc, long goroutine) {
        GoroutineStart e = new GoroutineStart();
        if (e.shouldCommit()) {
            e.scheduler = s.name();
            e.goroutine = goroutine;
            e.processor = proc;
            e.commit();
        }
    }

    static void goStop(Scheduler s, int proc, long goroutine, TraceEvent.StopReason why, WaitReason reason) {
        GoroutineStop e = new GoroutineStop();
        if (e.shouldCommit()) {
            e.scheduler = s.name();
            e.goroutine = goroutine;
            e.processor = proc;
            e.reason = why.name().toLowerCase(java.util.Locale.ROOT);
            e.waitReason = reason == null ? null : reason.label();
            e.commit();
        }
    }

    static void steal(Scheduler s, int proc, int victim, int count, long goroutine) {
        Steal e = new Steal();
        if (e.shouldCommit()) {
            e.scheduler = s.name();
            e.goroutine = goroutine;
            e.processor = proc;
            e.victim = victim;
            e.count = count;
            e.commit();
        }
    }

    static void handoff(Scheduler s, int proc, int carrier, long goroutine) {
        Handoff e = new Handoff();
        if (e.shouldCommit()) {
            e.scheduler = s.name();
            e.goroutine = goroutine;
            e.processor = proc;
            e.carrier = carrier;
            e.commit();
        }
    }

    static void hog(Scheduler s, int proc, G g, long ranNanos) {
        Hog e = new Hog();
        if (e.shouldCommit()) {
            e.scheduler = s.name();
            e.goroutine = g.id;
            e.name = g.name();
            e.processor = proc;
            e.ran = ranNanos;
            e.commit();
        }
    }

    static void deadlock(Scheduler s, long goroutines) {
        Deadlock e = new Deadlock();
        if (e.shouldCommit()) {
            e.scheduler = s.name();
            e.goroutines = goroutines;
            e.commit();
        }
    }
}
