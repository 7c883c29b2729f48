package gmpj.core;

import java.util.EnumMap;
import java.util.Map;

/**
 * How many of a scheduler's live goroutines are in each state ({@link Scheduler#goroutineCounts()}),
 * and why the waiting ones wait.
 *
 * <p>Counted by walking the live goroutines while the scheduler runs, like a dump: a busy
 * scheduler's counts are not one instant, and a goroutine that changes state meanwhile may be
 * counted in either state. A quiet scheduler's counts are exact.
 *
 * <p>Immutable plain data (the map is an unmodifiable copy): safe to share between goroutines and
 * threads; no method blocks.
 *
 * <ul>
 *   <li><em>runnable</em>: queued, waiting for a carrier;</li>
 *   <li><em>running</em>: mounted on a carrier, including a goroutine inside {@link Gmp#blocking}
 *       (it holds its carrier thread);</li>
 *   <li><em>waiting</em>: parked, by the {@link WaitReason} it gave, including a park that blocks
 *       its carrier because the JVM pinned the continuation.</li>
 * </ul>
 *
 * @param runnable        goroutines queued to run
 * @param running         goroutines on a carrier, blocking calls included
 * @param waiting         goroutines parked
 * @param waitingByReason the parked goroutines by reason, only the reasons that have any (unmodifiable);
 *                        its values add up to {@code waiting} but for a parked goroutine whose reason
 *                        could not be read while it changed
 */
public record GoroutineCounts(int runnable, int running, int waiting, Map<WaitReason, Integer> waitingByReason) {

    /** Keeps an unmodifiable copy of {@code waitingByReason}, so that the counts cannot change. */
    public GoroutineCounts {
        waitingByReason = Map.copyOf(waitingByReason);
    }

    /**
     * Parked goroutines waiting for {@code reason}.
     *
     * @param reason the wait reason
     * @return the number of goroutines parked for it, 0 if none
     */
    public int waiting(WaitReason reason) {
        return waitingByReason.getOrDefault(reason, 0);
    }

    /**
     * All live goroutines counted.
     *
     * @return the sum of runnable, running and waiting
     */
    public int total() {
        return runnable + running + waiting;
    }

    /** Counts the live goroutines of {@code s}. */
    static GoroutineCounts of(Scheduler s) {
        int[] byState = new int[4];
        int[] byReason = new int[WaitReason.values().length];
        s.forEachLive(g -> {
            int st = g.state();
            if (st == G.RUNNING && g.inPinnedPark()) {
                st = G.WAITING;
            }
            WaitReason r = st == G.WAITING ? g.waitReason() : null;
            if (r != null) {
                byReason[r.ordinal()]++;
            }
            byState[st]++;
        });
        Map<WaitReason, Integer> reasons = new EnumMap<>(WaitReason.class);
        for (WaitReason r : WaitReason.values()) {
            if (byReason[r.ordinal()] != 0) {
                reasons.put(r, byReason[r.ordinal()]);
            }
        }
        return new GoroutineCounts(byState[G.RUNNABLE], byState[G.RUNNING], byState[G.WAITING], reasons);
    }

    /** {@code goroutines=12 runnable=2 running=2 waiting=8 (sleep=5 chan receive=3)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("goroutines=").append(total()).append(" runnable=").append(runnable)
                .append(" running=").append(running).append(" waiting=").append(waiting);
        if (!waitingByReason.isEmpty()) {
            sb.append(" (");
            boolean first = true;
            for (WaitReason r : WaitReason.values()) {
                Integer n = waitingByReason.get(r);
                if (n != null) {
                    sb.append(first ? "" : " ").append(r.label()).append('=').append(n);
                    first = false;
                }
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
