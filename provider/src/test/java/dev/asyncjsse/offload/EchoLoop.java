package dev.asyncjsse.offload;

import dev.asyncjsse.AsyncSSLEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * A classic single-threaded selector loop over real sockets, serving (or, as a client, driving) TLS
 * echo connections. In server mode it measures how long each {@code wrap}/{@code unwrap} call holds
 * the loop thread.
 *
 * <p>Three ways to treat NEED_TASK: offload-aware (callback queues the connection and wakes the
 * selector), unaware (delegated tasks run on {@link #taskExecutor}, which requeues the connection
 * when a task is done, like Netty's delegated-task executor), and inline (client side, SunJSSE).
 */
final class EchoLoop implements Runnable {

    enum Mode { CALLBACK, UNAWARE, INLINE_TASKS }

    final Selector selector;
    final Mode mode;
    final boolean server;
    final Queue<Conn> ready = new ConcurrentLinkedQueue<>();
    final Queue<Conn> added = new ConcurrentLinkedQueue<>();
    ServerSocketChannel listener;
    Supplier<SSLEngine> engines;
    ExecutorService taskExecutor;
    byte[] message;
    CountDownLatch echoed;

    final AtomicLong maxCallNanos = new AtomicLong();
    /** The longest time one call spent waiting or blocked (not runnable), from the JVM's thread accounting. */
    final AtomicLong maxWaitedMillis = new AtomicLong();
    /** Calls that spent at least 20 ms (the test's offload latency) waiting or blocked. */
    final AtomicLong callsWaited20ms = new AtomicLong();
    volatile String mostWaited;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    static {
        if (THREADS.isThreadContentionMonitoringSupported()) {
            THREADS.setThreadContentionMonitoringEnabled(true);
        }
    }

    private static long waitedMillis() {
        java.lang.management.ThreadInfo info = THREADS.getThreadInfo(Thread.currentThread().getId());
        return info.getWaitedTime() + info.getBlockedTime();
    }
    final long[] durations = new long[1 << 16];
    volatile String slowest;

    /** The q-quantile of the measured call durations, in ms. */
    double quantileMs(double q) {
        int n = (int) Math.min(calls.get(), durations.length);
        if (n == 0) {
            return 0;
        }
        long[] copy = java.util.Arrays.copyOf(durations, n);
        java.util.Arrays.sort(copy);
        return copy[Math.min(n - 1, (int) Math.floor(q * n))] / 1e6;
    }
    final AtomicLong calls = new AtomicLong();
    final AtomicLong slowCalls = new AtomicLong();
    final AtomicInteger handshakes = new AtomicInteger();
    final AtomicInteger pendingResults = new AtomicInteger();
    final AtomicInteger callbacks = new AtomicInteger();
    final AtomicInteger parkedNow = new AtomicInteger();
    final AtomicInteger maxParked = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    volatile Throwable firstFailure;
    volatile boolean stop;
    final Thread thread;

    EchoLoop(String name, Mode mode, boolean server) throws IOException {
        this.selector = Selector.open();
        this.mode = mode;
        this.server = server;
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    int listen(Supplier<SSLEngine> engines) throws IOException {
        this.engines = engines;
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        return listener.socket().getLocalPort();
    }

    void start() {
        thread.start();
        if (server && Boolean.getBoolean("asyncjsse.watchLoop")) {
            Thread watchdog = new Thread(() -> {
                long reported = 0;
                while (!stop) {
                    long start = callStart;
                    if (start != 0 && start != reported && System.nanoTime() - start > 10_000_000L) {
                        reported = start;
                        StringBuilder sb = new StringBuilder("loop call running for > 10 ms:\n");
                        for (StackTraceElement e : thread.getStackTrace()) {
                            sb.append("    at ").append(e).append('\n');
                        }
                        System.out.println(sb);
                    }
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "test-loop-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
    }

    private volatile long callStart;

    void resetStats() {
        maxCallNanos.set(0);
        maxWaitedMillis.set(0);
        callsWaited20ms.set(0);
        calls.set(0);
        slowCalls.set(0);
        maxParked.set(0);
    }

    /** Client side: hands a connected channel with its engine to the loop. */
    void connect(int port, SSLEngine engine) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.configureBlocking(false);
        added.add(new Conn(ch, engine));
        selector.wakeup();
    }

    void shutdown() throws Exception {
        stop = true;
        selector.wakeup();
        thread.join(10_000);
        for (SelectionKey k : selector.keys()) {
            k.channel().close();
        }
        selector.close();
    }

    final class Conn {
        final SocketChannel ch;
        final SSLEngine engine;
        final ByteBuffer netIn;
        final ByteBuffer netOut;
        final ByteBuffer appIn;
        SelectionKey key;
        boolean sent;
        boolean closed;
        boolean parked;

        Conn(SocketChannel ch, SSLEngine engine) {
            this.ch = ch;
            this.engine = engine;
            int packet = engine.getSession().getPacketBufferSize();
            netIn = ByteBuffer.allocate(packet * 4);
            netOut = ByteBuffer.allocate(packet * 8);
            appIn = ByteBuffer.allocate(Math.max(engine.getSession().getApplicationBufferSize(), 1 << 15) * 2);
            if (mode == Mode.CALLBACK && engine instanceof AsyncSSLEngine) {
                ((AsyncSSLEngine) engine).setOffloadCallback((e, arg) -> {
                    callbacks.incrementAndGet();
                    ready.add((Conn) arg);
                    selector.wakeup();
                }, this);
            }
        }
    }

    @Override
    public void run() {
        try {
            while (!stop) {
                selector.select(100);
                Conn c;
                while ((c = added.poll()) != null) {
                    c.key = c.ch.register(selector, SelectionKey.OP_READ, c);
                    c.engine.beginHandshake();
                    process(c);
                }
                while ((c = ready.poll()) != null) {
                    if (c.parked) {
                        c.parked = false;
                        parkedNow.decrementAndGet();
                    }
                    process(c);
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        SocketChannel ch;
                        while ((ch = listener.accept()) != null) {
                            ch.configureBlocking(false);
                            Conn conn = new Conn(ch, engines.get());
                            conn.key = ch.register(selector, SelectionKey.OP_READ, conn);
                        }
                    } else {
                        process((Conn) key.attachment());
                    }
                }
            }
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void fail(Throwable t) {
        failures.incrementAndGet();
        if (firstFailure == null) {
            firstFailure = t;
        }
    }

    private SSLEngineResult timed(Conn c, boolean wrap, ByteBuffer src, ByteBuffer dst) throws SSLException {
        long w0 = server ? waitedMillis() : 0;
        long t0 = System.nanoTime();
        callStart = t0;
        SSLEngineResult r = wrap ? c.engine.wrap(src, dst) : c.engine.unwrap(src, dst);
        callStart = 0;
        long took = System.nanoTime() - t0;
        if (server) {
            long waited = waitedMillis() - w0;
            if (waited >= 20) {
                callsWaited20ms.incrementAndGet();
            }
            if (waited > maxWaitedMillis.get()) {
                maxWaitedMillis.set(waited);
                mostWaited = ((wrap ? "wrap " : "unwrap ") + r + " on " + c.engine).replace('\n', ' ');
            }
            int idx = (int) calls.get();
            if (idx < durations.length) {
                durations[idx] = took;
            }
            if (took > maxCallNanos.get()) {
                slowest = ((wrap ? "wrap " : "unwrap ") + r + " on " + c.engine).replace('\n', ' ');
            }
            calls.incrementAndGet();
            maxCallNanos.accumulateAndGet(took, Math::max);
            if (took > 5_000_000) {
                slowCalls.incrementAndGet();
            }
        }
        if (AsyncSSLEngine.isOffloadPending(r)) {
            pendingResults.incrementAndGet();
        }
        return r;
    }

    private boolean pending(Conn c) {
        return c.engine instanceof AsyncSSLEngine && ((AsyncSSLEngine) c.engine).isOffloadPending();
    }

    private void park(Conn c) {
        if (!c.parked) {
            c.parked = true;
            int now = parkedNow.incrementAndGet();
            maxParked.accumulateAndGet(now, Math::max);
        }
    }

    private void process(Conn c) {
        if (c.closed) {
            return;
        }
        try {
            for (int i = 0; i < 64; i++) {
                int n = c.netIn.hasRemaining() ? c.ch.read(c.netIn) : 0;
                if (n < 0) {
                    close(c);
                    return;
                }
                if (mode == Mode.CALLBACK && pending(c)) {
                    park(c);
                    return;
                }
                HandshakeStatus hs = c.engine.getHandshakeStatus();
                boolean progress = false;
                SSLEngineResult r = null;
                if (hs == HandshakeStatus.NEED_TASK) {
                    if (mode == Mode.UNAWARE) {
                        Runnable task = c.engine.getDelegatedTask();
                        if (task != null) {
                            taskExecutor.execute(() -> {
                                task.run();
                                ready.add(c);
                                selector.wakeup();
                            });
                        }
                        return;
                    }
                    Runnable task;
                    while ((task = c.engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    progress = true;
                } else if (hs == HandshakeStatus.NEED_WRAP) {
                    r = timed(c, true, ByteBuffer.allocate(0), c.netOut);
                    progress = r.bytesProduced() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
                } else {
                    c.netIn.flip();
                    r = timed(c, false, c.netIn, c.appIn);
                    c.netIn.compact();
                    progress = r.bytesConsumed() > 0 || r.bytesProduced() > 0;
                    if (r.getStatus() == Status.CLOSED) {
                        close(c);
                        return;
                    }
                }
                if (r != null && r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    handshakes.incrementAndGet();
                }
                boolean established = c.engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING && !pending(c);
                if (established) {
                    progress |= application(c);
                }
                flush(c);
                if (c.closed) {
                    return;
                }
                if (r != null && AsyncSSLEngine.isOffloadPending(r)) {
                    if (mode == Mode.CALLBACK) {
                        park(c);
                        return;
                    }
                    progress = true;
                }
                if (!progress) {
                    return;
                }
            }
        } catch (Throwable t) {
            fail(new IOException((server ? "server " : "client ") + c.engine + ": " + t, t));
            close(c);
        }
    }

    /** Echo on the server; on the client, send the message once and check the echo. */
    private boolean application(Conn c) throws IOException {
        boolean progress = false;
        if (!server && !c.sent) {
            ByteBuffer src = ByteBuffer.wrap(message);
            while (src.hasRemaining()) {
                SSLEngineResult r = c.engine.wrap(src, c.netOut);
                if (r.getStatus() != Status.OK) {
                    throw new SSLException("client wrap: " + r);
                }
            }
            c.sent = true;
            progress = true;
        }
        if (c.appIn.position() > 0) {
            if (server) {
                c.appIn.flip();
                while (c.appIn.hasRemaining()) {
                    SSLEngineResult r = timed(c, true, c.appIn, c.netOut);
                    if (r.getStatus() != Status.OK) {
                        throw new SSLException("server wrap: " + r);
                    }
                }
                c.appIn.clear();
                progress = true;
            } else if (c.appIn.position() >= message.length) {
                c.appIn.flip();
                byte[] got = new byte[c.appIn.remaining()];
                c.appIn.get(got);
                if (!Arrays.equals(got, message)) {
                    throw new IOException("echo differs");
                }
                echoed.countDown();
                close(c);
            }
        }
        return progress;
    }

    private void flush(Conn c) throws IOException {
        if (c.closed) {
            return;
        }
        c.netOut.flip();
        while (c.netOut.hasRemaining()) {
            if (c.ch.write(c.netOut) == 0) {
                break;
            }
        }
        c.netOut.compact();
        if (c.netOut.position() > 0) {
            c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } else if (c.key.isValid()) {
            c.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void close(Conn c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        if (c.parked) {
            c.parked = false;
            parkedNow.decrementAndGet();
        }
        c.engine.closeOutbound();
        try {
            c.ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
