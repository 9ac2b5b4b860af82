package dev.asyncjsse.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * A small blocking driver: an SSLEngine over a socket, for talking to real peers (openssl, and the
 * interop tests' client engines). One thread uses it; it owns its buffers; a TLS or socket failure
 * is thrown to the caller, and {@link #close()} sends close_notify and closes the socket.
 */
public final class BlockingTls implements AutoCloseable {

    public final SSLEngine engine;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private ByteBuffer netIn;
    private final ByteBuffer netOut;
    private ByteBuffer appIn;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    public BlockingTls(SSLEngine engine, Socket socket) throws IOException {
        this.engine = engine;
        this.socket = socket;
        socket.setSoTimeout(15_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    public void handshake() throws IOException {
        engine.beginHandshake();
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK:
                    Runnable t;
                    while ((t = engine.getDelegatedTask()) != null) {
                        t.run();
                    }
                    break;
                case NEED_WRAP:
                    wrapAndFlush(EMPTY);
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    unwrapOnce();
                    break;
                default:
                    return;
            }
        }
    }

    /** After a failed handshake: sends the alert the engine still has to wrap. */
    void sendAlert() throws IOException {
        for (int i = 0; i < 3 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
            if (wrapAndFlush(EMPTY).bytesProduced() == 0) {
                return;
            }
        }
    }

    private SSLEngineResult wrapAndFlush(ByteBuffer src) throws IOException {
        netOut.clear();
        SSLEngineResult r = engine.wrap(src, netOut);
        if (r.getStatus() == Status.BUFFER_OVERFLOW) {
            throw new SSLException("wrap overflow with a packet-sized buffer: " + r);
        }
        netOut.flip();
        out.write(netOut.array(), 0, netOut.limit());
        out.flush();
        return r;
    }

    /** One unwrap, reading from the socket first if a record is incomplete. Returns the result. */
    private SSLEngineResult unwrapOnce() throws IOException {
        while (true) {
            netIn.flip();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
            }
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW:
                    if (!netIn.hasRemaining()) {
                        ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
                        netIn.flip();
                        bigger.put(netIn);
                        netIn = bigger;
                    }
                    int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
                    if (n < 0) {
                        throw new SSLException("connection closed by peer (EOF) during unwrap");
                    }
                    netIn.position(netIn.position() + n);
                    continue;
                case BUFFER_OVERFLOW:
                    ByteBuffer bigger = ByteBuffer.allocate(appIn.capacity() * 2);
                    appIn.flip();
                    bigger.put(appIn);
                    appIn = bigger;
                    continue;
                default:
                    return r;
            }
        }
    }

    public void write(String s) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (src.hasRemaining()) {
            wrapAndFlush(src);
        }
    }

    /** Reads application data until it contains {@code marker}; returns everything read. */
    public String readUntil(String marker) throws IOException {
        while (true) {
            String sofar = new String(appIn.array(), 0, appIn.position(), StandardCharsets.UTF_8);
            if (sofar.contains(marker)) {
                appIn.clear();
                return sofar;
            }
            SSLEngineResult r = unwrapOnce();
            if (r.getStatus() == Status.CLOSED) {
                throw new SSLException("closed before '" + marker + "'; got '" + sofar + "'");
            }
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                wrapAndFlush(EMPTY);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                if (wrapAndFlush(EMPTY).bytesProduced() == 0) {
                    break;
                }
            }
        } finally {
            socket.close();
        }
    }
}
