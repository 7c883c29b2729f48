package gmpj.core;

/**
 * Goroutines, ledgers and schedulers for the tests in this package.
 *
 * <p>The goroutines made here are never run: the tests only move them between queues, so they
 * need neither a scheduler nor a real task. Their ids are 1..9, one decimal digit each, so that
 * {@link Taken#digits()} can print a set of them as one readable number.
 *
 * <p>The schedulers made by {@link #unstarted} have no running thread: the tests of the idle, wake,
 * spinning, sysmon and deadlock protocols call the production methods on them by hand, each actor
 * playing one carrier, a submitter or sysmon.
 */
final class Fixtures {
    /** The task of every fixture goroutine: none of them is ever run. */
    static final Runnable NEVER_RUN = () -> {
        throw new AssertionError("a jcstress fixture goroutine was run");
    };

    private Fixtures() {}

    /** A fresh goroutine with id {@code id} (1..9) that belongs to no scheduler. */
    static G g(long id) {
        return new G(null, id, null, NEVER_RUN);
    }

    /**
     * A scheduler with {@code procs} processors whose carriers and sysmon are never started. Each
     * processor is held by its carrier (not idle), nobody spins, nothing is queued. A fresh one per
     * sample: building it allocates objects only (thread objects that are never started).
     */
    static Scheduler unstarted(int procs) {
        return Scheduler.builder().procs(procs).runQueueCapacity(4).name("jcstress-unstarted").buildUnstarted();
    }

    /** Moves everything left in {@code q} (runnext first, then the ring) into {@code into}. */
    static void drain(LocalRunQueue q, Taken into) {
        into.add(q.pollRunnext());
        for (G g; (g = q.poll()) != null; ) {
            into.add(g);
        }
    }

    /**
     * Empties {@code q} and returns the ids it held in the order {@code poll} gave them, one digit
     * each ("132" if 1 came out first, then 3, then 2), or 0 if it was empty. Unlike
     * {@link Taken#digits()} this keeps the order, for the tests that check the queue is FIFO.
     */
    static int drainInOrder(GlobalRunQueue q) {
        int d = 0;
        for (G g; (g = q.poll()) != null; ) {
            d = d * 10 + (int) g.id;
        }
        return d;
    }

    /**
     * The goroutines one party ended up with. Counts each id, so a goroutine taken twice by the
     * same party shows up twice ("22") instead of hiding in a set.
     */
    static final class Taken {
        private final int[] count = new int[10];

        /** Records {@code g}; null (nothing taken) is ignored. */
        void add(G g) {
            if (g != null) {
                count[(int) g.id]++;
            }
        }

        /** The ids taken, ascending, one digit each ("23" for goroutines 2 and 3), or 0 for none. */
        int digits() {
            int d = 0;
            for (int id = 1; id < count.length; id++) {
                for (int i = 0; i < count[id]; i++) {
                    d = d * 10 + id;
                }
            }
            return d;
        }
    }
}
