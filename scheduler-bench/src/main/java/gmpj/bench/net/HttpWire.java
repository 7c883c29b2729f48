package gmpj.bench.net;

import gmpj.net.Conn;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The bytes of HTTP/1.1 messages on a {@link Conn}, shared by {@link HttpServerExample} and
 * {@link HttpClientExample}: a read buffer with line and fixed-length reads, and header parsing.
 * One goroutine reads through it at a time (the connection's reader).
 */
final class HttpWire {
    /** The longest start line or header line accepted, in bytes. */
    static final int MAX_LINE = 8192;
    /** The most header lines one message may have. */
    static final int MAX_HEADERS = 100;
    /** The largest body accepted, in bytes. */
    static final int MAX_BODY = 1 << 20;

    /** A message that breaks the protocol: the server answers 400, the client gives up on the connection. */
    static final class MalformedException extends IOException {
        MalformedException(String message) {
            super(message);
        }
    }

    private final Conn conn;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int lim;
    /** Bytes taken from the connection so far. */
    private long received;

    HttpWire(Conn conn) {
        this.conn = conn;
    }

    Conn conn() {
        return conn;
    }

    /** Bytes read from the connection and not yet consumed. */
    int buffered() {
        return lim - pos;
    }

    /** Every byte received on the connection so far, consumed or not. */
    long received() {
        return received;
    }

    /**
     * Makes sure at least one byte is buffered, reading if none is: false if the peer closed its
     * side first (a clean end between messages).
     */
    boolean fill() throws IOException {
        if (pos < lim) {
            return true;
        }
        int n = conn.read(buf, 0, buf.length);
        if (n < 0) {
            return false;
        }
        pos = 0;
        lim = n;
        received += n;
        return true;
    }

    /**
     * The next line, without its CRLF (a bare LF is accepted too), as ISO-8859-1 text.
     *
     * @throws MalformedException if it is longer than {@link #MAX_LINE}
     * @throws EOFException if the peer closed its side before the line ended
     */
    String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        for (;;) {
            if (!fill()) {
                throw new EOFException("the peer closed the connection in the middle of a line");
            }
            int start = pos;
            while (pos < lim && buf[pos] != '\n') {
                pos++;
            }
            boolean ended = pos < lim;
            line.append(new String(buf, start, pos - start, StandardCharsets.ISO_8859_1));
            if (ended) {
                pos++; // the LF
            }
            if (line.length() > MAX_LINE) {
                throw new MalformedException("a line longer than " + MAX_LINE + " bytes");
            }
            if (ended) {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
        }
    }

    /**
     * Header lines up to the blank line that ends them, names in lower case; a repeated header's
     * values are joined with ", ".
     *
     * @throws MalformedException on a line without a colon, an empty or spaced name, a folded
     *         line, or more than {@link #MAX_HEADERS} lines
     */
    Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int count = 0;; count++) {
            String line = readLine();
            if (line.isEmpty()) {
                return headers;
            }
            if (count == MAX_HEADERS) {
                throw new MalformedException("more than " + MAX_HEADERS + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new MalformedException("a header line that is not 'Name: value': '" + clip(line) + "'");
            }
            String name = line.substring(0, colon);
            if (name.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                throw new MalformedException("a header name with a space or control character: '" + clip(name) + "'");
            }
            headers.merge(name.toLowerCase(Locale.ROOT), line.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
        }
    }

    /**
     * The body length a {@code Content-Length} header gives, 0 without one.
     *
     * @throws MalformedException if it is not a decimal number, or larger than {@link #MAX_BODY}
     */
    static int contentLength(Map<String, String> headers) throws MalformedException {
        String v = headers.get("content-length");
        if (v == null) {
            return 0;
        }
        if (v.isEmpty() || v.length() > 10 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedException("Content-Length '" + clip(v) + "' is not a decimal number");
        }
        long n = Long.parseLong(v);
        if (n > MAX_BODY) {
            throw new MalformedException("Content-Length " + n + " is larger than " + MAX_BODY);
        }
        return (int) n;
    }

    /** Whether a comma-separated header value (e.g. {@code Connection}) holds {@code token}, ignoring case. */
    static boolean hasToken(String value, String token) {
        if (value == null) {
            return false;
        }
        for (String t : value.split(",")) {
            if (t.strip().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads exactly {@code n} bytes.
     *
     * @throws EOFException if the peer closed its side first
     */
    byte[] readBody(int n) throws IOException {
        byte[] body = new byte[n];
        int done = 0;
        while (done < n) {
            if (!fill()) {
                throw new EOFException("the peer closed the connection after " + done + " of " + n + " body bytes");
            }
            int take = Math.min(n - done, lim - pos);
            System.arraycopy(buf, pos, body, done, take);
            pos += take;
            done += take;
        }
        return body;
    }

    /** A message's head and body as one array: one write, one segment for a small message. */
    static byte[] message(CharSequence head, byte[] body) {
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[h.length + body.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }

    /** At most 80 characters of {@code s}, for a message. */
    static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
