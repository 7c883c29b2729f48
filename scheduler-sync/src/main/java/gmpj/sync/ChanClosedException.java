package gmpj.sync;

/**
 * A send on a closed {@link Chan}, or a second {@code close}: what Go answers with a panic
 * ({@code "send on closed channel"}, {@code "close of closed channel"}).
 *
 * <p>Both are bugs in the program's ownership of the channel: only the sending side should close
 * a channel, once, after its last send. Receiving from a closed channel is not an error (it returns
 * a {@link Received#closed() closed} result).
 *
 * <p>Thrown to the goroutine or thread that made the send or the close, including a sender that
 * was waiting (parked or blocked) when another party closed the channel. An ordinary unchecked
 * exception: no state of its own beyond the message, nothing to synchronize.
 */
public final class ChanClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    ChanClosedException(String message) {
        super(message);
    }
}
