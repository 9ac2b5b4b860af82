package dev.asyncjsse.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A minimal in-memory driver for one client and one server engine, one thread, reusable buffers.
 * It acts as a loop that knows nothing of offload: on NEED_TASK it runs the delegated tasks inline.
 * The CPU time of the calling thread spent inside server-side engine calls is added to
 * {@link #serverCpuNanos} (ThreadMXBean: a few hundred ns of overhead per call, about 6 calls per
 * handshake).
 */
final class MemoryPair {

    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU time of all live Java threads (JIT compiler and GC threads are not Java threads). */
    static long allThreadsCpuNanos() {
        long[] ids = THREADS.getAllThreadIds();
        long[] cpu = ((com.sun.management.ThreadMXBean) THREADS).getThreadCpuTime(ids);
        long sum = 0;
        for (long c : cpu) {
            if (c > 0) {
                sum += c;
            }
        }
        return sum;
    }

    private final ByteBuffer c2s;
    private final ByteBuffer s2c;
    private final ByteBuffer clientApp;
    private final ByteBuffer serverApp;
    private final ByteBuffer empty = ByteBuffer.allocate(0);
    long serverCpuNanos;
    long clientCpuNanos;

    MemoryPair(int packetSize, int appSize) {
        c2s = ByteBuffer.allocate(packetSize * 4);
        s2c = ByteBuffer.allocate(packetSize * 4);
        clientApp = ByteBuffer.allocate(appSize);
        serverApp = ByteBuffer.allocate(appSize);
    }

    void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        c2s.clear();
        s2c.clear();
        long t0 = THREADS.getCurrentThreadCpuTime();
        client.beginHandshake();
        long t1 = THREADS.getCurrentThreadCpuTime();
        clientCpuNanos += t1 - t0;
        t0 = t1;
        server.beginHandshake();
        serverCpuNanos += THREADS.getCurrentThreadCpuTime() - t0;
        for (int round = 0; round < 100; round++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            boolean progress = step(client, s2c, c2s, clientApp, false);
            long s0 = THREADS.getCurrentThreadCpuTime();
            clientCpuNanos += s0 - c0;
            progress |= step(server, c2s, s2c, serverApp, true);
            serverCpuNanos += THREADS.getCurrentThreadCpuTime() - s0;
            if (done(client) && done(server) && c2s.position() == 0 && s2c.position() == 0) {
                return;
            }
            if (!progress) {
                throw new SSLException("no progress: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
            }
        }
        throw new SSLException("handshake did not finish");
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus hs = e.getHandshakeStatus();
        return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
    }

    private boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app, boolean server) throws SSLException {
        boolean progress = false;
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
                    if (in.position() == 0 && hs == HandshakeStatus.NEED_UNWRAP) {
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
