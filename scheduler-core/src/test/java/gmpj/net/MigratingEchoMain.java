package gmpj.net;

import gmpj.core.Scheduler;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Echo round trips whose goroutines keep moving between two carriers, long enough for C2 to
 * compile the read and write loops: run by {@link CompiledMigrationTest} in a JVM with C2 only.
 * Exits 0 if every round trip came back intact, 1 (printing the first failure) otherwise.
 */
public final class MigratingEchoMain {
    public static void main(String[] args) throws Exception {
        int conns = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int rounds = Integer.parseInt(args.length > 0 ? args[0] : "30000");
        try (Scheduler s = Scheduler.builder().procs(2).name("migrating").build()) {
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
                            byte[] buf = new byte[256];
                            for (int n; (n = c.read(buf)) > 0; ) {
                                c.write(buf, 0, n);
                            }
                        } catch (IOException | RuntimeException e) {
                            e.printStackTrace(System.out);
                            System.exit(1);
                        }
                    });
                }
            });
            // The clients are plain threads on blocking sockets, as an outside load generator is: the
            // server goroutines are readied by whichever carrier polls, so they keep changing carriers.
            List<Thread> clients = new ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            for (int i = 0; i < conns; i++) {
                byte id = (byte) i;
                clients.add(Thread.ofPlatform().start(() -> {
                    try (java.net.Socket c = new java.net.Socket("127.0.0.1", ln.port())) {
                        c.setTcpNoDelay(true);
                        java.io.InputStream in = c.getInputStream();
                        java.io.OutputStream out = c.getOutputStream();
                        byte[] msg = new byte[64];
                        byte[] back = new byte[64];
                        for (int r = 0; r < rounds; r++) {
                            msg[0] = id;
                            msg[1] = (byte) r;
                            out.write(msg);
                            if (in.readNBytes(back, 0, 64) != 64 || back[0] != id || back[1] != (byte) r) {
                                throw new IllegalStateException("round " + r + " of connection " + id + " came back wrong");
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread t : clients) {
                t.join();
            }
            if (failure.get() != null) {
                failure.get().printStackTrace(System.out);
                System.exit(1);
            }
            ln.close();
        }
        System.out.println("all round trips intact");
    }
}
