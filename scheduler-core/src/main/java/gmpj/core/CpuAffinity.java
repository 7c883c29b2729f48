package gmpj.core;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Locale;

/**
 * Pins the calling platform thread to one CPU, for the optional pinning of carrier threads (Ms) to
 * cores. gmpj does not pin by default: pinning helps only when each carrier has a core to itself,
 * and it hurts when the machine is shared.
 *
 * <p>Linux only, through {@code java.lang.foreign} with no dependency: {@code sched_getaffinity(0,
 * size, mask)} reads and {@code sched_setaffinity(0, size, mask)} sets the calling thread's CPU mask
 * (pid 0 means the calling thread, not the whole process). The mask is a 128-byte
 * {@code cpu_set_t}, so CPUs 0 to 1023 can be named; on a machine with more CPUs
 * {@link #allowedCpus} returns an empty array because the kernel refuses a mask smaller than its own.
 *
 * <p>A thread created by a pinned thread inherits its mask: a carrier pinned to CPU 3 that starts a
 * helper thread gets a helper pinned to CPU 3 too. Start helpers before pinning, or from an unpinned
 * thread.
 *
 * <p>The JVM must allow native access to gmpj ({@code --enable-native-access=ALL-UNNAMED}, or
 * {@code =gmpj.core} on the module path); without it, or off Linux, {@link #supported} is false and
 * {@link #unsupportedReason} says why. Loading this class never fails: the native calls are looked
 * up the first time one of these methods runs, once, and any failure there only makes them
 * unsupported. All methods are thread-safe; each call uses its own off-heap memory.
 */
final class CpuAffinity {
    /** Bits in the 128-byte {@code cpu_set_t} passed to the kernel (glibc's {@code CPU_SETSIZE}). */
    static final int MAX_CPUS = 1024;

    /** {@code cpu_set_t} as the kernel sees it: an array of C {@code unsigned long}, bit n%64 of word n/64 is CPU n. */
    private static final int BITS_PER_WORD = Long.SIZE;
    private static final MemoryLayout MASK_LAYOUT =
            MemoryLayout.sequenceLayout(MAX_CPUS / BITS_PER_WORD, ValueLayout.JAVA_LONG);
    private static final long MASK_BYTES = MASK_LAYOUT.byteSize();

    /** The calling thread, for {@code pid_t pid} in both calls. */
    private static final int CALLING_THREAD = 0;

    private CpuAffinity() {}

    /** True when {@link #allowedCpus} and {@link #pinCurrentThread} can work in this JVM. Never throws. */
    static boolean supported() {
        return Natives.UNSUPPORTED_REASON == null;
    }

    /** One sentence saying why {@link #supported} is false and what to do about it; null when supported. */
    static String unsupportedReason() {
        return Natives.UNSUPPORTED_REASON;
    }

    /**
     * The CPUs the calling thread may run on, in ascending order; an empty array when unsupported or
     * when the kernel refuses the call. On a virtual thread this is the mask of its current carrier.
     */
    static int[] allowedCpus() {
        if (!supported()) {
            return new int[0];
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_LAYOUT);
            int rc = (int) Natives.SCHED_GETAFFINITY.invokeExact(CALLING_THREAD, MASK_BYTES, mask);
            return rc == 0 ? cpusIn(mask) : new int[0];
        } catch (Throwable e) {
            return new int[0];
        }
    }

    /**
     * Restricts the calling platform thread to {@code cpu}. Threads it creates afterwards inherit the
     * restriction.
     *
     * @param cpu a CPU number as the kernel counts them, such as one from {@link #allowedCpus}
     * @throws IllegalArgumentException if {@code cpu} is negative or not below {@value #MAX_CPUS}
     * @throws IllegalStateException if affinity is unsupported here, the caller is a virtual thread,
     *     or the kernel refuses (the message carries errno and what to do)
     */
    static void pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu >= MAX_CPUS) {
            throw new IllegalArgumentException("CPU " + cpu + " is out of range: gmpj can pin to CPUs 0 to "
                    + (MAX_CPUS - 1) + "; pick one of allowedCpus() " + Arrays.toString(allowedCpus()));
        }
        if (!supported()) {
            throw new IllegalStateException("cannot pin to CPU " + cpu + ": " + unsupportedReason());
        }
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("cannot pin a virtual thread to CPU " + cpu + ": it would pin whichever "
                    + "carrier it runs on now; pin platform threads only");
        }
        int rc;
        int errno;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_LAYOUT);
            int word = cpu / BITS_PER_WORD;
            mask.setAtIndex(ValueLayout.JAVA_LONG, word, 1L << (cpu % BITS_PER_WORD));
            MemorySegment callState = arena.allocate(Natives.CALL_STATE_LAYOUT);
            rc = (int) Natives.SCHED_SETAFFINITY.invokeExact(callState, CALLING_THREAD, MASK_BYTES, mask);
            errno = (int) Natives.ERRNO.get(callState, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot pin to CPU " + cpu + ": the call to sched_setaffinity failed in "
                    + "the JVM (" + e + ")", e);
        }
        if (rc != 0) {
            throw new IllegalStateException(refusal(cpu, errno));
        }
    }

    /** The kernel's refusal of {@code sched_setaffinity} as one sentence with errno and a remedy. */
    private static String refusal(int cpu, int errno) {
        // These errno values are the same on every Linux architecture.
        String what = switch (errno) {
            case 22 -> "EINVAL): CPU " + cpu + " is not in this thread's allowed set " + Arrays.toString(allowedCpus())
                    + " (offline, absent, or outside the process's cpuset); pin to one of those CPUs";
            case 1 -> "EPERM): this process may not change the thread's affinity; give it CAP_SYS_NICE or leave "
                    + "pinning off";
            case 3 -> "ESRCH): the kernel did not find the calling thread; leave pinning off";
            default -> "unexpected): leave pinning off and report this errno";
        };
        return "sched_setaffinity refused CPU " + cpu + " with errno " + errno + " (" + what;
    }

    /** The set bits of a kernel CPU mask, ascending. */
    private static int[] cpusIn(MemorySegment mask) {
        int[] cpus = new int[MAX_CPUS];
        int n = 0;
        for (int word = 0; word < MAX_CPUS / BITS_PER_WORD; word++) {
            long bits = mask.getAtIndex(ValueLayout.JAVA_LONG, word);
            while (bits != 0) {
                cpus[n++] = word * BITS_PER_WORD + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
            }
        }
        return Arrays.copyOf(cpus, n);
    }

    /**
     * The downcall handles, built when first needed (class-holder idiom, so the JVM runs this once
     * and publishes it safely). Any failure leaves both handles null and a reason set; nothing escapes
     * into the caller's class initialisation. The restricted linker calls are made only after
     * {@link #platformProblem} has confirmed that native access is enabled.
     */
    @SuppressWarnings("restricted")
    private static final class Natives {
        static final MethodHandle SCHED_GETAFFINITY;
        /** Takes a {@link #CALL_STATE_LAYOUT} segment first, where it leaves errno. */
        static final MethodHandle SCHED_SETAFFINITY;
        static final MemoryLayout CALL_STATE_LAYOUT;
        static final VarHandle ERRNO;
        /** Null when the handles above are usable. */
        static final String UNSUPPORTED_REASON;

        static {
            MethodHandle get = null;
            MethodHandle set = null;
            MemoryLayout callState = null;
            VarHandle errno = null;
            String reason;
            try {
                reason = platformProblem();
                if (reason == null) {
                    Linker linker = Linker.nativeLinker();
                    SymbolLookup libc = linker.defaultLookup();
                    // int sched_[gs]etaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask)
                    FunctionDescriptor signature = FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);
                    var getSymbol = libc.find("sched_getaffinity");
                    var setSymbol = libc.find("sched_setaffinity");
                    if (getSymbol.isEmpty() || setSymbol.isEmpty()) {
                        reason = "CPU affinity needs sched_getaffinity and sched_setaffinity, which this C library "
                                + "does not export; leave pinning off";
                    } else {
                        get = linker.downcallHandle(getSymbol.get(), signature);
                        set = linker.downcallHandle(setSymbol.get(), signature,
                                Linker.Option.captureCallState("errno"));
                        callState = Linker.Option.captureStateLayout();
                        errno = callState.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                    }
                }
            } catch (Throwable e) {
                reason = "CPU affinity could not be set up in this JVM (" + e + "); leave pinning off";
            }
            boolean ok = reason == null;
            SCHED_GETAFFINITY = ok ? get : null;
            SCHED_SETAFFINITY = ok ? set : null;
            CALL_STATE_LAYOUT = ok ? callState : null;
            ERRNO = ok ? errno : null;
            UNSUPPORTED_REASON = reason;
        }

        /** Why this JVM cannot make the calls, checked before touching the linker; null if it can. */
        private static String platformProblem() {
            String os = System.getProperty("os.name", "unknown");
            if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
                return "CPU affinity is implemented for Linux only, and this is " + os + "; leave pinning off";
            }
            if (!CpuAffinity.class.getModule().isNativeAccessEnabled()) {
                return "CPU affinity calls the C library, which this JVM does not allow gmpj to do: start java with "
                        + "--enable-native-access=ALL-UNNAMED (or =gmpj.core on the module path)";
            }
            if (Linker.nativeLinker().canonicalLayouts().get("long").byteSize() != Long.BYTES) {
                return "CPU affinity needs a 64-bit JVM (its cpu_set_t is read as 64-bit words); leave pinning off";
            }
            return null;
        }
    }
}
