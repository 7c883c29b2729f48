package gmpj.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Thrown by {@link Scheduler#close()} and {@link Scheduler#close(Duration)} when goroutines were
 * still unfinished at the timeout and had to be abandoned.
 *
 * <p>Its message stays short whatever the number of goroutines: how many, what they were doing
 * (counts per state and wait reason), the carriers still running one, and the first few goroutines
 * with their top frames. {@link #fullDump()} renders every one of them, with its whole stack, in
 * the format of {@link Scheduler#dump()}; it is built only when asked for (it can be large).
 *
 * <p>Thrown on the goroutine or thread that called {@code close}. Its state is fixed when it is
 * made, so it may be handed to and read from any thread; {@link #fullDump()} builds a new string
 * on each call and never blocks.
 */
public final class CloseTimeoutException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    /** Goroutines shown in the message. */
    private static final int SHOWN = 5;
    /** Frames shown for each of them. */
    private static final int FRAMES = 4;

    /** One goroutine that had not finished, as it was just before it was abandoned. */
    record Unfinished(G g, String state, WaitReason reason, long waitingNanos, M carrier) {
        GoroutineInfo info() {
            StackTraceElement[] frames;
            try {
                frames = carrier != null ? carrier.getStackTrace() : g.getStackTrace();
            } catch (RuntimeException e) {
                frames = new StackTraceElement[0];
            }
            return new GoroutineInfo(g.id, g.name(), state, reason, reason == null ? null : Duration.ofNanos(waitingNanos),
                    carrier == null ? null : carrier.getName(), Diagnostics.goroutineFrames(frames));
        }
    }

    /** How many goroutines were unfinished at the timeout; the only state that survives serialization. */
    private final long unfinished;
    private final transient List<Unfinished> goroutines;

    CloseTimeoutException(String scheduler, Duration timeout, List<Unfinished> goroutines, List<String> stuckCarriers) {
        super(message(scheduler, timeout, goroutines, stuckCarriers));
        this.unfinished = goroutines.size();
        this.goroutines = goroutines;
    }

    /**
     * How many goroutines were unfinished at the timeout.
     *
     * @return the number of unfinished goroutines
     */
    public long unfinished() {
        return unfinished;
    }

    /**
     * Every unfinished goroutine: header and whole stack, in id order, in the format of
     * {@link Scheduler#dump()}. Each header (state, wait reason, time waited) is as it was at the
     * timeout. The stacks are taken when this is called: a parked goroutine's never changes again,
     * while a goroutine still running on a stuck carrier shows where that carrier is now. Empty
     * after deserialization.
     *
     * @return the dump of every unfinished goroutine, or an empty string
     */
    public String fullDump() {
        if (goroutines == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Unfinished u : goroutines) {
            sb.append(u.info()).append('\n');
        }
        return sb.toString();
    }

    private static String message(String scheduler, Duration timeout, List<Unfinished> gs, List<String> stuck) {
        Map<String, Integer> byWhat = new TreeMap<>();
        for (Unfinished u : gs) {
            byWhat.merge(u.reason() != null ? u.state() + " (" + u.reason().label() + ")" : u.state(), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder("scheduler ").append(scheduler).append(" closed with ").append(gs.size())
                .append(" goroutine(s) still unfinished after ").append(timeout).append(": ").append(byWhat)
                .append(". They were abandoned: queued and parked ones will never run (their tasks fail with a "
                        + "CancellationException); one still running on a carrier cannot be stopped, and its carrier ends "
                        + "when it next yields, parks or returns.");
        if (!stuck.isEmpty()) {
            sb.append(" Carriers still running: ").append(stuck).append('.');
        }
        sb.append(" Close with a longer timeout, or see what they were doing");
        if (gs.size() > SHOWN) {
            sb.append(" (the first ").append(SHOWN).append("; fullDump() has all ").append(gs.size()).append(')');
        }
        sb.append(':');
        for (int i = 0; i < Math.min(SHOWN, gs.size()); i++) {
            GoroutineInfo info = gs.get(i).info();
            String[] lines = info.toString().split("\n");
            for (int k = 0; k < Math.min(lines.length, FRAMES + 1); k++) {
                sb.append('\n').append(lines[k]);
            }
            if (lines.length > FRAMES + 1) {
                sb.append("\n\t...");
            }
        }
        return sb.toString();
    }
}
