package gmpj.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic scheduler: the goroutines of one {@link Synctest} run, driven one at a time by the
 * thread that called it, on a virtual clock (see {@link Synctest} for what a user sees).
 *
 * <h2>The loop</h2>
 * The bubble's scheduler is built without carriers or sysmon. Its spawns and readies come here
 * ({@link Scheduler#spawn} and {@link Scheduler#ready} check {@link Scheduler#bubble} first) and
 * join the emulated processors' queues. The driver ({@link #drive}) repeats: if a goroutine is
 * runnable, the {@link Schedule} picks one and it runs until it yields, parks or ends (the same transitions a
 * carrier makes, {@link M}'s {@code execute}); else, if a goroutine waits in {@link Synctest#await},
 * it is readied; else, if a timer is armed, the clock jumps to the earliest deadline and the
 * timers due fire; else every goroutine left is parked with nothing that could wake it: a
 * deadlock, reported at once. Everything happens on the driver thread, so the run depends only on
 * the program and the seed.
 *
 * <h2>Scheduling points</h2>
 * A goroutine gives the schedule a choice wherever it yields or parks, and where it spawns,
 * unparks another goroutine or passes a checkpoint: there the schedule may preempt it
 * ({@link #point}), so that the goroutine it just started or woke may run first. Spawns and
 * checkpoints yield at once. An unpark may come from inside a primitive that holds a lock, so it
 * only sets the goroutine's preempt flag, and the goroutine yields at its next checkpoint (every
 * blocking primitive passes one).
 *
 * <h2>Emulated processors</h2>
 * The bubble keeps Go's queues for {@code procs} logical processors: a runnext slot and a FIFO ring
 * each, and a global FIFO. A goroutine that spawns or readies another puts it in its own
 * processor's runnext (the one there before moves to the ring's tail); a goroutine that yields or
 * is preempted goes to its processor's tail; the driver's readies (timers, {@link Synctest#await})
 * go to the global queue. A random-walk schedule picks which processor runs next, and that
 * processor takes its runnext, its ring's head, the global queue's head, or steals half of a
 * random other processor's ring, as a carrier would; PCT picks by goroutine priority among all
 * queued goroutines, whichever processor holds them.
 */
final class Bubble {
    /** The clock's reading when a bubble starts: far from 0, which deadlines use for "none". */
    static final long START = 1L << 40;

    final Scheduler s;
    final Schedule schedule;
    /** The virtual clock, on the scale of {@code System.nanoTime} deadlines. Driver thread only. */
    long now = START;
    /** The emulated processors: runnext and ring per processor, and the global queue. */
    final int procs;
    private final G[] runnext;
    private final ArrayDeque<G>[] rings;
    private final ArrayDeque<G> global = new ArrayDeque<>();
    /** Goroutines queued in all of them. */
    private int queued;
    /** The emulated processor of the goroutine running now (or last). */
    private int cur;
    private final TimerQueue timers;
    private final Thread driver;
    /** Goroutines spawned and not yet dead. */
    private int live;
    /** The running goroutine, when an unpark it made asked the schedule to preempt it at its next checkpoint. */
    private G preemptRequested;
    /** A goroutine parked in {@link Synctest#await}, or null. */
    private G awaiting;
    /** The first exception that escaped a goroutine: the run stops and rethrows it. */
    private Throwable failure;
    private long failedGoroutine;
    /** Scheduling decisions made so far: a run's length, for the schedule and for messages. */
    long steps;

    @SuppressWarnings("unchecked")
    Bubble(Scheduler s, Schedule schedule, int procs) {
        this.s = s;
        this.schedule = schedule;
        this.procs = procs;
        this.runnext = new G[procs];
        this.rings = new ArrayDeque[procs];
        for (int i = 0; i < procs; i++) {
            rings[i] = new ArrayDeque<>();
        }
        this.timers = s.ps[0].timers;
        this.driver = Thread.currentThread();
    }

    /** A bubble scheduler's own goroutine code, or its driver: else an outsider, which may not touch it. */
    private void checkInside(String what) {
        if (Thread.currentThread() != driver) {
            throw new IllegalStateException(what + " from thread " + Thread.currentThread().getName()
                    + ", outside the Synctest bubble: a bubble's goroutines are driven by one thread, and a wake-up from"
                    + " another thread would make the run depend on timing; hand values in through the body instead");
        }
    }

    /** {@link G#unpark} of a bubble's goroutine: only from inside the bubble. */
    void checkUnpark(G g) {
        checkInside("waking goroutine " + g.id);
    }

    /** {@link Scheduler#spawn} in a bubble. */
    void spawn(String name, Runnable body) {
        checkInside("starting a goroutine");
        G g = new G(s, s.nextBubbleId(), name, body);
        if (body instanceof GTask<?> t) {
            t.g = g;
        }
        s.ps[0].allgs.add(g);
        g.preempt = true; // a bubble's goroutines keep it set: every checkpoint asks the schedule
        live++;
        if (queueAndAsk(g)) {
            Gmp.yield();
        }
    }

    /**
     * Queues {@code g}, made runnable by the caller: in the caller's processor's runnext when the
     * caller is one of the bubble's goroutines, else (the driver) in the global queue. True if the
     * calling goroutine should give way now, as the schedule decides.
     */
    private boolean queueAndAsk(G g) {
        G me = Gmp.currentG();
        boolean inside = me != null && me.scheduler == s;
        if (inside) {
            putNext(g);
        } else {
            putGlobal(g);
        }
        return inside && schedule.preemptAt(this, me);
    }

    /** {@link Scheduler#ready} in a bubble: {@code g} was just made runnable by an unpark. */
    void ready(G g) {
        checkInside("waking goroutine " + g.id);
        if (queueAndAsk(g)) {
            preemptRequested = Gmp.currentG(); // yields at its next checkpoint: an unpark may come from under a lock
        }
    }

    /** {@link Gmp#checkpoint()} in a bubble: a scheduling point. */
    void checkpoint(G g) {
        if (preemptRequested == g || schedule.preemptAt(this, g)) {
            preemptRequested = null;
            g.yieldKind = G.YIELD_PREEMPTED;
            if (!jdk.internal.vm.Continuation.yield(G.SCOPE)) {
                g.yieldKind = G.YIELD_NONE;
            }
        }
    }

    /** {@link Synctest#await}: parks {@code g} until every other goroutine of the bubble is parked. */
    void await(G g) {
        if (awaiting != null) {
            throw new IllegalStateException("goroutine " + awaiting.id + " already waits in Synctest.await(): only one "
                    + "goroutine of a bubble may wait for the others at a time");
        }
        awaiting = g;
        while (awaiting == g) {
            Parking.park(WaitReason.SYNCTEST_WAIT);
        }
    }

    /** An exception escaped goroutine {@code g}: the first one ends the run. */
    void uncaught(G g, Throwable e) {
        if (failure == null) {
            failure = e;
            failedGoroutine = g.id;
        }
    }

    /** Runs every goroutine of the bubble to its end; throws what the first failing one threw, or a deadlock. */
    void drive() {
        for (;;) {
            if (failure != null) {
                throw new GoroutineFailure(failedGoroutine, steps, schedule, procs, failure);
            }
            if (queued > 0) {
                steps++;
                execute(schedule.next(this));
                continue;
            }
            if (live == 0) {
                return;
            }
            if (awaiting != null) {
                G g = awaiting;
                awaiting = null;
                g.unpark();
                continue;
            }
            long next = timers.earliest();
            if (next != Long.MAX_VALUE) {
                if (next - now > 0) {
                    now = next; // every goroutine is parked: time jumps to the next timer
                }
                TimerQueue.Timer t;
                while ((t = timers.pollExpired(now)) != null) {
                    if (t.g.wakeFromTimer(t.gen)) {
                        putGlobal(t.g);
                    }
                }
                continue;
            }
            throw new IllegalStateException("all goroutines are asleep - deadlock! (Synctest bubble, after " + steps
                    + " steps, " + schedule + "; " + live + " goroutine(s) parked with no timer armed and nothing in the "
                    + "bubble left to wake them)\n\n" + s.diag.dump());
        }
    }

    /** Runs {@code g} until it yields, parks or ends, as a carrier does. */
    private void execute(G g) {
        g.toRunning();
        g.preempt = true;
        preemptRequested = null;
        g.run();
        Thread.interrupted();
        if (g.isDone()) {
            g.toDead();
            live--;
            return;
        }
        byte kind = g.yieldKind;
        g.yieldKind = G.YIELD_NONE;
        if (kind == G.YIELD_PARK) {
            if (!g.commitPark(timers)) {
                putTail(g); // its permit was there already
            }
            return;
        }
        g.toRunnable();
        putTail(g);
    }

    // ------------------------------------------------------------------ the emulated processors' queues

    /** Into the running goroutine's processor's runnext; the goroutine there before goes to the ring's tail. */
    private void putNext(G g) {
        G old = runnext[cur];
        runnext[cur] = g;
        if (old != null) {
            rings[cur].addLast(old);
        }
        queued++;
    }

    /** To the tail of the running goroutine's processor's ring. */
    private void putTail(G g) {
        rings[cur].addLast(g);
        queued++;
    }

    private void putGlobal(G g) {
        global.addLast(g);
        queued++;
    }

    /** Whether any goroutine is queued. */
    boolean anyQueued() {
        return queued > 0;
    }

    /**
     * Processor {@code p} looks for work as a carrier would: its runnext, its ring's head, the global
     * queue's head, or half of another processor's ring (the victims in an order from {@code rng}).
     * Null if it finds none; else it becomes the running processor.
     */
    G takeOn(int p, SplittableRandom rng) {
        G g = runnext[p];
        if (g != null) {
            runnext[p] = null;
        } else if ((g = rings[p].pollFirst()) == null && (g = global.pollFirst()) == null) {
            int start = procs > 1 ? rng.nextInt(procs) : 0;
            for (int i = 0; i < procs && g == null; i++) {
                int v = (start + i) % procs;
                ArrayDeque<G> victim = rings[v];
                if (v == p || victim.isEmpty()) {
                    continue;
                }
                int half = (victim.size() + 1) / 2;
                g = victim.pollFirst();
                for (int k = 1; k < half; k++) {
                    rings[p].addLast(victim.pollFirst());
                }
            }
            if (g == null) {
                return null;
            }
        }
        queued--;
        cur = p;
        return g;
    }

    /** Every queued goroutine, for a schedule that picks by goroutine ({@link Schedule.Pct}). */
    List<G> allQueued() {
        List<G> all = new ArrayList<>(queued);
        for (int p = 0; p < procs; p++) {
            if (runnext[p] != null) {
                all.add(runnext[p]);
            }
            all.addAll(rings[p]);
        }
        all.addAll(global);
        return all;
    }

    /** Takes {@code g} out of whichever queue holds it; its processor (the global queue: processor 0) runs next. */
    G take(G g) {
        queued--;
        for (int p = 0; p < procs; p++) {
            if (runnext[p] == g) {
                runnext[p] = null;
                cur = p;
                return g;
            }
            if (rings[p].removeFirstOccurrence(g)) {
                cur = p;
                return g;
            }
        }
        global.removeFirstOccurrence(g);
        cur = 0;
        return g;
    }

    /** The goroutines still alive, for a message. */
    int live() {
        return live;
    }

    /** How goroutine ids and priorities are kept per goroutine, for {@link Schedule}. */
    final Map<G, Integer> priorities = new IdentityHashMap<>();
}
