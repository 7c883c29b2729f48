package gmpj.core;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the self-contained HTML timeline viewer of a {@link Trace}. */
final class TraceViewer {
    private TraceViewer() {
    }

    static void write(Trace trace, Path file) throws IOException {
        StringWriter json = new StringWriter();
        ChromeTrace.write(trace, json);
        Files.writeString(file, "<!DOCTYPE html><meta charset=utf-8><title>gmpj trace</title><script id=trace type=application/json>"
                + json + "</script>");
    }
}
