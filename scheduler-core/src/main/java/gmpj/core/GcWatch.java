package gmpj.core;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Tells a {@link Tracer} of the JVM's garbage collections while it records: a listener on every
 * {@link GarbageCollectorMXBean}, registered when the recording begins and removed when it ends.
 * The JVM's notification thread calls it once a collection has ended; it records a
 * {@link TraceEvent.Kind#GC} event at the collection's start. Concurrent cycles (ZGC's and
 * Shenandoah's "end of GC cycle") are left out: only what stops the application is shown; their
 * pauses come as their own notifications. A JVM without the {@code jdk.management} module reports
 * nothing, and nothing is registered.
 *
 * <h2>Time</h2>
 * The JVM gives a collection's start and end in whole milliseconds since a base of its own, set
 * while it started; {@code RuntimeMXBean.getUptime()} counts from another point (tens of
 * milliseconds earlier on a typical start), so it cannot serve to convert. Instead, every
 * notification bounds the base from above: the collection ended before the notification arrived,
 * so {@code base <= arrival - end}. The smallest such bound seen so far is the estimate (shared by
 * every recording of the JVM: the base never changes). Its error is the delay of the quickest
 * notification seen (microseconds when the notification thread gets a CPU at once) plus the
 * truncation to the millisecond: times are right to about a millisecond, durations to the
 * millisecond (a collection shorter than one may show as 0), and a collection's end never lies after
 * the moment it was reported.
 */
final class GcWatch implements NotificationListener {
    /** The estimated System.nanoTime of the JVM's collection-time zero; see the class comment. */
    private static final AtomicLong BASE = new AtomicLong(Long.MAX_VALUE);
    private static final long MS = 1_000_000L;

    private final Tracer tracer;
    /** The beans listened to; emptied by {@link #stop}. Guarded by this watch's monitor. */
    private final List<NotificationEmitter> emitters = new ArrayList<>();

    private GcWatch(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Listens for {@code tracer}; null if this JVM does not report collections. */
    static GcWatch start(Tracer tracer) {
        if (ModuleLayer.boot().findModule("jdk.management").isEmpty()) {
            return null;
        }
        GcWatch w = new GcWatch(tracer);
        synchronized (w) {
            for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (bean instanceof NotificationEmitter e) {
                    e.addNotificationListener(w, null, null);
                    w.emitters.add(e);
                }
            }
        }
        return w;
    }

    /** Whether it still listens to some collector. */
    synchronized boolean isListening() {
        return !emitters.isEmpty();
    }

    /** Removes the listeners; a notification already on its way may still be recorded. */
    synchronized void stop() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(this);
            } catch (ListenerNotFoundException alreadyGone) {
                // nothing to remove
            }
        }
        emitters.clear();
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        long arrived = System.nanoTime();
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        if (info.getGcAction().contains("cycle")) {
            return;
        }
        GcInfo gc = info.getGcInfo();
        long end = gc.getEndTime();
        long base = BASE.accumulateAndGet(arrived - end * MS, Math::min);
        tracer.gc(base + gc.getStartTime() * MS, Math.max(0, end - gc.getStartTime()) * MS);
    }
}
