package dev.asyncjsse.bench;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.KeyOffloaders;
import java.io.FileWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Load harness over real loopback sockets: one server selector thread, client threads opening
 * connections (TLS 1.3, TLS_AES_128_GCM_SHA256, X25519, ECDSA P-256 server key, no resumption: a
 * fresh host name per connection), and a key operation of latency L.
 *
 * <p>Configurations:
 * <ul>
 * <li>{@code SUN_INLINE}: SunJSSE, delegated tasks run inline on the loop; the signature blocks L
 *     ({@link dev.asyncjsse.testkit.SlowKeys}).
 * <li>{@code SUN_EXECUTOR}: SunJSSE, delegated tasks run on a thread pool; the loop is woken when they end.
 * <li>{@code ASYNC_NEEDTASK}: AsyncJSSE with {@code withLatency(executor(pool), L)}, driven by the same
 *     unaware loop as SUN_INLINE (NEED_TASK: run the task inline, which waits for the step).
 * <li>{@code ASYNC_CALLBACK}: the same AsyncJSSE context, with the wake-up callback: a pending
 *     connection is left alone until its callback queues it and wakes the selector.
 * <li>{@code ASYNC_CALLBACK_B0}: as ASYNC_CALLBACK with the wait budget set to 0
 *     ({@code dev.asyncjsse.waitBudget=0}): the loop never waits for a job to settle.
 * </ul>
 *
 * <p>Figures per configuration and L: handshakes/s completed by the server; p99 and longest time the
 * loop thread spent in one iteration (from the return of {@code select} to the next call; one
 * iteration serves every ready connection); p99 and longest single step (one {@code drive} of one
 * connection: the time the loop is held by one connection); the loop thread's CPU time per iteration
 * (p99, max) and the longest time it spent blocked or waiting (parked, sleeping) within one iteration,
 * in ms (thread contention monitoring; wall time on a busy machine also counts preemption, which
 * these two separate out); p99 round
 * trip of a 32-byte request echoed on a connection established before the run, sent every 2 ms
 * while handshakes run; the whole JVM's CPU per handshake (both sides).
 *
 * <p>Arguments: {@code --seconds S --warmup W --clients N --latencies 0,1,5,20 --configs A,B --out file.csv}.
 */
public final class LoadHarness {

    enum Config { SUN_INLINE, SUN_EXECUTOR, ASYNC_NEEDTASK, ASYNC_CALLBACK, ASYNC_CALLBACK_B0 }

    static final String SUITE = "TLS_AES_128_GCM_SHA256";

    public static void main(String[] args) throws Exception {
        int seconds = 4;
        int warmup = 2;
        int clients = 16;
        String out = null;
        List<Integer> latencies = List.of(0, 1, 5, 20);
        List<Config> configs = List.of(Config.values());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds": seconds = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--clients": clients = Integer.parseInt(args[++i]); break;
                case "--out": out = args[++i]; break;
                case "--latencies":
                    latencies = new ArrayList<>();
                    for (String s : args[++i].split(",")) {
                        latencies.add(Integer.parseInt(s.trim()));
                    }
                    break;
                case "--configs":
                    configs = new ArrayList<>();
                    for (String s : args[++i].split(",")) {
                        configs.add(Config.valueOf(s.trim()));
                    }
                    break;
                default:
                    // JMH-style arguments passed through run.sh are ignored here.
                    break;
            }
        }
        Impl.pinNamedGroups();
        String header = "config,latencyMs,seconds,clients,handshakes,handshakesPerSec,loopIterations,loopP99Us,loopMaxUs,"
                + "loopCpuP99Us,loopCpuMaxUs,loopWaitedMaxMs,loopWaitedTotalMs,stepP99Us,stepMaxUs,rttSamples,rttP99Us,rttMaxUs,processCpuUsPerHandshake,clientErrors,serverErrors";
        System.out.println("# java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, " + clients + " client threads, " + seconds + " s per point after " + warmup + " s warm-up");
        System.out.println(header);
        PrintWriter csv = out == null ? null : new PrintWriter(new FileWriter(out));
        if (csv != null) {
            csv.println(header);
        }
        // JIT warm-up of every code path, not recorded.
        for (Config c : configs) {
            run(c, 0, 0, 3, clients);
        }
        for (int latency : latencies) {
            for (Config c : configs) {
                String line = run(c, latency, warmup, seconds, clients);
                System.out.println(line);
                if (csv != null) {
                    csv.println(line);
                    csv.flush();
                }
            }
        }
        if (csv != null) {
            csv.close();
        }
        System.exit(0);
    }

    static String run(Config config, int latencyMs, int warmupSeconds, int seconds, int clientCount) throws Exception {
        Server server = new Server(config, latencyMs);
        server.start();
        SSLContext clientContext = Impl.SUNJSSE.context("TLS", null, Impl.Pki.CA.trustManagers());
        clientContext.getClientSessionContext().setSessionCacheSize(1);
        Clients clients = new Clients(clientContext, server.port(), clientCount);
        Pinger pinger = new Pinger(clientContext, server.port());
        pinger.start();
        clients.start();
        Thread.sleep(warmupSeconds * 1000L);
        long hs0 = server.handshakes.get();
        long cpu0 = HandshakeBench.processCpuNanos();
        server.measuring = true;
        pinger.measuring = true;
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        server.measuring = false;
        pinger.measuring = false;
        long elapsed = System.nanoTime() - t0;
        long handshakes = server.handshakes.get() - hs0;
        long cpu = HandshakeBench.processCpuNanos() - cpu0;
        clients.stop();
        pinger.stop();
        server.stop();
        long[] loop = server.iterations();
        long[] steps = server.steps.toArray();
        long[] loopCpu = server.iterationCpu.toArray();
        long[] loopWaited = server.iterationWaited.toArray();
        long[] rtt = pinger.samples();
        double secs = elapsed / 1e9;
        return String.format(Locale.ROOT, "%s,%d,%.2f,%d,%d,%.1f,%d,%.1f,%.1f,%.1f,%.1f,%d,%d,%.1f,%.1f,%d,%.1f,%.1f,%.0f,%d,%d",
                config, latencyMs, secs, clientCount, handshakes, handshakes / secs, loop.length, pct(loop, 0.99) / 1e3,
                max(loop) / 1e3, pct(loopCpu, 0.99) / 1e3, max(loopCpu) / 1e3, max(loopWaited), sum(loopWaited),
                pct(steps, 0.99) / 1e3, max(steps) / 1e3, rtt.length, pct(rtt, 0.99) / 1e3, max(rtt) / 1e3,
                handshakes == 0 ? 0.0 : cpu / 1e3 / handshakes, clients.errors.get(), server.errors.get());
    }

    static long pct(long[] v, double p) {
        if (v.length == 0) {
            return 0;
        }
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)];
    }

    static long sum(long[] v) {
        long m = 0;
        for (long x : v) {
            m += x;
        }
        return m;
    }

    static long max(long[] v) {
        long m = 0;
        for (long x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    /** A growable array of longs. */
    static final class Longs {
        long[] a = new long[1 << 16];
        int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    // ------------------------------------------------------------------ server

    static final class Server implements Runnable {
        final Config config;
        final SSLContext context;
        final Selector selector;
        final ServerSocketChannel listener;
        final ConcurrentLinkedQueue<Conn> ready = new ConcurrentLinkedQueue<>();
        final ExecutorService taskPool;
        final ExecutorService keyPool;
        final AtomicLong handshakes = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final Longs iterations = new Longs();
        final Longs iterationCpu = new Longs();
        final Longs iterationWaited = new Longs();
        final Longs steps = new Longs();
        /** Open connections (the loop thread adds and removes; stop() reads after the loop ended). */
        final java.util.Set<Conn> conns = new java.util.HashSet<>();
        volatile boolean measuring;
        volatile boolean running = true;
        Thread thread;

        Server(Config config, int latencyMs) throws Exception {
            this.config = config;
            long latencyNanos = TimeUnit.MILLISECONDS.toNanos(latencyMs);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm(), "SunJSSE");
            kmf.init(dev.asyncjsse.testkit.TestPki.keyStore(Impl.Pki.EC), dev.asyncjsse.testkit.TestPki.PASSWORD);
            X509ExtendedKeyManager km = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
            taskPool = Executors.newCachedThreadPool(daemon("sun-tasks"));
            keyPool = Executors.newFixedThreadPool(2, daemon("key-ops"));
            if (config == Config.SUN_INLINE || config == Config.SUN_EXECUTOR) {
                context = SSLContext.getInstance("TLSv1.3", "SunJSSE");
                context.init(new KeyManager[] {dev.asyncjsse.testkit.SlowKeys.slow(km, java.time.Duration.ofNanos(latencyNanos))}, null, null);
            } else {
                String budget = System.getProperty("dev.asyncjsse.waitBudget");
                if (config == Config.ASYNC_CALLBACK_B0) {
                    System.setProperty("dev.asyncjsse.waitBudget", "0"); // read when the context is created
                }
                context = SSLContext.getInstance("TLSv1.3", new dev.asyncjsse.AsyncJsseProvider());
                if (config == Config.ASYNC_CALLBACK_B0) {
                    if (budget == null) {
                        System.clearProperty("dev.asyncjsse.waitBudget");
                    } else {
                        System.setProperty("dev.asyncjsse.waitBudget", budget);
                    }
                }
                context.init(new KeyManager[] {km}, null, new java.security.SecureRandom());
                AsyncJsse.setKeyOffloader(context, KeyOffloaders.withLatency(KeyOffloaders.executor(keyPool), Duration.ofMillis(latencyMs)));
                AsyncJsse.setOffloadTimeout(context, Duration.ofSeconds(30));
            }
            selector = Selector.open();
            listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        }

        int port() throws IOException {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        }

        void start() {
            if (MemoryPair.THREADS.isThreadContentionMonitoringSupported()) {
            MemoryPair.THREADS.setThreadContentionMonitoringEnabled(true);
        }
        thread = new Thread(this, "server-loop");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws Exception {
            running = false;
            selector.wakeup();
            thread.join(10_000);
            for (Conn c : new ArrayList<>(conns)) {
                c.close();
            }
            listener.close();
            selector.close();
            taskPool.shutdownNow();
            keyPool.shutdownNow();
        }

        long[] iterations() {
            return iterations.toArray();
        }

        @Override
        public void run() {
            while (running) {
                try {
                    selector.select();
                } catch (IOException e) {
                    errors.incrementAndGet();
                    return;
                }
                long t0 = System.nanoTime();
                boolean m = measuring;
                long cpu0 = m ? MemoryPair.THREADS.getCurrentThreadCpuTime() : 0;
                long waited0 = m ? waitedMillis() : 0;
                Conn r;
                while ((r = ready.poll()) != null) {
                    r.pending = false;
                    drive(r);
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                            continue;
                        }
                        Conn c = (Conn) key.attachment();
                        if (key.isWritable()) {
                            c.flush();
                        }
                        if (key.isValid() && key.isReadable()) {
                            int n = c.ch.read(c.in);
                            if (n < 0) {
                                c.close();
                                continue;
                            }
                            drive(c);
                        }
                    } catch (IOException e) {
                        Conn c = (Conn) key.attachment();
                        if (c != null) {
                            c.close();
                        }
                    }
                }
                if (m) {
                    iterations.add(System.nanoTime() - t0);
                    iterationCpu.add(MemoryPair.THREADS.getCurrentThreadCpuTime() - cpu0);
                    iterationWaited.add(waitedMillis() - waited0);
                }
            }
        }

        /** Milliseconds this (loop) thread has spent blocked or waiting (parked, sleeping): thread contention monitoring. */
        private long waitedMillis() {
            java.lang.management.ThreadInfo info = MemoryPair.THREADS.getThreadInfo(Thread.currentThread().getId());
            return info.getWaitedTime() + info.getBlockedTime();
        }

        private void accept() throws IOException {
            SocketChannel ch;
            while ((ch = listener.accept()) != null) {
                ch.configureBlocking(false);
                ch.socket().setTcpNoDelay(true);
                SSLEngine engine = context.createSSLEngine();
                engine.setUseClientMode(false);
                Conn c = new Conn(this, ch, engine);
                if (config == Config.ASYNC_CALLBACK || config == Config.ASYNC_CALLBACK_B0) {
                    ((AsyncSSLEngine) engine).setOffloadCallback((e, arg) -> {
                        ready.add((Conn) arg);
                        selector.wakeup();
                    }, c);
                }
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                engine.beginHandshake();
                conns.add(c);
            }
        }

        private void drive(Conn c) {
            long t0 = measuring ? System.nanoTime() : 0;
            try {
                driveOrThrow(c);
                if (t0 != 0) {
                    steps.add(System.nanoTime() - t0);
                }
            } catch (IOException | RuntimeException e) {
                if (c.engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING || !(e instanceof IOException)) {
                    errors.incrementAndGet();
                    if (errors.get() < 5) {
                        System.err.println(config + ": " + e);
                    }
                }
                c.close();
            }
        }

        private void driveOrThrow(Conn c) throws IOException {
            for (int guard = 0; guard < 64 && !c.pending && !c.closed; guard++) {
                HandshakeStatus hs = c.engine.getHandshakeStatus();
                SSLEngineResult r;
                switch (hs) {
                    case NEED_TASK:
                        if ((config == Config.ASYNC_CALLBACK || config == Config.ASYNC_CALLBACK_B0)
                                && ((AsyncSSLEngine) c.engine).isOffloadPending()) {
                            c.pending = true;
                            return;
                        }
                        if (config == Config.SUN_EXECUTOR) {
                            c.pending = true;
                            taskPool.execute(() -> {
                                Runnable t;
                                while ((t = c.engine.getDelegatedTask()) != null) {
                                    t.run();
                                }
                                ready.add(c);
                                selector.wakeup();
                            });
                            return;
                        }
                        Runnable t;
                        while ((t = c.engine.getDelegatedTask()) != null) {
                            t.run();
                        }
                        continue;
                    case NEED_WRAP:
                        r = c.engine.wrap(Conn.EMPTY, c.out);
                        c.flush();
                        break;
                    case NEED_UNWRAP:
                    case NEED_UNWRAP_AGAIN:
                        c.in.flip();
                        r = c.engine.unwrap(c.in, c.app);
                        c.in.compact();
                        c.app.clear();
                        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                            return;
                        }
                        break;
                    default:
                        if (c.in.position() == 0) {
                            return;
                        }
                        c.in.flip();
                        r = c.engine.unwrap(c.in, c.app);
                        c.in.compact();
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            c.close();
                            return;
                        }
                        if (c.app.position() > 0) {
                            c.app.flip();
                            c.engine.wrap(c.app, c.out);
                            c.app.clear();
                            c.flush();
                        }
                        if (r.bytesConsumed() == 0) {
                            return;
                        }
                        continue;
                }
                if (AsyncSSLEngine.isOffloadPending(r)) {
                    if (config == Config.ASYNC_CALLBACK || config == Config.ASYNC_CALLBACK_B0) {
                        c.pending = true;
                        return;
                    }
                    continue; // unaware: NEED_TASK next
                }
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    handshakes.incrementAndGet();
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    c.close();
                    return;
                }
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && r.getHandshakeStatus() != HandshakeStatus.FINISHED
                        && r.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
                    return;
                }
            }
        }
    }

    static final class Conn {
        static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
        final Server server;
        final SocketChannel ch;
        final SSLEngine engine;
        final ByteBuffer in;
        final ByteBuffer out;
        final ByteBuffer app;
        SelectionKey key;
        boolean pending;
        boolean closed;

        Conn(Server server, SocketChannel ch, SSLEngine engine) {
            this.server = server;
            this.ch = ch;
            this.engine = engine;
            int packet = engine.getSession().getPacketBufferSize();
            in = ByteBuffer.allocate(packet * 2);
            out = ByteBuffer.allocate(packet * 4);
            app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2);
        }

        void flush() throws IOException {
            out.flip();
            ch.write(out);
            out.compact();
            if (key != null && key.isValid()) {
                key.interestOps(out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            server.conns.remove(this);
            engine.closeOutbound();
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------ clients

    static SSLSocket connect(SSLContext ctx, int port, String host) throws IOException {
        Socket raw = new Socket();
        raw.setTcpNoDelay(true);
        raw.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        raw.setSoTimeout(30_000);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, true);
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        s.setEnabledCipherSuites(new String[] {SUITE});
        return s;
    }

    /** Client threads, each opening a connection, completing a full handshake and closing it, in a loop. */
    static final class Clients {
        final List<Thread> threads = new ArrayList<>();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        volatile boolean running = true;

        Clients(SSLContext ctx, int port, int count) {
            for (int i = 0; i < count; i++) {
                int id = i;
                Thread t = new Thread(() -> {
                    long n = 0;
                    while (running) {
                        try (SSLSocket s = connect(ctx, port, "c" + id + "-" + (n++) + ".bench")) {
                            s.startHandshake();
                            done.incrementAndGet();
                        } catch (IOException e) {
                            if (running) {
                                errors.incrementAndGet();
                            }
                        }
                    }
                }, "client-" + i);
                t.setDaemon(true);
                threads.add(t);
            }
        }

        void start() {
            threads.forEach(Thread::start);
        }

        void stop() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.join(35_000);
            }
        }
    }

    /** One established connection sending a 32-byte request every 2 ms and timing the echo. */
    static final class Pinger implements Runnable {
        final SSLContext ctx;
        final int port;
        final Longs samples = new Longs();
        volatile boolean measuring;
        volatile boolean running = true;
        Thread thread;

        Pinger(SSLContext ctx, int port) {
            this.ctx = ctx;
            this.port = port;
        }

        void start() throws IOException {
            thread = new Thread(this, "pinger");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(35_000);
        }

        synchronized long[] samples() {
            return samples.toArray();
        }

        @Override
        public void run() {
            byte[] req = new byte[32];
            byte[] resp = new byte[32];
            try (SSLSocket s = connect(ctx, port, "pinger.bench")) {
                s.startHandshake();
                OutputStream o = s.getOutputStream();
                InputStream i = s.getInputStream();
                while (running) {
                    long t0 = System.nanoTime();
                    o.write(req);
                    o.flush();
                    int got = 0;
                    while (got < resp.length) {
                        int n = i.read(resp, got, resp.length - got);
                        if (n < 0) {
                            throw new IOException("echo closed");
                        }
                        got += n;
                    }
                    long rtt = System.nanoTime() - t0;
                    if (measuring) {
                        synchronized (this) {
                            samples.add(rtt);
                        }
                    }
                    Thread.sleep(2);
                }
            } catch (IOException | InterruptedException e) {
                if (running) {
                    System.err.println("pinger: " + e);
                }
            }
        }
    }
}
