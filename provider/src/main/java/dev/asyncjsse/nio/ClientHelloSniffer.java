package dev.asyncjsse.nio;

import dev.asyncjsse.engine.TlsAlert;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLHandshakeException;

/**
 * Reads a server channel's first flight from the socket until its ClientHello is complete, so the
 * channel can choose the engine from it (SNI routing). What is read stays in the channel's buffer for
 * the engine's buffered handshake.
 *
 * <p>Internal to {@link TlsChannel}; used by the thread that runs the handshake, under its locks.
 */
final class ClientHelloSniffer {

    /** The channel's inbound buffer, in fill mode; replaced by a bigger one when the hello needs it. */
    private ByteBuffer buffer;

    ClientHelloSniffer(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /** @return the channel's inbound buffer, grown if the ClientHello needed it */
    ByteBuffer buffer() {
        return buffer;
    }

    /**
     * Reads until the ClientHello is complete.
     *
     * @return the explored ClientHello
     * @throws NeedsReadException (non-blocking) if more bytes must come first
     * @throws EOFException if the peer closes the connection before the ClientHello is complete
     * @throws SSLHandshakeException if the bytes are not TLS, or the ClientHello is malformed (the
     *     peer then gets the alert {@link ClientHello#alert()} names, as an engine would send it)
     */
    ClientHello sniff(SocketChannel socket) throws IOException {
        while (true) {
            ByteBuffer view = buffer.duplicate();
            view.flip();
            ClientHello hello = ClientHelloExplorer.explore(view);
            switch (hello.status()) {
                case COMPLETE:
                    return hello;
                case NOT_TLS:
                    refuseIfAnswered(socket, hello);
                    throw new SSLHandshakeException("the client did not start TLS: " + hello.message());
                case MALFORMED:
                    refuseIfAnswered(socket, hello);
                    throw new SSLHandshakeException("malformed ClientHello: " + hello.message());
                case NEED_MORE_BYTES:
                    read(socket, hello);
                    break;
                default:
                    throw new AssertionError("unknown ClientHello status " + hello.status());
            }
        }
    }

    private void read(SocketChannel socket, ClientHello partial) throws IOException {
        if (!buffer.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2);
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
        int n = socket.read(buffer);
        if (n < 0) {
            throw new EOFException("the peer closed the connection before a complete ClientHello ("
                    + buffer.position() + " bytes received; " + partial.message() + ")");
        }
        if (n == 0) {
            throw new NeedsReadException();
        }
    }

    private static void refuseIfAnswered(SocketChannel socket, ClientHello refused) {
        if (refused.alert() >= 0) {
            refuse(socket, refused.alert());
        }
    }

    /** Sends a fatal alert before any engine exists; best effort, one write attempt. */
    static void refuse(SocketChannel socket, int alert) {
        try {
            socket.write(TlsAlert.fatal(alert));
        } catch (IOException | RuntimeException ignored) {
            // the handshake fails anyway; the exception thrown says why
        }
    }
}
