package gmpj.core;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * NIO channel calls made from goroutine code, each through a compilation boundary.
 *
 * <p>NIO channels guard their reads, writes, accepts, connects, closes and mode changes with
 * {@code ReentrantLock}s owned by {@code Thread.currentThread()}, and copy heap buffers through
 * per-thread caches. In a goroutine that value is the carrier, and C2 may keep the value it read
 * before a park for use after it (it treats the current thread as fixed within a compiled
 * method, which holds for a virtual thread but not for a goroutine that moved to another
 * carrier): a lock taken under the old carrier's name is then released under the new one,
 * {@code unlock} throws {@code IllegalMonitorStateException}, and the lock stays held, so a later
 * close blocks its carrier for good. A method that C2 compiles on its own reads the current thread
 * afresh. So each call goes through a {@link MethodHandle} held in a field that is deliberately
 * not final: C2 cannot see through a handle that is not a constant, so it can never inline the NIO
 * code into a goroutine's method that also parks. The cost is one indirect call.
 * {@code NioBoundaryTest} fails without it (final handles: a third of the calls see the old carrier).
 */
final class NioBoundary {
    private NioBoundary() {}

    // Not final, on purpose: see the class comment.
    private static MethodHandle read;
    private static MethodHandle write;
    private static MethodHandle accept;
    private static MethodHandle connect;
    private static MethodHandle finishConnect;
    private static MethodHandle shutdownInput;
    private static MethodHandle shutdownOutput;
    private static MethodHandle close;
    private static MethodHandle configureBlocking;

    static {
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        try {
            read = l.findVirtual(ReadableByteChannel.class, "read", MethodType.methodType(int.class, ByteBuffer.class));
            write = l.findVirtual(WritableByteChannel.class, "write", MethodType.methodType(int.class, ByteBuffer.class));
            accept = l.findVirtual(ServerSocketChannel.class, "accept", MethodType.methodType(SocketChannel.class));
            connect = l.findVirtual(SocketChannel.class, "connect", MethodType.methodType(boolean.class, SocketAddress.class));
            finishConnect = l.findVirtual(SocketChannel.class, "finishConnect", MethodType.methodType(boolean.class));
            shutdownInput = l.findVirtual(SocketChannel.class, "shutdownInput", MethodType.methodType(SocketChannel.class));
            shutdownOutput = l.findVirtual(SocketChannel.class, "shutdownOutput", MethodType.methodType(SocketChannel.class));
            close = l.findVirtual(Channel.class, "close", MethodType.methodType(void.class));
            configureBlocking = l.findVirtual(SelectableChannel.class, "configureBlocking",
                    MethodType.methodType(SelectableChannel.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static int read(ReadableByteChannel ch, ByteBuffer dst) throws IOException {
        try {
            return (int) read.invokeExact(ch, dst);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }

    static int write(WritableByteChannel ch, ByteBuffer src) throws IOException {
        try {
            return (int) write.invokeExact(ch, src);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }

    static SocketChannel accept(ServerSocketChannel ch) throws IOException {
        try {
            return (SocketChannel) accept.invokeExact(ch);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }

    static boolean connect(SocketChannel ch, SocketAddress remote) throws IOException {
        try {
            return (boolean) connect.invokeExact(ch, remote);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }

    static boolean finishConnect(SocketChannel ch) throws IOException {
        try {
            return (boolean) finishConnect.invokeExact(ch);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }

    static void shutdownInput(SocketChannel ch) throws IOException {
        try {
            SocketChannel ignored = (SocketChannel) shutdownInput.invokeExact(ch);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }

    static void shutdownOutput(SocketChannel ch) throws IOException {
        try {
            SocketChannel ignored = (SocketChannel) shutdownOutput.invokeExact(ch);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }

    static void close(Channel ch) throws IOException {
        try {
            close.invokeExact(ch);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }

    static void configureBlocking(SelectableChannel ch, boolean block) throws IOException {
        try {
            SelectableChannel ignored = (SelectableChannel) configureBlocking.invokeExact(ch, block);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        }
    }
}
