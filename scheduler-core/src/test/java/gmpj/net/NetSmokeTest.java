package gmpj.net;

import gmpj.core.Scheduler;
import gmpj.core.Task;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NetSmokeTest {
    @Test
    void echoesManyConnections() throws Exception {
        try (Scheduler s = Scheduler.builder().procs(2).build()) {
            Listener ln = Net.listen(s, "127.0.0.1", 0);
            s.go(() -> {
                for (;;) {
                    Conn c;
                    try {
                        c = ln.accept();
                    } catch (IOException e) {
                        return;
                    }
                    s.go(() -> {
                        try (c) {
                            byte[] buf = new byte[4096];
                            for (int n; (n = c.read(buf)) > 0; ) {
                                c.write(buf, 0, n);
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            });
            List<Task<byte[]>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int id = i;
                tasks.add(s.submit(() -> {
                    try (Conn c = Net.dial("127.0.0.1", ln.port(), Duration.ofSeconds(30))) {
                        byte[] msg = new byte[1000 + id];
                        Arrays.fill(msg, (byte) id);
                        c.write(msg);
                        byte[] back = new byte[msg.length];
                        c.readFully(back);
                        return back;
                    }
                }));
            }
            for (int i = 0; i < tasks.size(); i++) {
                byte[] want = new byte[1000 + i];
                Arrays.fill(want, (byte) i);
                assertArrayEquals(want, tasks.get(i).join(), "connection " + i);
            }
            System.out.println(s.stats());
            ln.close();
            assertEquals(true, ln.isClosed());
        }
    }
}
