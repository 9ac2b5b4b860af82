package dev.asyncjsse.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A minimal in-memory driver for one client and one server engine, reusable buffers. The server
 * runs on the calling thread; the client runs there too, between the server's steps, or on a
 * {@link PeerThread} of its own that takes each step over while the calling thread waits (the two
 * sides take turns either way). It acts as a loop that knows nothing of offload: on NEED_TASK it runs
 * the delegated tasks inline. After the handshake the server writes one byte that the client reads
 * (see {@link #firstWrite}). The CPU time of the calling thread spent inside server-side engine calls
 * is added to {@link #serverCpuNanos}, the client's inside its calls (on whichever thread) to
 * {@link #clientCpuNanos} (ThreadMXBean: a few hundred ns of overhead per call, about 6 calls per
 * handshake).
 */
final class MemoryPair {

    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU time of each live Java thread (JIT compiler and GC threads are not Java threads), by thread id. */
    static Map<Long, Long> threadCpuNanos() {
        long[] ids = THREADS.getAllThreadIds();
        long[] cpu = ((com.sun.management.ThreadMXBean) THREADS).getThreadCpuTime(ids);
        Map<Long, Long> byId = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] > 0) {
                byId.put(ids[i], cpu[i]);
            }
        }
        return byId;
    }

    /**
     * The CPU time the Java threads live at {@code after} took since {@code before}, except the two
     * given by id. Thread by thread, so that a thread that ends in between (a pool's, or the client
     * thread of an earlier trial) does not take its whole life's CPU time out of the sum; a thread
     * that started in between counts all of its time.
     */
    static long cpuNanosSince(Map<Long, Long> before, Map<Long, Long> after, long except1, long except2) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            long id = e.getKey();
            if (id != except1 && id != except2) {
                sum += e.getValue() - before.getOrDefault(id, 0L);
            }
        }
        return sum;
    }

    private final ByteBuffer c2s;
    private final ByteBuffer s2c;
    private final ByteBuffer clientApp;
    private final ByteBuffer serverApp;
    private final ByteBuffer empty = ByteBuffer.allocate(0);
    private final ByteBuffer oneByte = ByteBuffer.allocate(1);
    /** The client's own thread, or null when the client runs on the calling thread between the server's steps. */
    private final PeerThread clientThread;
    long serverCpuNanos;
    /** Written on the client's thread; read after a step returns (the hand-over orders the two). */
    long clientCpuNanos;

    MemoryPair(int packetSize, int appSize) {
        this(packetSize, appSize, null);
    }

    MemoryPair(int packetSize, int appSize, PeerThread clientThread) {
        this.clientThread = clientThread;
        c2s = ByteBuffer.allocate(packetSize * 4);
        s2c = ByteBuffer.allocate(packetSize * 4);
        clientApp = ByteBuffer.allocate(appSize);
        serverApp = ByteBuffer.allocate(appSize);
    }

    void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        c2s.clear();
        s2c.clear();
        onClient(() -> {
            client.beginHandshake();
            return null;
        });
        long t0 = THREADS.getCurrentThreadCpuTime();
        server.beginHandshake();
        serverCpuNanos += THREADS.getCurrentThreadCpuTime() - t0;
        for (int round = 0; round < 100; round++) {
            boolean progress = onClient(() -> step(client, s2c, c2s, clientApp, false));
            long s0 = THREADS.getCurrentThreadCpuTime();
            progress |= step(server, c2s, s2c, serverApp, true);
            serverCpuNanos += THREADS.getCurrentThreadCpuTime() - s0;
            if (done(client) && done(server) && c2s.position() == 0 && s2c.position() == 0) {
                firstWrite(client, server);
                return;
            }
            if (!progress) {
                throw new SSLException("no progress: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
            }
        }
        throw new SSLException("handshake did not finish");
    }

    /**
     * Runs {@code action} where the client lives (the calling thread, or {@link #clientThread}) and
     * adds the CPU time it took there to {@link #clientCpuNanos}.
     */
    <T> T onClient(Callable<T> action) throws SSLException {
        Callable<T> timed = () -> {
            long c0 = THREADS.getCurrentThreadCpuTime();
            try {
                return action.call();
            } finally {
                clientCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
            }
        };
        try {
            return clientThread == null ? timed.call() : clientThread.call(timed);
        } catch (SSLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SSLException("client side: " + e, e);
        }
    }

    /**
     * The server's first write after the handshake: one byte of application data, read by the
     * client. Servers that send their TLS 1.3 NewSessionTickets lazily do it here (BoringSSL with its
     * first data; an engine may also on its first wrap), so every server pays for the tickets it
     * issues, as a real server does when it first writes, and the client receives them and can resume.
     * The one-byte record costs every server the same small amount.
     */
    private void firstWrite(SSLEngine client, SSLEngine server) throws SSLException {
        oneByte.clear();
        long s0 = THREADS.getCurrentThreadCpuTime();
        SSLEngineResult r = server.wrap(oneByte, s2c);
        serverCpuNanos += THREADS.getCurrentThreadCpuTime() - s0;
        if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() != 1) {
            throw new SSLException("the server's first write after the handshake: " + r);
        }
        onClient(() -> step(client, s2c, c2s, clientApp, false));
        if (s2c.position() != 0) {
            throw new SSLException("the client left " + s2c.position() + " bytes of the server's first write unread");
        }
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus hs = e.getHandshakeStatus();
        return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
    }

    private boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app, boolean server) throws SSLException {
        boolean progress = false;
        boolean consumed = false;
        for (int i = 0; i < 20; i++) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            SSLEngineResult r;
            switch (hs) {
                case NEED_TASK:
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    progress = true;
                    continue;
                case NEED_WRAP:
                    r = engine.wrap(empty, out);
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    // BoringSSL reports FINISHED only from an unwrap after the one that read the peer's
                    // Finished, so one more unwrap follows a consuming one even with no input left
                    if (in.position() == 0 && hs == HandshakeStatus.NEED_UNWRAP && !consumed) {
                        return progress;
                    }
                    in.flip();
                    r = engine.unwrap(in, app);
                    in.compact();
                    app.clear();
                    break;
                default:
                    // Post-handshake messages (e.g. NewSessionTicket) may still be waiting.
                    if (in.position() > 0) {
                        in.flip();
                        r = engine.unwrap(in, app);
                        in.compact();
                        app.clear();
                        if (r.bytesConsumed() > 0) {
                            progress = true;
                            continue;
                        }
                    }
                    return progress;
            }
            consumed = r.bytesConsumed() > 0;
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException((server ? "server" : "client") + " closed: " + r);
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && r.getHandshakeStatus() != HandshakeStatus.NEED_TASK
                    && r.getHandshakeStatus() != HandshakeStatus.FINISHED) {
                return progress;
            }
            progress = true;
        }
        return progress;
    }
}
