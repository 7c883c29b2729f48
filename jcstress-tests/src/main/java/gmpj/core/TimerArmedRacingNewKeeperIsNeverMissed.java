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
 * The timekeeper hand-shake of {@link Timers}, driven by hand on a scheduler whose threads never
 * start: a carrier commits a timed park and arms its timer ({@code M.execute}: {@link G#commitPark},
 * then {@link Timers#armed}) while an idle carrier takes the timekeeper role
 * ({@link Timers#tryKeepTime}, the decision of {@code idleWait} without its wait). A timer due
 * later is armed already, so the idle carrier always takes the role; the question is whether it
 * waits for the new, earlier deadline, or else is woken to re-read it.
 *
 * <p>A third carrier is spinning, so when the arming side sees nobody keeping time its
 * {@code wakeIfIdle} wakes nobody: that is right (the spinning carrier will go idle later and take
 * the role if it is free), and it leaves the new timer to the keeper hand-shake alone.
 *
 * <p>Checked against broken code: with the new keeper not reading the earliest deadline again after
 * publishing itself, with {@code armed} returning whenever somebody keeps time (not comparing
 * deadlines), and with the heap's earliest deadline published by a release store and no fence in
 * {@code armed} (a store-load reordering; rare on x86), it reports the forbidden {@code 2, 0} (see
 * {@code docs/jcstress-mutants.md} for the counts).
 */
@JCStressTest
@Description("procs(3). Processor 0 is idle: its carrier found nothing and now decides how to wait. Processor 1's heap "
        + "holds a timer due late. Processor 2's carrier is spinning. Carrier 1 commits a timed park due early: the timer "
        + "goes into processor 1's heap (its earliest deadline is a volatile store), then Timers.armed: full fence, read the "
        + "keeper; if there is one and the new deadline is earlier than the keeper's, wake it; if there is none, "
        + "wakeIfIdle (which wakes nobody here: a carrier is spinning). Carrier 0 meanwhile: the role is free and a "
        + "timer is armed, so it CASes itself in as the keeper, publishes the deadline it read, reads the earliest "
        + "deadline again and keeps the earlier one. "
        + "Result: carrier 0's decision (0 wait untimed, 1 keep time until the early timer, 2 until the late one), "
        + "1 if carrier 0 was woken (its wake-up note: its wait would return at once).")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The keeper saw the early timer and waits for it.")
@Outcome(id = "1, 1", expect = ACCEPTABLE,
        desc = "The keeper waits for the early timer; the arming side saw it before it had published that deadline "
                + "and woke it too (it would wait again, for the same deadline).")
@Outcome(id = "2, 1", expect = ACCEPTABLE,
        desc = "The keeper read both deadlines before the early timer was armed; the arming side saw it and woke it "
                + "to read them again.")
@Outcome(id = "2, 0", expect = FORBIDDEN,
        desc = "Missed: the keeper waits for the late timer, nobody woke it, and the spinning carrier will find the "
                + "role taken: the early timer fires late.")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "The role was free with timers armed, and nobody took it.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
@State
public class TimerArmedRacingNewKeeperIsNeverMissed {
    /** Deadlines in System.nanoTime terms; nobody waits for them here, only their order matters. */
    private static final long EARLY = 1_000;
    private static final long LATE = 2_000;

    private final Scheduler s = Fixtures.unstarted(3);
    private final P p0 = s.ps[0];
    private final P p1 = s.ps[1];
    private final M m0 = p0.m;
    private final G parker = ReadySink.runningG(1);
    private long decision;

    public TimerArmedRacingNewKeeperIsNeverMissed() {
        s.idle.park(p0); // carrier 0 found nothing and put its processor on the idle list
        P p2 = s.ps[2];
        p2.m.spinning = true; // as findRunnable does before it steals
        s.idle.getAndAddWord(Idle.ONE_SPINNING);
        p1.timers.add(new TimerQueue.Timer(LATE, Fixtures.g(2), 1, p1.timers)); // an earlier park, due late
        parker.timer = new TimerQueue.Timer(EARLY, parker); // as Parking.parkG before it yields
    }

    @Actor
    public void armingCarrier() {
        long deadline = parker.timer.deadline; // as M.execute: read before the park is committed
        if (parker.commitPark(p1.timers)) {
            s.timers.armed(deadline);
        }
    }

    @Actor
    public void idleCarrier() {
        decision = s.timers.tryKeepTime(m0);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = decision == Long.MAX_VALUE ? 0 : decision == EARLY ? 1 : decision == LATE ? 2 : 3;
        r.r2 = m0.notified ? 1 : 0;
    }
}
