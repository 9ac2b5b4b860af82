package dev.asyncjsse.examples.loop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Queue;                                  // OFFLOAD
import java.util.concurrent.ConcurrentLinkedQueue;       // OFFLOAD
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import dev.asyncjsse.AsyncSSLEngine;                     // OFFLOAD

/**
 * {@link ClassicLoopServer} with the minimal change for AsyncJSSE's offload pending: the engine's
 * callback queues the connection and wakes the selector, {@code NEED_TASK} while an offload is pending
 * parks the connection instead of running the waiting task, and the loop drains the queue after each
 * {@code select}. Every changed line is marked {@code // OFFLOAD}; see
 * {@code diff ClassicLoopServer.java OffloadAwareLoopServer.java}.
 */
public final class OffloadAwareLoopServer implements AutoCloseable {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n"
            + "Connection: close\r\n\r\nhello\n").getBytes(StandardCharsets.US_ASCII);

    private final SSLContext context;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final Thread thread;
    private volatile boolean running = true;
    private final Queue<Conn> woken = new ConcurrentLinkedQueue<>(); // OFFLOAD: connections whose key operation finished
    /** Completed handshakes. */
    public final AtomicLong handshakes = new AtomicLong();
    /** The longest time one turn of the loop took (its worst stall), in nanoseconds. */
    public final AtomicLong worstTurnNanos = new AtomicLong();

    private static final class Conn {
        SocketChannel channel;
        SelectionKey key;
        SSLEngine engine;
        ByteBuffer netIn;
        ByteBuffer netOut;
        ByteBuffer appIn;
        ByteBuffer response;
    }

    public OffloadAwareLoopServer(SSLContext context, InetSocketAddress address) throws IOException {
        this.context = context;
        this.selector = Selector.open();
        this.listener = ServerSocketChannel.open();
        listener.bind(address, 1024);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this::loop, "classic-loop");
        thread.start();
    }

    public int port() {
        return listener.socket().getLocalPort();
    }

    private void loop() {
        try {
            while (running) {
                selector.select();
                long start = System.nanoTime();
                for (Conn w; (w = woken.poll()) != null; ) {   // OFFLOAD: resume them first
                    drive(w);                                   // OFFLOAD
                }                                               // OFFLOAD
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        drive((Conn) key.attachment());
                    }
                }
                worstTurnNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
            }
        } catch (IOException e) {
            if (running) {
                e.printStackTrace();
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = listener.accept()) != null) {
            channel.configureBlocking(false);
            Conn c = new Conn();
            c.channel = channel;
            c.engine = context.createSSLEngine();
            c.engine.setUseClientMode(false);
            c.netIn = ByteBuffer.allocate(c.engine.getSession().getPacketBufferSize());
            c.netOut = ByteBuffer.allocate(c.engine.getSession().getPacketBufferSize());
            c.appIn = ByteBuffer.allocate(c.engine.getSession().getApplicationBufferSize());
            c.key = channel.register(selector, SelectionKey.OP_READ, c);
            if (c.engine instanceof AsyncSSLEngine) {          // OFFLOAD: wake-up = queue + wakeup()
                ((AsyncSSLEngine) c.engine).setOffloadCallback((engine, arg) -> {
                    woken.add((Conn) arg);
                    selector.wakeup();
                }, c);
            }                                                   // OFFLOAD
            c.engine.beginHandshake();
        }
    }

    private void drive(Conn c) {
        try {
            while (true) {
                if (!flush(c)) {
                    c.key.interestOps(SelectionKey.OP_WRITE);
                    return;
                }
                if (c.engine.isOutboundDone()) {
                    close(c);
                    return;
                }
                switch (c.engine.getHandshakeStatus()) {
                    case NEED_TASK:
                        if (c.engine instanceof AsyncSSLEngine && ((AsyncSSLEngine) c.engine).isOffloadPending()) {
                            c.key.interestOps(0);               // OFFLOAD: park; the callback brings it back
                            return;                             // OFFLOAD
                        }
                        Runnable task;
                        while ((task = c.engine.getDelegatedTask()) != null) {
                            task.run();
                        }
                        break;
                    case NEED_WRAP:
                        wrap(c, EMPTY);
                        break;
                    case NEED_UNWRAP:
                    case NEED_UNWRAP_AGAIN:
                        if (!unwrap(c)) {
                            return;
                        }
                        break;
                    default: // application data
                        if (c.response != null) {
                            if (c.response.hasRemaining()) {
                                wrap(c, c.response);
                            } else {
                                c.engine.closeOutbound(); // close_notify comes next
                            }
                        } else if (requestComplete(c.appIn)) {
                            c.response = ByteBuffer.wrap(RESPONSE);
                        } else if (!unwrap(c)) {
                            return;
                        }
                        break;
                }
            }
        } catch (IOException | RuntimeException e) {
            close(c);
        }
    }

    private void wrap(Conn c, ByteBuffer src) throws IOException {
        SSLEngineResult r = c.engine.wrap(src, c.netOut);
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakes.incrementAndGet();
        }
    }

    /** Unwraps; returns false when the loop must wait for the socket (or the connection is gone). */
    private boolean unwrap(Conn c) throws IOException {
        c.netIn.flip();
        SSLEngineResult r = c.engine.unwrap(c.netIn, c.appIn);
        c.netIn.compact();
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakes.incrementAndGet();
        }
        switch (r.getStatus()) {
            case CLOSED:
                close(c);
                return false;
            case BUFFER_UNDERFLOW:
                int n = c.channel.read(c.netIn);
                if (n < 0) {
                    close(c);
                    return false;
                }
                if (n == 0) {
                    c.key.interestOps(SelectionKey.OP_READ);
                    return false;
                }
                return true;
            case BUFFER_OVERFLOW:
                throw new IOException("request too large");
            default:
                return true;
        }
    }

    private static boolean flush(Conn c) throws IOException {
        c.netOut.flip();
        c.channel.write(c.netOut);
        c.netOut.compact();
        return c.netOut.position() == 0;
    }

    private static boolean requestComplete(ByteBuffer appIn) {
        byte[] a = appIn.array();
        for (int i = 3; i < appIn.position(); i++) {
            if (a[i - 3] == '\r' && a[i - 2] == '\n' && a[i - 1] == '\r' && a[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    private static void close(Conn c) {
        c.key.cancel();
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // gone anyway
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            k.channel().close();
        }
        selector.close();
    }
}
