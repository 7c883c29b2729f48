package gmpj.bench;

import gmpj.core.Scheduler;
import gmpj.core.Trace;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records an execution trace of the tour's uneven work ({@link Workloads#uneven}: one goroutine
 * starts {@value UnevenWork#TASKS} CPU-bound ones, half of them heavier, and idle processors steal)
 * and writes it as {@code trace.json} and {@code trace.html} into a directory.
 *
 * <p>Usage: {@code TraceUnevenWork <output directory> [procs]} (procs defaults to 4). A few untraced
 * runs first let the JIT compile the work, so that the traced one shows the scheduler rather than
 * the interpreter. Prints one line: the processors, the events recorded and the files written.
 * Used by {@code run-viewer-test.sh}.
 */
public final class TraceUnevenWork {
    private static final int WARM_UP_RUNS = 5;

    private TraceUnevenWork() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("usage: TraceUnevenWork <output directory> [procs], got " + args.length + " argument(s)");
        }
        Path dir = Path.of(args[0]);
        int procs = args.length > 1 ? procs(args[1]) : 4;
        Files.createDirectories(dir);
        try (Scheduler s = Scheduler.builder().procs(procs).name("uneven-work").build()) {
            Primitives gmpj = Primitives.gmpj(s);
            for (int i = 0; i < WARM_UP_RUNS; i++) {
                check(Workloads.uneven(gmpj));
            }
            s.startTrace();
            Workloads.Result r = Workloads.uneven(gmpj);
            Trace trace = s.stopTrace();
            check(r);
            Path json = dir.resolve("trace.json");
            Path html = dir.resolve("trace.html");
            trace.writeJson(json);
            trace.writeHtml(html);
            System.out.println("procs=" + procs + " events=" + trace.events().size() + " dropped=" + trace.droppedEvents()
                    + " json=" + json + " html=" + html);
        }
    }

    private static int procs(String arg) {
        int procs;
        try {
            procs = Integer.parseInt(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("procs must be a whole number, got '" + arg + "'", e);
        }
        if (procs < 1) {
            throw new IllegalArgumentException("procs must be at least 1, got " + procs);
        }
        return procs;
    }

    private static void check(Workloads.Result r) {
        if (!r.ok()) {
            throw new IllegalStateException("the uneven work went wrong: " + r.summary());
        }
    }
}
