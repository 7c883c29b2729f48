package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceViewerTest {
    private static final String DATA_OPEN = "<script id=\"trace-data\" type=\"application/json\">";
    /** A goroutine name that would end the JSON's script element and start one of its own if written raw. */
    private static final String HOSTILE = "</script><script>document.title='x'</script><!-- & -->";

    @Test
    void theViewerIsOneSelfContainedPageWithTheTraceJsonInIt(@TempDir Path dir) throws Exception {
        Trace trace = recordSmallTrace();
        Path html = dir.resolve("trace.html");
        trace.writeHtml(html);
        String page = Files.readString(html, StandardCharsets.UTF_8);

        String lower = page.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("http://") || lower.contains("https://"), "no address to fetch anything from");
        assertFalse(lower.contains("<link"), "no linked style sheet, font or icon");
        Matcher src = Pattern.compile("(?i)\\bsrc\\s*=").matcher(page);
        assertFalse(src.find(), "no script or image loaded from elsewhere");
        assertTrue(page.contains("<canvas"), "the timeline is drawn on a canvas");
        assertFalse(page.contains(TraceViewer.PLACEHOLDER), "the template's placeholder is replaced");

        int open = page.indexOf(DATA_OPEN);
        assertTrue(open >= 0, "the trace's JSON element");
        assertEquals(-1, page.indexOf(DATA_OPEN, open + 1), "one JSON element");
        int start = open + DATA_OPEN.length();
        int end = page.indexOf("</script", start);
        StringWriter expected = new StringWriter();
        trace.writeJson(expected);
        assertEquals(expected.toString(), page.substring(start, end), "the embedded JSON is the trace's JSON, whole");
        assertFalse(page.contains(HOSTILE), "the hostile name is escaped");
        assertEquals(2, count(lower, "</script"), "the JSON element and the viewer's script end where they should");
        assertEquals(count(lower, "<script"), count(lower, "</script"));
    }

    private static Trace recordSmallTrace() throws InterruptedException {
        Trace trace = TraceTest.recordParentAndChildren("viewer", HOSTILE, 8);
        assertTrue(trace.events().stream().anyMatch(e -> HOSTILE.equals(trace.goroutineName(e.goroutine()))),
                "the trace names the goroutine with the hostile name");
        return trace;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
