package gmpj.core;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Goroutines that park (and so move between two carriers) and then read from a channel through
 * {@link NioBoundary}, long enough for C2 to compile the loop: run by {@link NioBoundaryTest} in a
 * JVM with C2 only. The channel, standing in for NIO's, checks what a real one keys its locks on:
 * that {@code Thread.currentThread()} inside it is the carrier the goroutine runs on now. Prints
 * the number of stale reads and exits 1 if there was any.
 */
public final class NioBoundaryMain {
    public static void main(String[] args) throws Exception {
        int goroutines = 8;
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        AtomicLong stale = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        try (Scheduler s = Scheduler.builder().procs(2).name("boundary").build()) {
            Task<?>[] tasks = new Task<?>[goroutines];
            for (int i = 0; i < goroutines; i++) {
                tasks[i] = s.submit(() -> {
                    CarrierCheckingChannel ch = new CarrierCheckingChannel(stale);
                    ByteBuffer buf = ByteBuffer.allocate(1);
                    for (int r = 0; r < rounds; r++) {
                        Thread.currentThread(); // a value C2 may keep across the park below
                        Parking.parkNanos(WaitReason.IO, 2_000);
                        buf.clear();
                        NioBoundary.read(ch, buf);
                        reads.incrementAndGet();
                    }
                    return null;
                });
            }
            for (Task<?> t : tasks) {
                t.join();
            }
        }
        System.out.println("stale currentThread() in " + stale + " of " + reads + " reads");
        System.exit(stale.get() == 0 ? 0 : 1);
    }

    /** Reads one byte; counts the reads that ran under another carrier's name than their own. */
    static final class CarrierCheckingChannel implements ReadableByteChannel {
        private final AtomicLong stale;

        CarrierCheckingChannel(AtomicLong stale) {
            this.stale = stale;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (Thread.currentThread() != Gmp.currentG().m) {
                stale.incrementAndGet();
            }
            dst.put((byte) 1);
            return 1;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
