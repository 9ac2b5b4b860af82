package dev.asyncjsse.robustness;

import dev.asyncjsse.testkit.PeerPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;

/**
 * A SunJSSE client engine over a blocking socket, whose writes can be throttled: it writes its first
 * {@code slowBytes} bytes one at a time with a pause between them (slowloris), the rest normally.
 */
final class BlockingEngineClient implements AutoCloseable {

    final Socket socket;
    final SSLEngine engine;
    private final InputStream in;
    private final OutputStream out;
    private ByteBuffer netIn;
    private ByteBuffer app;
    private int slowBytes;
    private final long pauseMillis;
    int bytesWritten;

    BlockingEngineClient(int port, SSLContext ctx, String protocol, int slowBytes, long pauseMillis) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        engine = ctx.createSSLEngine("localhost", PeerPorts.next());
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {protocol});
        netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
        app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2);
        this.slowBytes = slowBytes;
        this.pauseMillis = pauseMillis;
    }

    void handshake() throws IOException {
        engine.beginHandshake();
        for (int i = 0; i < 1000; i++) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK:
                    Runnable t;
                    while ((t = engine.getDelegatedTask()) != null) {
                        t.run();
                    }
                    break;
                case NEED_WRAP:
                    wrap(ByteBuffer.allocate(0));
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    unwrapSome();
                    break;
                default:
                    return;
            }
        }
        throw new IOException("handshake did not end");
    }

    private void wrap(ByteBuffer src) throws IOException {
        ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() + 64);
        SSLEngineResult r = engine.wrap(src, net);
        if (r.getStatus() != Status.OK && r.getStatus() != Status.CLOSED) {
            throw new IOException("wrap: " + r);
        }
        net.flip();
        write(net);
    }

    private void write(ByteBuffer net) throws IOException {
        byte[] b = new byte[net.remaining()];
        net.get(b);
        int i = 0;
        while (i < b.length && slowBytes > 0) {
            out.write(b[i++]);
            out.flush();
            slowBytes--;
            bytesWritten++;
            sleep(pauseMillis);
        }
        out.write(b, i, b.length - i);
        out.flush();
        bytesWritten += b.length - i;
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Unwraps what is buffered, reading from the socket when the engine needs more. */
    private SSLEngineResult unwrapSome() throws IOException {
        while (true) {
            netIn.flip();
            SSLEngineResult r = engine.unwrap(netIn, app);
            netIn.compact();
            if (r.getStatus() == Status.BUFFER_UNDERFLOW || (r.bytesConsumed() == 0 && r.getStatus() == Status.OK
                    && r.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP)) {
                int n = in.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
                if (n < 0) {
                    throw new java.io.EOFException("server closed the connection");
                }
                netIn.position(netIn.position() + n);
                continue;
            }
            if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                ByteBuffer bigger = ByteBuffer.allocate(app.capacity() * 2);
                app.flip();
                bigger.put(app);
                app = bigger;
                continue;
            }
            return r;
        }
    }

    /** Wraps {@code text} into a record, lets {@code tamper} change the bytes, and writes them. */
    void sendTampered(String text, java.util.function.UnaryOperator<byte[]> tamper) throws IOException {
        ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() + 64);
        SSLEngineResult r = engine.wrap(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), net);
        if (r.getStatus() != Status.OK) {
            throw new IOException("wrap: " + r);
        }
        byte[] b = tamper.apply(java.util.Arrays.copyOf(net.array(), net.position()));
        out.write(b);
        out.flush();
    }

    /** Reads until {@code n} application bytes arrived, or the server closes: returns what arrived or why not. */
    String receive(int n) {
        app.clear();
        try {
            while (app.position() < n) {
                SSLEngineResult r = unwrapSome();
                if (r.getStatus() == Status.CLOSED) {
                    return "closed (close_notify) after " + app.position() + " bytes";
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return "failed: " + e;
        }
        app.flip();
        byte[] b = new byte[app.remaining()];
        app.get(b);
        app.clear();
        return "echo: " + new String(b, StandardCharsets.UTF_8);
    }

    /** Sends {@code text} and returns what comes back (the server echoes). */
    String echo(String text) throws IOException {
        wrap(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        app.clear();
        while (app.position() < text.length()) {
            SSLEngineResult r = unwrapSome();
            if (r.getStatus() == Status.CLOSED) {
                break;
            }
        }
        app.flip();
        byte[] b = new byte[app.remaining()];
        app.get(b);
        app.clear();
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
