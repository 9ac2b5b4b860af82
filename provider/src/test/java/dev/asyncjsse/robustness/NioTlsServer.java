package dev.asyncjsse.robustness;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.OffloadCallback;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * A small single-threaded selector loop serving TLS with AsyncJSSE engines the way an offload-aware
 * application does: it registers an offload callback that queues the connection and wakes the selector,
 * stops driving a connection while its offload is pending, and echoes application data. Each listener
 * has its own {@link SSLContext} (and so its own offloader), all in the same loop.
 *
 * <p>It records what happened to every connection; an exception other than {@link SSLException} or
 * {@link IOException} out of the engine is a {@linkplain #crashes crash}.
 */
final class NioTlsServer implements AutoCloseable {

    /** What one listener does to its connections. */
    static final class Listener {
        final String name;
        final SSLContext context;
        final Consumer<Conn> customizer;
        final ServerSocketChannel channel;
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        Listener(String name, SSLContext context, Consumer<Conn> customizer) throws IOException {
            this.name = name;
            this.context = context;
            this.customizer = customizer;
            this.channel = ServerSocketChannel.open();
            channel.bind(new InetSocketAddress("127.0.0.1", 0), 512);
            channel.configureBlocking(false);
        }

        int port() {
            try {
                return ((InetSocketAddress) channel.getLocalAddress()).getPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One accepted connection. */
    final class Conn {
        final Listener listener;
        final SocketChannel channel;
        final SSLEngine engine;
        final int id;
        SelectionKey key;
        ByteBuffer netIn;
        ByteBuffer netOut;
        ByteBuffer appIn;
        volatile boolean handshakeDone;
        volatile Throwable failure;
        volatile boolean closed;
        volatile int callbacks;
        int maxStash;
        int maxNetIn;
        long bytesRead;
        boolean queued;

        Conn(Listener listener, SocketChannel channel, SSLEngine engine, int id) {
            this.listener = listener;
            this.channel = channel;
            this.engine = engine;
            this.id = id;
            netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
            appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        }

        /** Called by the engine's offload callback (any thread): queue and wake the loop. */
        void wake() {
            callbacks++;
            wakeups.add(this);
            selector.wakeup();
        }

        @Override
        public String toString() {
            return listener.name + "#" + id + (handshakeDone ? " done" : "") + (failure != null ? " failed: " + failure : "")
                    + (closed ? " closed" : "");
        }
    }

    final Selector selector;
    final List<Listener> listeners = new ArrayList<>();
    final List<Conn> connections = new CopyOnWriteArrayList<>();
    final List<String> crashes = new CopyOnWriteArrayList<>();
    final AtomicInteger open = new AtomicInteger();
    /** How often a parked connection was found waiting for capacity (AsyncStatus.EAGAIN). */
    final AtomicInteger eagain = new AtomicInteger();
    private final Queue<Conn> wakeups = new ConcurrentLinkedQueue<>();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicInteger ids = new AtomicInteger();
    /** Keep every Conn in {@link #connections} (tests inspect them); soak tests turn it off. */
    volatile boolean keepConnections = true;

    NioTlsServer() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, "nio-tls-server");
        thread.setDaemon(true);
    }

    Listener listen(String name, SSLContext context, Consumer<Conn> customizer) throws IOException {
        Listener l = new Listener(name, context, customizer);
        listeners.add(l);
        return l;
    }

    NioTlsServer start() throws IOException {
        for (Listener l : listeners) {
            l.channel.register(selector, SelectionKey.OP_ACCEPT, l);
        }
        thread.start();
        return this;
    }

    /** Runs {@code r} on the loop thread. */
    void execute(Runnable r) {
        tasks.add(r);
        selector.wakeup();
    }

    private void loop() {
        while (running) {
            try {
                selector.select(50);
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    r.run();
                }
                Conn woken;
                while ((woken = wakeups.poll()) != null) {
                    if (!woken.closed) {
                        drive(woken);
                    }
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.attachment() instanceof Listener) {
                        accept((Listener) k.attachment());
                    } else {
                        Conn c = (Conn) k.attachment();
                        if (k.isWritable()) {
                            flush(c);
                        }
                        if (k.isValid() && k.isReadable()) {
                            read(c);
                        }
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                crashes.add("selector loop: " + e);
            }
        }
    }

    private void accept(Listener l) throws IOException {
        SocketChannel ch;
        while ((ch = l.channel.accept()) != null) {
            ch.configureBlocking(false);
            SSLEngine engine = l.context.createSSLEngine();
            engine.setUseClientMode(false);
            Conn c = new Conn(l, ch, engine, ids.incrementAndGet());
            l.accepted.incrementAndGet();
            open.incrementAndGet();
            if (keepConnections) {
                connections.add(c);
            }
            if (engine instanceof AsyncSSLEngine) {
                ((AsyncSSLEngine) engine).setOffloadCallback(WAKE, c);
            }
            if (l.customizer != null) {
                l.customizer.accept(c);
            }
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            try {
                engine.beginHandshake();
            } catch (SSLException e) {
                fail(c, e);
            }
        }
    }

    static final OffloadCallback WAKE = (engine, arg) -> ((Conn) arg).wake();

    private void read(Conn c) {
        int n;
        try {
            if (!c.netIn.hasRemaining()) {
                if (c.engine instanceof AsyncSSLEngine && ((AsyncSSLEngine) c.engine).isOffloadPending()) {
                    // parked: stop reading until the callback (back-pressure, as a real loop does)
                    c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_READ);
                    return;
                }
                // a loop with a one-packet buffer: the engine must take a full record out of it
                crash(c, "input buffer full (" + c.netIn.capacity() + " bytes) and the engine took nothing");
                close(c);
                return;
            }
            n = c.channel.read(c.netIn);
        } catch (IOException e) {
            peerGone(c, e);
            return;
        }
        if (n < 0) {
            peerGone(c, null);
            return;
        }
        c.bytesRead += n;
        drive(c);
    }

    private void peerGone(Conn c, IOException e) {
        try {
            c.engine.closeInbound();
        } catch (SSLException truncated) {
            if (c.failure == null && !c.handshakeDone) {
                c.failure = truncated;
            }
        } catch (RuntimeException r) {
            crash(c, "closeInbound threw " + r);
        }
        c.engine.closeOutbound();
        wrapAll(c);
        flush(c);
        close(c);
    }

    /** Drives the engine as far as it goes with what has arrived. */
    void drive(Conn c) {
        if (c.closed) {
            return;
        }
        AsyncSSLEngine async = c.engine instanceof AsyncSSLEngine ? (AsyncSSLEngine) c.engine : null;
        try {
            for (int i = 0; i < 100; i++) {
                if (async != null && async.isOffloadPending()) {
                    // Try a call: it returns pending at once, or settles a step whose callback is on its way.
                    SSLEngineResult r = async.wrap(ByteBuffer.allocate(0), c.netOut);
                    if (AsyncSSLEngine.isOffloadPending(r)) {
                        if (async.getAsyncStatus() == dev.asyncjsse.AsyncStatus.EAGAIN) {
                            eagain.incrementAndGet();
                        }
                        return; // the callback wakes us
                    }
                    note(c, r);
                    continue;
                }
                HandshakeStatus hs = c.engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    Runnable t = c.engine.getDelegatedTask();
                    if (t != null) {
                        t.run();
                    }
                    SSLEngineResult r = c.engine.wrap(ByteBuffer.allocate(0), c.netOut);
                    note(c, r);
                    continue;
                }
                if (hs == HandshakeStatus.NEED_WRAP) {
                    ensureOut(c);
                    SSLEngineResult r = c.engine.wrap(ByteBuffer.allocate(0), c.netOut);
                    note(c, r);
                    if (r.getStatus() == Status.CLOSED) {
                        flush(c);
                        close(c);
                        return;
                    }
                    continue;
                }
                c.netIn.flip();
                int before = c.netIn.remaining();
                SSLEngineResult r;
                try {
                    r = c.engine.unwrap(c.netIn, c.appIn);
                } finally {
                    c.netIn.compact();
                }
                if (r.bytesConsumed() > before) {
                    crash(c, "unwrap consumed " + r.bytesConsumed() + " of " + before);
                }
                observeStash(c);
                if (async != null && AsyncSSLEngine.isOffloadPending(r)
                        && async.getAsyncStatus() == dev.asyncjsse.AsyncStatus.EAGAIN) {
                    eagain.incrementAndGet();
                }
                note(c, r);
                if (c.appIn.position() > 0) {
                    echo(c);
                }
                if (r.getStatus() == Status.CLOSED) {
                    c.engine.closeOutbound();
                    wrapAll(c);
                    flush(c);
                    close(c);
                    return;
                }
                if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                    c.appIn = ByteBuffer.allocate(c.appIn.capacity() * 2);
                    continue;
                }
                if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
                    if (!c.netIn.hasRemaining() && c.netIn.capacity() < c.engine.getSession().getPacketBufferSize()) {
                        ByteBuffer bigger = ByteBuffer.allocate(c.engine.getSession().getPacketBufferSize());
                        c.netIn.flip();
                        bigger.put(c.netIn);
                        c.netIn = bigger;
                    }
                    break;
                }
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && !AsyncSSLEngine.isOffloadPending(r)
                        && c.engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP
                        && c.engine.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
                    break;
                }
            }
        } catch (SSLException e) {
            fail(c, e);
            return;
        } catch (RuntimeException | Error e) {
            crash(c, "engine threw " + e);
            close(c);
            return;
        }
        flush(c);
    }

    private void note(Conn c, SSLEngineResult r) {
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED
                || (!c.handshakeDone && r.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING && c.appIn.position() > 0)) {
            if (!c.handshakeDone) {
                c.handshakeDone = true;
                c.listener.completed.incrementAndGet();
            }
        }
        if (r.bytesProduced() > 0 && c.netOut.position() > 0) {
            flush(c);
        }
    }

    private void ensureOut(Conn c) {
        int need = c.engine.getSession().getPacketBufferSize();
        if (c.netOut.remaining() < need) {
            ByteBuffer bigger = ByteBuffer.allocate(c.netOut.position() + need * 2);
            c.netOut.flip();
            bigger.put(c.netOut);
            c.netOut = bigger;
        }
    }

    private void echo(Conn c) throws SSLException {
        c.appIn.flip();
        while (c.appIn.hasRemaining()) {
            ensureOut(c);
            SSLEngineResult r = c.engine.wrap(c.appIn, c.netOut);
            if (r.getStatus() != Status.OK) {
                break;
            }
        }
        c.appIn.clear();
        if (!c.handshakeDone) {
            c.handshakeDone = true;
            c.listener.completed.incrementAndGet();
        }
    }

    /** Reflection on the engine's read-ahead stash (its buffer), to bound memory per connection; 0 if it has none. */
    private static final Field STASH = field("dev.asyncjsse.engine.AsyncEngine", "stash");
    private static final Field STASH_BUFFER = field("dev.asyncjsse.engine.InboundStash", "buffer");

    private static Field field(String className, String name) {
        try {
            Field f = Class.forName(className).getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static void observeStash(Conn c) {
        c.maxNetIn = Math.max(c.maxNetIn, c.netIn.capacity());
        if (STASH != null && STASH_BUFFER != null) {
            try {
                Object b = STASH_BUFFER.get(STASH.get(c.engine));
                if (b instanceof ByteBuffer) {
                    c.maxStash = Math.max(c.maxStash, ((ByteBuffer) b).capacity());
                }
            } catch (IllegalAccessException | IllegalArgumentException ignored) {
                // another engine class
            }
        }
    }

    private void fail(Conn c, SSLException e) {
        if (c.failure == null) {
            c.failure = e;
            c.listener.failed.incrementAndGet();
        }
        wrapAll(c); // the alert
        flush(c);
        close(c);
    }

    private void wrapAll(Conn c) {
        for (int i = 0; i < 4 && !c.engine.isOutboundDone(); i++) {
            try {
                ensureOut(c);
                SSLEngineResult r = c.engine.wrap(ByteBuffer.allocate(0), c.netOut);
                if (r.bytesProduced() == 0 && !AsyncSSLEngine.isOffloadPending(r)) {
                    break;
                }
            } catch (SSLException again) {
                break;
            } catch (RuntimeException e) {
                crash(c, "wrap after failure threw " + e);
                break;
            }
        }
    }

    void flush(Conn c) {
        if (c.closed) {
            return;
        }
        c.netOut.flip();
        try {
            while (c.netOut.hasRemaining()) {
                if (c.channel.write(c.netOut) == 0) {
                    break;
                }
            }
        } catch (IOException e) {
            c.netOut.clear();
            close(c);
            return;
        } finally {
            if (!c.closed) {
                c.netOut.compact();
            }
        }
        if (c.key != null && c.key.isValid()) {
            c.key.interestOps(c.netOut.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    void close(Conn c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        c.listener.closed.incrementAndGet();
        open.decrementAndGet();
        if (!c.engine.isOutboundDone()) {
            c.engine.closeOutbound();
        }
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private void crash(Conn c, String what) {
        crashes.add(c + ": " + what);
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Conn c : connections) {
            if (!c.closed) {
                c.closed = true;
                c.engine.closeOutbound();
                c.channel.close();
            }
        }
        for (Listener l : listeners) {
            l.channel.close();
        }
        selector.close();
    }

    static boolean isClosedChannel(Throwable t) {
        return t instanceof ClosedChannelException;
    }
}
