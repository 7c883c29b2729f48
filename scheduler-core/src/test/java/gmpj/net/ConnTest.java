package gmpj.net;

import static gmpj.net.NetTests.LIVENESS;
import static gmpj.net.NetTests.awaitNetWaiters;
import static gmpj.net.NetTests.builder;
import static gmpj.net.NetTests.join;
import static gmpj.net.NetTests.pair;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Task;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Moving bytes: writes far larger than the socket buffers, both directions at once, half-close, the stream views. */
class ConnTest {
    /** {@code n} bytes drawn from a generator seeded with {@code seed}: no period a reordering could hide in. */
    static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /**
     * Reads {@code c} to its end in small pieces, sleeping a millisecond after every {@code pause}
     * bytes, so the writer finds the socket buffers full again and again; returns the byte count
     * and the CRC32 of the bytes in the order read.
     */
    static long[] readSlowly(Conn c, int pause) throws IOException {
        c.setReadDeadline(LIVENESS);
        CRC32 crc = new CRC32();
        byte[] buf = new byte[4096];
        long total = 0;
        long nextPause = pause;
        for (int n; (n = c.read(buf)) > 0; ) {
            crc.update(buf, 0, n);
            total += n;
            if (total >= nextPause) {
                nextPause += pause;
                Gmp.sleep(Duration.ofMillis(1));
            }
        }
        return new long[] {total, crc.getValue()};
    }

    /**
     * 32 MB written in one call by a goroutine while the peer reads slowly: the write parks on a
     * full buffer many times, returns only when every byte is out, and every byte arrives in order.
     */
    @Test
    void aLargeWriteFillsTheBufferAndEveryByteArrivesInOrder() throws Exception {
        int total = 32 << 20;
        try (Scheduler s = builder("large-write").procs(2).build()) {
            Conn[] p = pair(s);
            byte[] data = pattern(total, 7);
            CRC32 want = new CRC32();
            want.update(data);
            Task<Long> wrote = s.submit(() -> {
                try (Conn w = p[0]) {
                    w.setWriteDeadline(LIVENESS);
                    ByteBuffer src = ByteBuffer.wrap(data);
                    w.write(src);
                    return (long) src.position();
                }
            });
            Task<long[]> read = s.submit(() -> readSlowly(p[1], 256 << 10));
            long[] got = join(s, read);
            assertEquals(total, join(s, wrote), "the write's buffer position: every byte handed over");
            assertEquals(total, got[0], "bytes read");
            assertEquals(want.getValue(), got[1], "CRC32 of the bytes read, in order");
            p[1].close();
        }
    }

    /**
     * Both ends write 16 MB at once while reading what the other writes: the reader and the writer
     * of one connection wait on the same descriptor independently (neither write can finish unless
     * the reads go on meanwhile).
     */
    @Test
    void bothDirectionsAtOnceOnOneConnection() throws Exception {
        int total = 16 << 20;
        try (Scheduler s = builder("duplex").procs(2).build()) {
            Conn[] p = pair(s);
            byte[][] data = {pattern(total, 1), pattern(total, 2)};
            Task<?>[] writers = new Task<?>[2];
            @SuppressWarnings("unchecked")
            Task<long[]>[] readers = new Task[2];
            for (int i = 0; i < 2; i++) {
                Conn c = p[i];
                byte[] out = data[i];
                writers[i] = s.submit(() -> {
                    c.setWriteDeadline(LIVENESS);
                    for (int off = 0; off < out.length; off += 1 << 20) {
                        c.write(out, off, 1 << 20);
                    }
                    c.shutdownOutput();
                    return null;
                });
                readers[i] = s.submit(() -> readSlowly(c, 1 << 20));
            }
            for (int i = 0; i < 2; i++) {
                join(s, writers[i]);
                long[] got = join(s, readers[i]);
                CRC32 want = new CRC32();
                want.update(data[1 - i]);
                assertEquals(total, got[0], "bytes read by end " + i);
                assertEquals(want.getValue(), got[1], "CRC32 of what end " + i + " read");
            }
            p[0].close();
            p[1].close();
        }
    }

    /**
     * Half-close: after {@code shutdownOutput} the peer reads what was sent, then the end of the
     * stream, and can still answer; this end reads the answer; a write after the shutdown fails.
     */
    @Test
    void shutdownOutputSendsTheEndOfTheStreamAndThePeerCanStillAnswer() throws Exception {
        try (Scheduler s = builder("half-close").procs(2).build()) {
            Conn[] p = pair(s);
            Conn a = p[0];
            Conn b = p[1];
            a.setDeadline(LIVENESS);
            b.setDeadline(LIVENESS);
            Task<String> peer = s.submit(() -> {
                byte[] all = b.inputStream().readAllBytes(); // until the end of the stream
                b.write(("got " + all.length + " bytes").getBytes(StandardCharsets.UTF_8));
                b.close();
                return new String(all, StandardCharsets.UTF_8);
            });
            Task<String> caller = s.submit(() -> {
                a.write("question".getBytes(StandardCharsets.UTF_8));
                a.shutdownOutput();
                SocketException e = assertThrows(SocketException.class, () -> a.write(new byte[] {1}));
                assertTrue(e.getMessage().contains("shutdownOutput"), e.getMessage());
                return new String(a.inputStream().readAllBytes(), StandardCharsets.UTF_8);
            });
            assertEquals("question", join(s, peer));
            assertEquals("got 8 bytes", join(s, caller));
            assertEquals(-1, a.read(new byte[1]), "still the end of the stream");
            a.close();
        }
    }

    /** After {@code shutdownInput} reads return the end of the stream at once; writing still works. */
    @Test
    void shutdownInputEndsReadsButNotWrites() throws Exception {
        try (Scheduler s = builder("shut-input").procs(1).build()) {
            Conn[] p = pair(s);
            p[0].setDeadline(LIVENESS);
            p[1].setDeadline(LIVENESS);
            p[0].shutdownInput();
            assertEquals(-1, p[0].read(new byte[8]));
            p[0].write(new byte[] {5, 6});
            byte[] two = new byte[2];
            p[1].readFully(two);
            assertArrayEquals(new byte[] {5, 6}, two);
            p[0].close();
            p[1].close();
        }
    }

    /** The stream views work with ordinary java.io code, from a goroutine, parking while they wait. */
    @Test
    void streamViewsCarryLineOrientedJavaIoCode() throws Exception {
        try (Scheduler s = builder("streams").procs(2).build()) {
            Conn[] p = pair(s);
            p[0].setDeadline(LIVENESS);
            p[1].setDeadline(LIVENESS);
            Task<Integer> server = s.submit(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p[1].inputStream(), StandardCharsets.UTF_8));
                     OutputStream out = p[1].outputStream()) {
                    int lines = 0;
                    for (String line; (line = in.readLine()) != null; lines++) {
                        out.write((line.toUpperCase() + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                    return lines;
                }
            });
            awaitNetWaiters(s, 1); // the server parked in readLine
            Task<String> client = s.submit(() -> {
                OutputStream out = p[0].outputStream();
                for (int i = 0; i < 100; i++) {
                    out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                }
                out.write('!');
                out.write('\n');
                p[0].shutdownOutput();
                return new String(p[0].inputStream().readAllBytes(), StandardCharsets.UTF_8);
            });
            StringBuilder want = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                want.append("LINE ").append(i).append('\n');
            }
            want.append("!\n");
            assertEquals(want.toString(), join(s, client));
            assertEquals(101, join(s, server));
            assertTrue(p[1].isClosed(), "closing the stream closed the connection");
            p[0].close();
        }
    }

    /** A read of nothing returns 0 at once; a ByteBuffer read fills the buffer's remaining space and advances it. */
    @Test
    void emptyAndByteBufferReads() throws Exception {
        try (Scheduler s = builder("buffers").procs(1).build()) {
            Conn[] p = pair(s);
            assertEquals(0, p[0].read(new byte[4], 2, 0));
            assertEquals(0, p[0].read(ByteBuffer.allocate(0)));
            p[1].write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}, 1, 3));
            ByteBuffer dst = ByteBuffer.allocate(8).position(5);
            p[0].setReadDeadline(LIVENESS);
            int n = 0;
            while (n < 3) {
                n += p[0].read(dst);
            }
            assertEquals(8, dst.position());
            assertArrayEquals(new byte[] {2, 3, 4}, java.util.Arrays.copyOfRange(dst.array(), 5, 8));
            p[0].close();
            p[1].close();
        }
    }
}
