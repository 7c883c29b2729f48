/**
 * TCP on gmpj's network poller: {@link gmpj.net.Net#listen}, {@link gmpj.net.Net#dial},
 * {@link gmpj.net.Listener} and {@link gmpj.net.Conn}, in Go's shape and Java's idiom.
 *
 * <p>A goroutine that waits on a socket parks with wait reason {@code IO wait} and frees its
 * carrier; the scheduler's poller ({@link gmpj.core.PollDesc}) readies it when the socket is ready,
 * so ten thousand connections need {@code procs} carriers, not ten thousand threads. Plain
 * threads can use the same sockets and block. Deadlines, half-close and close from anywhere work
 * as in Go; failures name the address.
 */
package gmpj.net;
