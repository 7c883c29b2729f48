package gmpj.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the self-contained HTML timeline viewer of a {@link Trace}: the page of the resource
 * {@code trace-viewer.html} (its own script and style, nothing fetched from the network) with the
 * trace's Chrome trace-event JSON ({@link ChromeTrace}) in place of its {@value #PLACEHOLDER}, inside
 * a {@code <script type="application/json">} element.
 *
 * <p>The JSON cannot end that element early: {@link ChromeTrace} writes {@code <}, {@code >} and
 * {@code &} inside strings as JSON unicode escapes, and outside strings the JSON has none of them,
 * so no {@code </script} can appear in it.
 */
final class TraceViewer {
    /** What the template holds where the JSON goes, once. */
    static final String PLACEHOLDER = "@TRACE_JSON@";
    private static final String RESOURCE = "trace-viewer.html";

    /** The template before and after {@link #PLACEHOLDER}. */
    private static final String[] TEMPLATE = template();

    private TraceViewer() {
    }

    static void write(Trace trace, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(TEMPLATE[0]);
            ChromeTrace.write(trace, out);
            out.write(TEMPLATE[1]);
        }
    }

    private static String[] template() {
        try (InputStream in = TraceViewer.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the trace viewer's template " + RESOURCE + " is missing from the classpath, next to "
                        + TraceViewer.class.getName());
            }
            String page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int at = page.indexOf(PLACEHOLDER);
            if (at < 0 || page.indexOf(PLACEHOLDER, at + 1) >= 0) {
                throw new IllegalStateException("the trace viewer's template " + RESOURCE + " must hold " + PLACEHOLDER + " exactly once");
            }
            return new String[] {page.substring(0, at), page.substring(at + PLACEHOLDER.length())};
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the trace viewer's template " + RESOURCE, e);
        }
    }
}
