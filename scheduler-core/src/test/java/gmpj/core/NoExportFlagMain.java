package gmpj.core;

/**
 * Entry point of the child JVM of {@link MissingExportFlagTest}: builds a scheduler in a JVM
 * started without the flag that opens continuations, and prints what happened.
 */
public final class NoExportFlagMain {
    private NoExportFlagMain() {}

    public static void main(String[] args) {
        try (Scheduler s = Scheduler.builder().procs(1).build()) {
            System.out.println("BUILT " + s);
        } catch (Throwable t) {
            System.out.println("FAILED " + t.getClass().getName() + ": " + t.getMessage());
        }
    }
}
