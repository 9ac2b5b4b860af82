package dev.asyncjsse.offload;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.testkit.EnginePair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * Drives a client and a server engine in memory like an offload-aware loop: it stops driving an
 * engine that returned offload pending until its callback fired.
 */
final class Pump {

    final SSLEngine client;
    final SSLEngine server;
    final ByteBuffer c2s;
    final ByteBuffer s2c;
    final ByteBuffer clientApp = ByteBuffer.allocate(1 << 17);
    final ByteBuffer serverApp = ByteBuffer.allocate(1 << 17);
    int clientFinished;
    int serverFinished;
    final List<SSLEngineResult> pendingResults = new ArrayList<>();
    final Semaphore callbacks = new Semaphore(0);
    final AtomicInteger callbackCount = new AtomicInteger();
    final List<Thread> callbackThreads = new ArrayList<>();
    /** Unaware mode: run delegated tasks even for a pending engine, never wait for callbacks. */
    boolean unaware;
    private boolean started;

    Pump(SSLEngine client, SSLEngine server) {
        this.client = client;
        this.server = server;
        int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        c2s = ByteBuffer.allocate(packet * 4);
        s2c = ByteBuffer.allocate(packet * 4);
        for (SSLEngine e : new SSLEngine[] {client, server}) {
            if (e instanceof AsyncSSLEngine) {
                ((AsyncSSLEngine) e).setOffloadCallback((engine, arg) -> {
                    synchronized (callbackThreads) {
                        callbackThreads.add(Thread.currentThread());
                    }
                    callbackCount.incrementAndGet();
                    callbacks.release();
                }, "arg");
            }
        }
    }

    static boolean done(SSLEngine e) {
        HandshakeStatus hs = e.getHandshakeStatus();
        return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
    }

    boolean bothDone() {
        return done(client) && done(server) && c2s.position() == 0 && s2c.position() == 0;
    }

    /**
     * Runs both engines until the handshake is done or an engine parks.
     *
     * @return the parked engine, or null when the handshake is complete
     */
    SSLEngine run() throws SSLException {
        if (!started) {
            started = true;
            client.beginHandshake();
            server.beginHandshake();
        }
        for (int round = 0; round < 500; round++) {
            if (bothDone()) {
                return null;
            }
            SSLEngine parked = step(client, s2c, c2s, clientApp, true);
            if (parked != null) {
                return parked;
            }
            parked = step(server, c2s, s2c, serverApp, false);
            if (parked != null) {
                return parked;
            }
        }
        throw new SSLException("no progress: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
    }

    /** Runs the handshake to completion, waiting for callbacks whenever an engine parks. */
    void complete(long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            SSLEngine parked = run();
            if (parked == null) {
                return;
            }
            if (!callbacks.tryAcquire(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no callback for parked " + parked);
            }
        }
    }

    private SSLEngine step(SSLEngine engine, ByteBuffer inbound, ByteBuffer outbound, ByteBuffer app, boolean isClient)
            throws SSLException {
        for (int i = 0; i < 50; i++) {
            if (!unaware && engine instanceof AsyncSSLEngine && ((AsyncSSLEngine) engine).isOffloadPending()) {
                return engine;
            }
            HandshakeStatus hs = engine.getHandshakeStatus();
            boolean handshaking = hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED;
            SSLEngineResult r;
            if (hs == HandshakeStatus.NEED_TASK) {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
                continue;
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                r = engine.wrap(ByteBuffer.allocate(0), outbound);
            } else if (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN
                    || inbound.position() > 0 && !engine.isInboundDone()) {
                // after the handshake, too: post-handshake messages (a TLS 1.3 NewSessionTicket) are read
                inbound.flip();
                r = engine.unwrap(inbound, app);
                inbound.compact();
            } else {
                return null;
            }
            // the JDK's client also says FINISHED for a NewSessionTicket read after the handshake: not counted
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && handshaking) {
                if (isClient) {
                    clientFinished++;
                } else {
                    serverFinished++;
                }
            }
            if (AsyncSSLEngine.isOffloadPending(r)) {
                pendingResults.add(r);
                if (!unaware) {
                    return engine;
                }
                continue;
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && r.getHandshakeStatus() != HandshakeStatus.NEED_TASK
                    && r.getHandshakeStatus() != HandshakeStatus.FINISHED) {
                return null;
            }
        }
        return null;
    }

    /** Sends {@code data} from one side and returns what the other side received. */
    byte[] send(boolean fromClient, byte[] data) throws SSLException {
        return fromClient ? EnginePair.transfer(client, server, data) : EnginePair.transfer(server, client, data);
    }
}
