package gmpj.core;

import java.util.List;

/**
 * An immutable snapshot of a scheduler's counters ({@link Scheduler#stats()}).
 *
 * <p>Counters are read one by one while the scheduler runs, so a snapshot of a busy scheduler is
 * not a single instant: sums may disagree by the few events that happened while it was taken.
 * A snapshot of a quiet scheduler is exact.
 *
 * @param scheduler         the scheduler's name
 * @param procs             the number of processors in use (Go's GOMAXPROCS; {@link Scheduler#setProcs} changes it)
 * @param maxProcs          the most processors {@link Scheduler#setProcs} may set ({@link Scheduler.Builder#maxProcs})
 * @param retiringProcs     processors removed by {@link Scheduler#setProcs} whose carrier has not let them go
 *                          yet (it finishes its goroutine's turn first)
 * @param stealPolicy       the steal policy's name
 * @param idleProcs         processors on the idle list (their carriers parked)
 * @param spinningCarriers  carriers spinning in search of work
 * @param threads           carrier threads alive
 * @param globalQueueLength goroutines in the global run queue
 * @param timers            armed timers
 * @param liveGoroutines    goroutines spawned and not yet finished (runnable, running or parked)
 * @param externalSpawns    goroutines spawned from outside any processor (into the global queue)
 * @param externalReadies   goroutines readied from outside any processor (into the global queue)
 * @param preemptRequests   times sysmon asked a goroutine to yield after a full time slice
 * @param deadlocks         all-goroutines-asleep states detected
 * @param blockingCalls     goroutines inside {@link Gmp#blocking} right now
 * @param handoffs          processors sysmon handed from a stuck carrier to another one
 * @param hogs              times a goroutine kept its processor for two time slices without yielding
 *                          while its carrier computed and other goroutines waited ({@link HogPolicy})
 * @param orphanExits       goroutines that finished on a carrier whose processor had been handed off
 * @param extraRunning      carriers running goroutine code right now without holding a processor:
 *                          goroutines that run beyond {@code procs} (a hog whose processor was handed
 *                          off under {@link HogPolicy#HAND_OFF}, or a goroutine back from a blocking
 *                          call whose processor went to another carrier, until it next yields or parks)
 * @param carrierFailures   carriers that ended because the runtime's own code failed on them (each
 *                          reported once through the diagnostics; its processor went to another carrier)
 * @param sparesRetired     spare carriers that ended after waiting {@code spareKeepAlive} without work
 * @param carriersStarted   carrier threads started so far: {@code procs} at first, then one for each hand-off,
 *                          failure or processor added by {@link Scheduler#setProcs} that found no spare carrier
 * @param sysmonRounds      times sysmon woke to look at the processors: thousands a second right after a
 *                          blocking call was handed off, a few hundred at most while goroutines compute
 * @param netpoll           the network poller's counters ({@link NetpollStats#NONE} while the scheduler
 *                          has never watched a socket)
 * @param latencyRecording  whether the latency histograms are recording now ({@link Scheduler#recordLatency})
 * @param scheduleLatency   all processors: how long goroutines waited, runnable, before a carrier mounted
 *                          them, since latency recording was first turned on ({@link LatencyStats#NONE} if
 *                          never)
 * @param runSlice          all processors: how long goroutines ran once mounted, likewise
 * @param perProc           one entry per processor ever in use, in index order: the first {@code procs} are in
 *                          use; the others were removed by {@link Scheduler#setProcs} and keep the counters
 *                          of their time in use, so totals over them never go down
 */
public record SchedulerStats(
        String scheduler,
        int procs,
        int maxProcs,
        int retiringProcs,
        String stealPolicy,
        int idleProcs,
        int spinningCarriers,
        int threads,
        int globalQueueLength,
        int timers,
        long liveGoroutines,
        long externalSpawns,
        long externalReadies,
        long preemptRequests,
        long deadlocks,
        int blockingCalls,
        long handoffs,
        long hogs,
        long orphanExits,
        int extraRunning,
        long carrierFailures,
        long sparesRetired,
        long carriersStarted,
        long sysmonRounds,
        NetpollStats netpoll,
        boolean latencyRecording,
        LatencyStats scheduleLatency,
        LatencyStats runSlice,
        List<ProcStats> perProc) {

    /** Keeps an unmodifiable copy of {@code perProc}, so that the snapshot cannot change. */
    public SchedulerStats {
        perProc = List.copyOf(perProc);
    }

    /**
     * The network poller's counters ({@link PollDesc}).
     *
     * @param polls         selects made: by the run loop before stealing, by the idle carrier that
     *                      blocks in the poller, by sysmon, and by closes that free a descriptor
     * @param blockingPolls of those, the blocking ones made by an idle carrier (with the next timer as timeout)
     * @param readied       goroutines and threads readied because their socket became ready
     * @param registrations waits that added an operation to a socket's interest (each may have had to break
     *                      a blocked poll)
     * @param descriptors   sockets open on the poller right now
     * @param waiters       goroutines and threads waiting on a socket right now
     */
    public record NetpollStats(long polls, long blockingPolls, long readied, long registrations, int descriptors,
                               int waiters) {
        /** A scheduler that has never watched a socket. */
        public static final NetpollStats NONE = new NetpollStats(0, 0, 0, 0, 0, 0);
    }

    /**
     * One processor's counters.
     *
     * @param id               the processor's index, 0-based
     * @param idle             whether it was on the idle list
     * @param retired          whether it is out of use: removed by {@link Scheduler#setProcs} and let go by
     *                         its carrier (a removed processor still finishing a goroutine's turn is not retired yet)
     * @param localQueueLength goroutines in its ring plus runnext
     * @param spawns           goroutines spawned by goroutines running on it
     * @param runs             times it mounted a goroutine
     * @param yields           goroutines that yielded on it
     * @param parks            goroutines that parked on it
     * @param readies          goroutines readied onto it by goroutines running on it
     * @param steals           successful steals it made
     * @param stolen           goroutines it moved from other processors by stealing
     * @param globalTakes      batches it took from the global queue
     * @param overflows        times its full ring spilled half to the global queue
     * @param exits            goroutines that finished on it
     * @param runnextPicks     picks from its runnext slot
     * @param timersFired      expired timers it ran
     * @param pinnedParks      parks that blocked its carrier because the JVM pinned the continuation
     * @param wakeups          times its carrier woke from an idle wait: for work, for a timer (as the
     *                         scheduler's single timekeeper), or to stop
     * @param futileWakeups    wake-ups of its carrier, handed the spinning role to find new work, after
     *                         which the carrier went idle again without finding any
     * @param runnextSteals    steals it made that took a busy processor's runnext goroutine (the
     *                         partner that processor had just readied or spawned)
     * @param runnextSpared    times its carrier, about to steal a busy processor's runnext goroutine,
     *                         left it because that processor was switching goroutines meanwhile (it
     *                         will run the goroutine itself, on a warm cache)
     * @param crossReadies     goroutines readied onto it (by goroutines running on it) that last ran on
     *                         another carrier: unparks that move a goroutine between processors
     * @param lingers          short naps its spinning carrier took, still spinning, instead of going
     *                         idle, while another processor's runnext goroutine was about to run
     * @param scheduleLatency  schedule latencies of the goroutines it mounted (see {@link SchedulerStats#scheduleLatency()})
     * @param runSlice         run slices of the goroutines it mounted (see {@link SchedulerStats#runSlice()})
     */
    public record ProcStats(
            int id,
            boolean idle,
            boolean retired,
            int localQueueLength,
            long spawns,
            long runs,
            long yields,
            long parks,
            long readies,
            long steals,
            long stolen,
            long globalTakes,
            long overflows,
            long exits,
            long runnextPicks,
            long timersFired,
            long pinnedParks,
            long wakeups,
            long futileWakeups,
            long runnextSteals,
            long runnextSpared,
            long crossReadies,
            long lingers,
            LatencyStats scheduleLatency,
            LatencyStats runSlice) {}

    /**
     * All goroutines ever spawned on this scheduler.
     *
     * @return the number of goroutines spawned
     */
    public long spawns() {
        return externalSpawns + perProc.stream().mapToLong(ProcStats::spawns).sum();
    }

    /**
     * All goroutines that finished.
     *
     * @return the number of goroutines finished
     */
    public long exits() {
        return orphanExits + perProc.stream().mapToLong(ProcStats::exits).sum();
    }

    /**
     * Successful steals, all processors.
     *
     * @return the number of successful steals
     */
    public long steals() {
        return perProc.stream().mapToLong(ProcStats::steals).sum();
    }

    /**
     * Goroutines moved by stealing, all processors.
     *
     * @return the number of goroutines stolen
     */
    public long stolen() {
        return perProc.stream().mapToLong(ProcStats::stolen).sum();
    }

    /**
     * Parks, all processors.
     *
     * @return the number of parks
     */
    public long parks() {
        return perProc.stream().mapToLong(ProcStats::parks).sum();
    }

    /**
     * Readies from processors plus readies from outside.
     *
     * @return the number of readies
     */
    public long readies() {
        return externalReadies + perProc.stream().mapToLong(ProcStats::readies).sum();
    }

    /**
     * Goroutine mounts, all processors.
     *
     * @return the number of mounts
     */
    public long runs() {
        return perProc.stream().mapToLong(ProcStats::runs).sum();
    }

    /**
     * Batches taken from the global queue, all processors.
     *
     * @return the number of batches taken from the global queue
     */
    public long globalTakes() {
        return perProc.stream().mapToLong(ProcStats::globalTakes).sum();
    }

    /**
     * Wake-ups of idle carriers, all processors.
     *
     * @return the number of wake-ups
     */
    public long wakeups() {
        return perProc.stream().mapToLong(ProcStats::wakeups).sum();
    }

    /**
     * Wake-ups that found no work, all processors: see {@link ProcStats#futileWakeups()}.
     *
     * @return the number of futile wake-ups
     */
    public long futileWakeups() {
        return perProc.stream().mapToLong(ProcStats::futileWakeups).sum();
    }

    /**
     * Steals of a busy processor's runnext goroutine, all processors.
     *
     * @return the number of runnext steals
     */
    public long runnextSteals() {
        return perProc.stream().mapToLong(ProcStats::runnextSteals).sum();
    }

    /**
     * Runnext goroutines a thief left to their switching processor, all processors.
     *
     * @return the number of runnext goroutines spared
     */
    public long runnextSpared() {
        return perProc.stream().mapToLong(ProcStats::runnextSpared).sum();
    }

    /**
     * Readies from goroutine code of a goroutine that last ran on another carrier, all processors.
     *
     * @return the number of cross-carrier readies
     */
    public long crossReadies() {
        return perProc.stream().mapToLong(ProcStats::crossReadies).sum();
    }

    /**
     * Naps of spinning carriers waiting for a busy processor's runnext, all processors.
     *
     * @return the number of naps
     */
    public long lingers() {
        return perProc.stream().mapToLong(ProcStats::lingers).sum();
    }

    /**
     * Ring overflows to the global queue, all processors.
     *
     * @return the number of overflows
     */
    public long overflows() {
        return perProc.stream().mapToLong(ProcStats::overflows).sum();
    }

    /**
     * One line in the spirit of Go's {@code GODEBUG=schedtrace}:
     * {@code procs=2 idleprocs=0 threads=2 spinning=0 runqueue=0 gcount=12 extra=0 [3 5]}, the bracket
     * holding each processor's local queue length; {@code extra} is {@link #extraRunning()}; once the
     * scheduler has watched a socket, {@code netpoll=W/D} gives the goroutines and threads waiting on
     * one and the sockets open; while latency recording is on, {@code latency p50/p99=12us/340us
     * slice p50/p99=3.1us/9.8ms} gives the median and 99th percentile of {@link #scheduleLatency()}
     * and {@link #runSlice()}.
     *
     * @return the schedtrace line, without the {@code SCHED} prefix
     */
    public String traceLine() {
        StringBuilder sb = new StringBuilder();
        sb.append("procs=").append(procs);
        if (retiringProcs != 0) {
            sb.append(" retiring=").append(retiringProcs);
        }
        sb.append(" idleprocs=").append(idleProcs)
                .append(" threads=").append(threads)
                .append(" spinning=").append(spinningCarriers)
                .append(" runqueue=").append(globalQueueLength)
                .append(" gcount=").append(liveGoroutines)
                .append(" extra=").append(extraRunning);
        if (netpoll.descriptors() != 0 || netpoll.polls() != 0) {
            sb.append(" netpoll=").append(netpoll.waiters()).append('/').append(netpoll.descriptors());
        }
        sb.append(" [");
        for (int i = 0; i < perProc.size(); i++) {
            sb.append(i == 0 ? "" : " ").append(perProc.get(i).localQueueLength());
        }
        sb.append(']');
        if (latencyRecording) {
            sb.append(" latency p50/p99=").append(LatencyStats.format(scheduleLatency.p50Nanos())).append('/')
                    .append(LatencyStats.format(scheduleLatency.p99Nanos()))
                    .append(" slice p50/p99=").append(LatencyStats.format(runSlice.p50Nanos())).append('/')
                    .append(LatencyStats.format(runSlice.p99Nanos()));
        }
        return sb.toString();
    }

    /** A table: the trace line, then one row per processor with its counters. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("scheduler ").append(scheduler).append(" (steal policy ").append(stealPolicy).append("): ")
                .append(traceLine()).append('\n');
        sb.append(String.format("%4s %5s %6s %10s %10s %9s %9s %9s %8s %8s %8s %9s %9s%n",
                "P", "idle", "queue", "spawns", "runs", "yields", "parks", "readies", "steals", "stolen",
                "gtakes", "overflows", "exits"));
        for (ProcStats p : perProc) {
            sb.append(String.format("%4d %5s %6d %10d %10d %9d %9d %9d %8d %8d %8d %9d %9d%n",
                    p.id(), p.retired() ? "off" : p.idle() ? "yes" : "no", p.localQueueLength(), p.spawns(), p.runs(), p.yields(),
                    p.parks(), p.readies(), p.steals(), p.stolen(), p.globalTakes(), p.overflows(), p.exits()));
        }
        sb.append(String.format("total: spawns=%d (external %d) exits=%d steals=%d stolen=%d parks=%d readies=%d",
                spawns(), externalSpawns, exits(), steals(), stolen(), parks(), readies()));
        sb.append(String.format("%nwake-ups=%d (futile %d) runnext-steals=%d runnext-spared=%d cross-readies=%d lingers=%d",
                wakeups(), futileWakeups(), runnextSteals(), runnextSpared(), crossReadies(), lingers()));
        sb.append(String.format("%ncarriers: started=%d handoffs=%d hogs=%d failures=%d spares-retired=%d sysmon-rounds=%d",
                carriersStarted, handoffs, hogs, carrierFailures, sparesRetired, sysmonRounds));
        if (netpoll.polls() != 0 || netpoll.descriptors() != 0) {
            sb.append(String.format("%nnetpoll: polls=%d (blocking %d) readied=%d registrations=%d descriptors=%d waiters=%d",
                    netpoll.polls(), netpoll.blockingPolls(), netpoll.readied(), netpoll.registrations(),
                    netpoll.descriptors(), netpoll.waiters()));
        }
        if (scheduleLatency.count() != 0 || runSlice.count() != 0) {
            sb.append(String.format("%nlatency%s (P: schedule latency | run slice):", latencyRecording ? "" : " (recording off)"));
            sb.append(String.format("%n  all: %s | %s", scheduleLatency, runSlice));
            for (ProcStats p : perProc) {
                sb.append(String.format("%n  P%d: %s | %s", p.id(), p.scheduleLatency(), p.runSlice()));
            }
        }
        return sb.toString();
    }
}
