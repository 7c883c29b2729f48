package gmpj.core;

import java.time.Duration;
import java.util.List;

/**
 * One goroutine as seen by {@link Scheduler#goroutines()} and {@link Scheduler#dump()}. A snapshot:
 * the goroutine goes on running, so the picture may be out of date as soon as it is returned.
 *
 * <p>Immutable plain data (the stack is an unmodifiable copy): safe to share between goroutines
 * and threads; no method blocks.
 *
 * @param id         the goroutine's id
 * @param name       its name, or null
 * @param state      {@code runnable}, {@code running} or {@code waiting}
 * @param waitReason why it is parked (null unless waiting)
 * @param waiting    how long it has been parked (null unless waiting)
 * @param carrier    the carrier thread running it (null unless running)
 * @param stack      its stack, innermost frame first; empty if it could not be taken (it was
 *                   being mounted or unmounted at that instant)
 */
public record GoroutineInfo(long id, String name, String state, WaitReason waitReason, Duration waiting,
                            String carrier, List<StackTraceElement> stack) {

    /** Keeps an unmodifiable copy of {@code stack}, so that the snapshot cannot change. */
    public GoroutineInfo {
        stack = List.copyOf(stack);
    }

    /**
     * Go's dump header and frames:
     * <pre>
     * goroutine 18 "worker" [sync.Mutex.Lock, 1502 ms]:
     * 	at app.Worker.run(Worker.java:12)
     * </pre>
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(G.label(id, name)).append(" [");
        if (waitReason != null) {
            sb.append(waitReason.label());
            if (waiting != null) {
                sb.append(", ").append(waiting.toMillis()).append(" ms");
            }
        } else {
            sb.append(state);
            if (carrier != null) {
                sb.append(" on ").append(carrier);
            }
        }
        sb.append("]:\n");
        if (stack.isEmpty()) {
            sb.append("\t(stack not available at this instant)\n");
        }
        for (StackTraceElement e : stack) {
            sb.append("\tat ").append(e).append('\n');
        }
        return sb.toString();
    }
}
