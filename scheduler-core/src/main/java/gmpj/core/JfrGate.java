package gmpj.core;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Turns bit {@link Tracing#JFR} on on every live scheduler while any JDK Flight Recorder recording
 * runs, and off when none does; a scheduler built meanwhile starts with it on. The events
 * ({@link JfrEvents}) then ask JFR whether a recording wants them.
 *
 * <h2>Registration</h2>
 * The first scheduler that starts registers one {@link FlightRecorderListener}. Registering does
 * not initialize JFR: {@link FlightRecorder#addListener} only adds to a list (loading a handful of
 * small JFR classes, and no thread); JFR calls the listener when it initializes later (a
 * {@code jcmd JFR.start}) and whenever a recording starts, stops or closes. A recording already
 * running at registration ({@code -XX:StartFlightRecording}) is found by looking once right after.
 * Until JFR is initialized, looking costs one static field read: no recording can run.
 *
 * <h2>Locks</h2>
 * JFR calls its listeners holding none of its locks after a state change, but it calls
 * {@code recorderInitialized} from {@code addListener} under its own lock; so this class never
 * calls into JFR while it holds {@link #LOCK}. A look reads JFR's state first, then applies it under
 * {@link #LOCK}; looks numbered in the order they began, a look applies only if no later one has
 * applied already. Every state change is followed by a look that began after it, so the last look
 * applied reflects the last change. A scheduler joins {@link Scheduler#all()} before it reads
 * {@link #recording} under {@link #LOCK}: a look applied before that read left {@link #recording}
 * for it, and one applied after sees it in {@link Scheduler#all()}.
 */
final class JfrGate implements FlightRecorderListener {
    private static final Object LOCK = new Object();
    /** Guarded by {@link #LOCK}. */
    private static boolean registered;
    /** Whether a recording runs, as the last look applied found it. Guarded by {@link #LOCK}. */
    private static boolean recording;
    /** Looks begun, and the number of the last one applied. Guarded by {@link #LOCK}. */
    private static long looks;
    private static long applied;

    private JfrGate() {
    }

    /** {@code s} just joined {@link Scheduler#all()}: registers the listener once, and sets its bit. */
    static void attach(Scheduler s) {
        boolean first;
        synchronized (LOCK) {
            first = !registered;
            registered = true;
        }
        if (first) {
            FlightRecorder.addListener(new JfrGate());
            look();
        }
        synchronized (LOCK) {
            if (recording) {
                s.observe(Tracing.JFR, true);
            }
        }
    }

    @Override
    public void recordingStateChanged(Recording r) {
        look();
    }

    /** Reads whether any recording runs, and sets every scheduler's bit to match (see the class comment). */
    private static void look() {
        long mine;
        synchronized (LOCK) {
            mine = ++looks;
        }
        boolean on = anyRunning();
        synchronized (LOCK) {
            if (mine < applied) {
                return;
            }
            applied = mine;
            recording = on;
            for (Scheduler s : Scheduler.all()) {
                s.observe(Tracing.JFR, on);
            }
        }
    }

    private static boolean anyRunning() {
        if (!FlightRecorder.isInitialized()) {
            return false;
        }
        for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
            if (r.getState() == RecordingState.RUNNING) {
                return true;
            }
        }
        return false;
    }
}
