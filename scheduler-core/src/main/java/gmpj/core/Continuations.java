package gmpj.core;

/**
 * Checks, before any goroutine class is loaded, that this JVM lets gmpj use
 * {@code jdk.internal.vm.Continuation}; otherwise the user would get an {@link IllegalAccessError}
 * from deep inside class loading instead of the one flag to add.
 *
 * <p>This class must not mention {@link G} or {@code jdk.internal.vm} types.
 */
final class Continuations {
    private Continuations() {}

    /** The command-line flag this JVM needs, naming gmpj's module as the JVM sees it. */
    static String requiredFlag() {
        Module self = Continuations.class.getModule();
        String target = self.isNamed() ? self.getName() : "ALL-UNNAMED";
        return "--add-exports=java.base/jdk.internal.vm=" + target;
    }

    static void check() {
        Module base = Object.class.getModule();
        if (!base.isExported("jdk.internal.vm", Continuations.class.getModule())) {
            throw new IllegalStateException("gmpj runs goroutines on jdk.internal.vm.Continuation, which this JVM does not "
                    + "export: start java with " + requiredFlag() + " (for Maven Surefire put it in <argLine>, for JMH "
                    + "and jcstress forks pass it with -jvmArgsAppend / -jvmArgsPrepend)");
        }
    }
}
