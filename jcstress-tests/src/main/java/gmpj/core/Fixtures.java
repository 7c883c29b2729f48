package gmpj.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.SelectorProvider;

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
 *
 * <p>The network poller's protocols are driven the same way, on pollers ({@link #netpoll}) and
 * descriptors ({@link #pollDesc}) that use no file descriptor of their own: jcstress keeps
 * thousands of samples in flight (up to 40 strides of 256), and a selector or a pipe per sample
 * would run into the process's limit on open files.
 */
final class Fixtures {
    /** The task of every fixture goroutine: none of them is ever run. */
    static final Runnable NEVER_RUN = () -> {
        throw new AssertionError("a jcstress fixture goroutine was run");
    };

    /**
     * The one selector of every poller made by {@link #netpoll}. Nobody waits in it: a test may
     * wake it up ({@code M.wake} breaking a poll) or flush it ({@code PollDesc.close}), both of
     * which return at once.
     */
    private static final Selector SHARED_SELECTOR = openSelector();

    private Fixtures() {}

    private static Selector openSelector() {
        try {
            return Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the jcstress fixtures' selector", e);
        }
    }

    /**
     * A network poller of {@code s} on the shared selector, as {@code Scheduler.netpoll()} would
     * make one; it is not installed in {@code s.netpoll} (a test that needs that assigns it).
     */
    static Netpoll netpoll(Scheduler s) {
        return new Netpoll(s, SHARED_SELECTOR);
    }

    /**
     * A descriptor of {@code s} and its poller {@code np} on a fresh {@link UnwatchedChannel}: not
     * registered with any selector (its key is null, which the slot protocol never touches), and
     * closable, as {@code PollDesc.close} closes the channel and flushes the poller.
     */
    static PollDesc pollDesc(Scheduler s, Netpoll np) {
        return new PollDesc(s, np, new UnwatchedChannel());
    }

    /** A selectable channel without a file descriptor: never registered, and nothing to release on close. */
    static final class UnwatchedChannel extends AbstractSelectableChannel {
        UnwatchedChannel() {
            super(SelectorProvider.provider());
        }

        @Override
        public int validOps() {
            return SelectionKey.OP_READ | SelectionKey.OP_WRITE;
        }

        @Override
        protected void implCloseSelectableChannel() {
            // no file descriptor, no selector registration: closing only marks the channel closed
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
            // no file descriptor whose mode could change
        }
    }

    /**
     * A fresh goroutine with id {@code id} (1..9) of a scheduler whose carriers never start: it is
     * never run, and an unpark that makes it runnable only queues it there. (A goroutine always has
     * a scheduler: {@link G#unpark} reads it.)
     */
    static G g(long id) {
        return new G(NOWHERE, id, null, NEVER_RUN);
    }

    /** The scheduler of {@link #g}'s goroutines: one for all, never started. */
    private static final Scheduler NOWHERE = unstarted(1);

    /**
     * A scheduler with {@code procs} processors whose carriers and sysmon are never started. Each
     * processor is held by its carrier (not idle), nobody spins, nothing is queued. A fresh one per
     * sample: building it allocates objects only (thread objects that are never started).
     */
    static Scheduler unstarted(int procs) {
        return unstarted(procs, procs);
    }

    /**
     * As {@link #unstarted(int)}, with room for {@code maxProcs} processors ({@link Scheduler#setProcs});
     * the ones beyond {@code procs} start out of use.
     */
    static Scheduler unstarted(int procs, int maxProcs) {
        return Scheduler.builder().procs(procs).maxProcs(maxProcs).runQueueCapacity(4).name("jcstress-unstarted")
                .buildUnstarted();
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
