package dev.asyncjsse.testkit;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * Drives a client and a server engine against each other in memory, the way a simple loop does:
 * wrap what each side wants to send, unwrap what it received, run delegated tasks inline.
 *
 * <p>Not thread-safe: one thread drives both engines.
 */
public final class EnginePair {

    public final SSLEngine client;
    public final SSLEngine server;
    private ByteBuffer clientToServer;
    private ByteBuffer serverToClient;
    private final ByteBuffer clientApp;
    private final ByteBuffer serverApp;
    public int clientFinished;
    public int serverFinished;

    public EnginePair(SSLEngine client, SSLEngine server) {
        this.client = client;
        this.server = server;
        int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        clientToServer = ByteBuffer.allocate(packet * 4);
        serverToClient = ByteBuffer.allocate(packet * 4);
        clientApp = ByteBuffer.allocate(1 << 20);
        serverApp = ByteBuffer.allocate(1 << 20);
    }

    /** Runs the handshake to completion on both sides; fails after {@code maxRounds} rounds without finishing. */
    public void handshake() throws SSLException {
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 200; round++) {
            boolean progress = step(client, serverToClient, clientToServer, clientApp, true);
            progress |= step(server, clientToServer, serverToClient, serverApp, false);
            if (done(client) && done(server) && clientToServer.position() == 0 && serverToClient.position() == 0) {
                return;
            }
            if (!progress && round > 3) {
                throw new SSLException("handshake made no progress: client " + client.getHandshakeStatus()
                        + ", server " + server.getHandshakeStatus());
            }
        }
        throw new SSLException("handshake did not complete in 200 rounds");
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus hs = e.getHandshakeStatus();
        return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
    }

    private boolean step(SSLEngine engine, ByteBuffer inbound, ByteBuffer outbound, ByteBuffer app, boolean isClient)
            throws SSLException {
        boolean progress = false;
        for (int i = 0; i < 50; i++) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            SSLEngineResult r;
            if (hs == HandshakeStatus.NEED_TASK) {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
                progress = true;
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
                return progress;
            }
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                if (isClient) {
                    clientFinished++;
                } else {
                    serverFinished++;
                }
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && r.getHandshakeStatus() != HandshakeStatus.NEED_TASK
                    && r.getHandshakeStatus() != HandshakeStatus.FINISHED) {
                return progress;
            }
            progress = true;
        }
        return progress;
    }

    /** Sends {@code data} from one side and returns what the other side received. */
    public byte[] send(boolean fromClient, byte[] data) throws SSLException {
        return fromClient ? transfer(client, server, data) : transfer(server, client, data);
    }

    /**
     * Wraps all of {@code data} on {@code from} and unwraps it on {@code to}, both established, and
     * returns what {@code to} received. Any status other than OK fails with an SSLException naming it.
     */
    public static byte[] transfer(SSLEngine from, SSLEngine to, byte[] data) throws SSLException {
        ByteBuffer wire = ByteBuffer.allocate(data.length + 64 * 1024 + data.length / 8);
        ByteBuffer src = ByteBuffer.wrap(data);
        while (src.hasRemaining()) {
            SSLEngineResult r = from.wrap(src, wire);
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                throw new SSLException("wrap: " + r);
            }
        }
        wire.flip();
        ByteBuffer out = ByteBuffer.allocate(data.length + to.getSession().getApplicationBufferSize());
        while (wire.hasRemaining()) {
            SSLEngineResult r = to.unwrap(wire, out);
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                throw new SSLException("unwrap: " + r);
            }
        }
        out.flip();
        byte[] received = new byte[out.remaining()];
        out.get(received);
        return received;
    }
}
