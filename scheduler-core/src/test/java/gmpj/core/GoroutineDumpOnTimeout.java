package gmpj.core;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.PreInterruptCallback;
import org.junit.jupiter.api.extension.PreInterruptContext;

/**
 * When a test runs past its JUnit timeout (the suite's default is set in the parent POM), prints
 * every running scheduler's counters and goroutine dump ({@link Scheduler#dumpAll()}) beside
 * JUnit's thread dump: a goroutine parked on a lost wake-up is not a thread, so the thread dump
 * alone does not show it. Registered for the whole suite through {@code META-INF/services}
 * (extension auto-detection is switched on in the parent POM); scheduler-sync's tests get it from
 * this module's test jar.
 */
public final class GoroutineDumpOnTimeout implements PreInterruptCallback {
    @Override
    public void beforeThreadInterrupt(PreInterruptContext preInterruptContext, ExtensionContext context) {
        System.out.println("timed out: " + context.getDisplayName() + " (" + context.getUniqueId() + ")\n"
                + "goroutines of every running scheduler:\n" + Scheduler.dumpAll());
        System.out.flush();
    }
}
