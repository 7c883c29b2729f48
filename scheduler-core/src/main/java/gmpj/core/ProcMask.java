package gmpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A set of processor ids as a bitmap: which processors are idle ({@link Idle}), which may have
 * timers ({@link Timers}). It lets a carrier looking for work skip the processors that cannot
 * have any, instead of reading every processor's queues and heaps (Go keeps the same two masks,
 * {@code idlepMask} and {@code timerpMask}).
 *
 * <p>Each bit is changed with an atomic read-modify-write ({@code getAndBitwiseOr/And}, volatile
 * semantics), so setting one processor's bit never loses a concurrent change to a neighbour's
 * bit in the same word. Who may change a bit, and what the bit then promises, is the owner's
 * business and is written where the mask is declared. Reads are volatile and racy: a reader sees
 * each word as it was at some moment during its scan.
 */
final class ProcMask {
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;
    private final int size;

    ProcMask(int size) {
        this.size = size;
        this.words = new long[(size + 63) >>> 6];
    }

    /** Volatile load of word {@code w}. */
    private long lvWord(int w) {
        return (long) WORD.getVolatile(words, w);
    }

    void set(int id) {
        WORD.getAndBitwiseOr(words, id >>> 6, 1L << id); // volatile read-modify-write
    }

    void clear(int id) {
        WORD.getAndBitwiseAnd(words, id >>> 6, ~(1L << id)); // volatile read-modify-write
    }

    boolean get(int id) {
        return (lvWord(id >>> 6) & 1L << id) != 0;
    }

    /** The lowest id at or above {@code from} whose bit is set, or -1. */
    int next(int from) {
        if (from >= size) {
            return -1;
        }
        int w = from >>> 6;
        long bits = lvWord(w) & -1L << from;
        for (;;) {
            if (bits != 0) {
                int id = (w << 6) + Long.numberOfTrailingZeros(bits);
                return id < size ? id : -1;
            }
            if (++w == words.length) {
                return -1;
            }
            bits = lvWord(w);
        }
    }

    /** Whether no bit is set. */
    boolean isEmpty() {
        for (int w = 0; w < words.length; w++) {
            if (lvWord(w) != 0) {
                return false;
            }
        }
        return true;
    }
}
