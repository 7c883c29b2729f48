/**
 * gmpj's scheduler: goroutines on JDK continuations, processors, carrier threads and sysmon
 * ({@link gmpj.core}), goroutine-aware sockets ({@link gmpj.net}) and deterministic tests
 * ({@link gmpj.testing}).
 *
 * <p>Every JVM that runs this module needs {@code --add-exports=java.base/jdk.internal.vm=gmpj.core}
 * (on the class path: {@code =ALL-UNNAMED}); without it,
 * {@link gmpj.core.Scheduler.Builder#build()} throws an exception naming the flag. Pinning carriers
 * to CPUs also needs {@code --enable-native-access=gmpj.core}.
 */
module gmpj.core {
    exports gmpj.core;
    exports gmpj.net;
    exports gmpj.testing;

    /* Schedule-latency and run-slice histograms. An automatic module (the jar has no descriptor). */
    requires HdrHistogram;
    /* ThreadMXBean for carrier CPU time, and the GC beans. */
    requires java.management;
    /* GC pause details and JFR events: used when the runtime has these modules, skipped when not. */
    requires static jdk.management;
    requires static jdk.jfr;
    /* The JUnit extension in gmpj.testing; only programs that use it need JUnit. */
    requires static org.junit.jupiter.api;
}
