package gmpj.core;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * What {@link Scheduler.Builder} decided, frozen: every part of the scheduler reads its settings
 * here, and none of them changes after {@link Scheduler.Builder#build()}.
 */
final class Config {
    final String name;
    /** The processors at start ({@link Scheduler#setProcs} changes the count later, never past {@link #maxProcs}). */
    final int procs;
    /** The most processors {@link Scheduler#setProcs} may ask for: every per-processor structure is made this big. */
    final int maxProcs;
    final StealPolicy stealPolicy;
    final Scheduler.UncaughtExceptionHandler handler;
    final Duration closeTimeout;
    final boolean pinCarriers;
    final HogPolicy hogPolicy;
    final boolean checkMonitors;
    final boolean scheddetail;
    /** Null: diagnostics go to the System.Logger {@code gmpj.scheduler}. */
    final Consumer<String> diagnosticsSink;
    final DeadlockPolicy deadlockPolicy;
    final String carrierPrefix;
    final long carrierStackSize;
    final boolean daemon;
    final int maxThreads;
    final long spareKeepAliveNanos;
    /** Starts carrier threads; a seam for tests that make thread creation fail. */
    final Consumer<Thread> threadStarter;
    final int runQueueCapacity;
    final long timeSliceNanos;
    /** 0: no schedtrace. */
    final long schedtraceNanos;
    /** 0: no deadlock detection ({@link DeadlockPolicy#IGNORE}). */
    final long deadlockGraceNanos;
    /** 0: no flight recorder; else the window it keeps. */
    final long flightWindowNanos;
    /** Where the flight recorder writes a recording when a hog or a deadlock is reported; null: nowhere. */
    final java.nio.file.Path flightDumps;
    /** Whether latency recording is on from the start ({@link Scheduler.Builder#latencyHistograms}). */
    final boolean latencyHistograms;

    Config(String name, int procs, int maxProcs, StealPolicy stealPolicy, Scheduler.UncaughtExceptionHandler handler,
           Duration closeTimeout, boolean pinCarriers, HogPolicy hogPolicy, boolean checkMonitors, boolean scheddetail,
           Consumer<String> diagnosticsSink, DeadlockPolicy deadlockPolicy, String threadNamePrefix,
           long carrierStackSize, boolean daemon, int maxThreads, Duration spareKeepAlive,
           Consumer<Thread> threadStarter, int runQueueCapacity, Duration timeSlice, Duration schedtrace,
           Duration deadlockGrace, Duration flightWindow, java.nio.file.Path flightDumps, boolean latencyHistograms) {
        this.name = name;
        this.procs = procs;
        this.maxProcs = maxProcs;
        this.stealPolicy = stealPolicy;
        this.handler = handler;
        this.closeTimeout = closeTimeout;
        this.pinCarriers = pinCarriers;
        this.hogPolicy = hogPolicy;
        this.checkMonitors = checkMonitors;
        this.scheddetail = scheddetail;
        this.diagnosticsSink = diagnosticsSink;
        this.deadlockPolicy = deadlockPolicy;
        this.carrierPrefix = threadNamePrefix != null ? threadNamePrefix : name + "-m";
        this.carrierStackSize = carrierStackSize;
        this.daemon = daemon;
        this.maxThreads = Math.max(maxThreads, maxProcs);
        this.spareKeepAliveNanos = Parking.saturatedNanos(spareKeepAlive);
        this.threadStarter = threadStarter;
        this.runQueueCapacity = runQueueCapacity;
        this.timeSliceNanos = timeSlice.toNanos();
        this.schedtraceNanos = schedtrace == null ? 0 : schedtrace.toNanos();
        this.deadlockGraceNanos = deadlockPolicy == DeadlockPolicy.IGNORE ? 0 : Math.max(1, deadlockGrace.toNanos());
        this.flightWindowNanos = flightWindow == null ? 0 : flightWindow.toNanos();
        this.flightDumps = flightDumps;
        this.latencyHistograms = latencyHistograms;
    }
}
