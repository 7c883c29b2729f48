package gmpj.sync;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * What a receive from a {@link Chan} got: a value, or word that the channel is closed and drained,
 * or (for {@link Chan#tryReceive()} and the timed {@link Chan#receive(java.time.Duration)}) that
 * nothing arrived in time. Go's {@code v, ok := <-ch}, with the third outcome of a select's default
 * or timeout folded in.
 *
 * <p>Channels never carry {@code null}, so a value result always holds a non-null value and there
 * is no ambiguity between "received null" and "closed". The two outcomes without a value are
 * shared constants; a value result is one small object.
 *
 * <p>Immutable plain data (the value it holds is the very object that was sent): safe to share
 * between goroutines and threads, and no method blocks.
 *
 * @param <T> the channel's element type
 */
public final class Received<T> {
    private static final Received<?> CLOSED = new Received<>(null, true);
    private static final Received<?> TIMED_OUT = new Received<>(null, false);

    private final T value;
    private final boolean closed;

    private Received(T value, boolean closed) {
        this.value = value;
        this.closed = closed;
    }

    static <T> Received<T> of(T value) {
        return new Received<>(value, false);
    }

    @SuppressWarnings("unchecked")
    static <T> Received<T> closedResult() {
        return (Received<T>) CLOSED;
    }

    @SuppressWarnings("unchecked")
    static <T> Received<T> timedOutResult() {
        return (Received<T>) TIMED_OUT;
    }

    /**
     * {@code true} if a value was received: Go's {@code ok}.
     *
     * @return whether this result holds a value
     */
    public boolean ok() {
        return value != null;
    }

    /**
     * {@code true} if the channel is closed and every value sent before the close was received.
     *
     * @return whether the receive found the channel closed and drained
     */
    public boolean closed() {
        return closed;
    }

    /**
     * {@code true} if nothing was received because nothing was ready: {@code tryReceive} found the
     * channel open and empty, or a timed receive ran out of time. The channel may still deliver.
     *
     * @return whether the receive gave up with nothing, the channel still open
     */
    public boolean timedOut() {
        return value == null && !closed;
    }

    /**
     * The value received.
     *
     * @return the value; never null
     * @throws NoSuchElementException if there is none; the message says whether the channel was
     *                                closed or the receive timed out (check {@link #ok()} first)
     */
    public T value() {
        if (value == null) {
            throw new NoSuchElementException(closed
                    ? "no value: the channel is closed and drained (check ok() or closed() before value())"
                    : "no value: nothing was ready before the receive gave up (check ok() before value())");
        }
        return value;
    }

    /**
     * The value received, or {@code other} if there is none.
     *
     * @param other what to return when the channel was closed or the receive timed out
     * @return the value received, else {@code other}
     */

    public T orElse(T other) {
        return value != null ? value : other;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Received<?> r && closed == r.closed && Objects.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return value != null ? value.hashCode() : closed ? 1 : 2;
    }

    @Override
    public String toString() {
        return value != null ? "Received[" + value + "]" : closed ? "Received[closed]" : "Received[timed out]";
    }
}
