package dev.asyncjsse.conformance;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * Drives two engines against each other in memory and records, per side, the FINISHED count and
 * the first exception, so failed handshakes can be examined on both sides (the failing side sends
 * an alert, the peer must see it).
 */
final class Loop {

    final SSLEngine client;
    final SSLEngine server;
    final ByteBuffer c2s = ByteBuffer.allocate(1 << 18);
    final ByteBuffer s2c = ByteBuffer.allocate(1 << 18);
    final ByteBuffer clientApp = ByteBuffer.allocate(1 << 17);
    final ByteBuffer serverApp = ByteBuffer.allocate(1 << 17);
    int clientFinished;
    int serverFinished;
    /**
     * FINISHED reported by a call made after that side's handshake had ended. The JDK's engine does
     * this for a TLS 1.3 NewSessionTicket it reads; AsyncJSSE's engines never should.
     */
    int clientFinishedLate;
    int serverFinishedLate;
    SSLException clientError;
    long clientWrapped;
    long serverWrapped;
    SSLException serverError;

    Loop(SSLEngine client, SSLEngine server) {
        this.client = client;
        this.server = server;
    }

    /** Handshakes; throws the first error of either side. */
    Loop handshake() throws SSLException {
        run();
        if (clientError != null) {
            throw clientError;
        }
        if (serverError != null) {
            throw serverError;
        }
        if (!done(client) || !done(server)) {
            throw new SSLException("handshake stalled: client " + client.getHandshakeStatus() + ", server "
                    + server.getHandshakeStatus());
        }
        return this;
    }

    /** Handshakes without throwing; the errors stay in {@link #clientError}/{@link #serverError}. */
    Loop run() {
        begin();
        return pump();
    }

    private void begin() {
        try {
            client.beginHandshake();
        } catch (SSLException e) {
            clientError = e;
        }
        try {
            server.beginHandshake();
        } catch (SSLException e) {
            serverError = e;
        }
    }

    /** Moves whatever either side has to send or read, until neither makes progress. */
    Loop pump() {
        for (int round = 0; round < 100; round++) {
            boolean progress = step(true);
            progress |= step(false);
            if (!progress) {
                return this;
            }
        }
        return this;
    }

    static boolean done(SSLEngine e) {
        HandshakeStatus hs = e.getHandshakeStatus();
        return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
    }

    private boolean step(boolean isClient) {
        SSLEngine engine = isClient ? client : server;
        ByteBuffer in = isClient ? s2c : c2s;
        ByteBuffer out = isClient ? c2s : s2c;
        ByteBuffer app = isClient ? clientApp : serverApp;
        boolean progress = false;
        for (int i = 0; i < 40; i++) {
            SSLEngineResult r;
            boolean late;
            try {
                HandshakeStatus hs = engine.getHandshakeStatus();
                late = hs == HandshakeStatus.NOT_HANDSHAKING && (isClient ? clientFinished : serverFinished) > 0;
                if (hs == HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    progress = true;
                    continue;
                } else if (hs == HandshakeStatus.NEED_WRAP) {
                    r = engine.wrap(ByteBuffer.allocate(0), out);
                } else if (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                    if (in.position() == 0 && hs == HandshakeStatus.NEED_UNWRAP || engine.isInboundDone()) {
                        return progress;
                    }
                    in.flip();
                    try {
                        r = engine.unwrap(in, app);
                    } finally {
                        in.compact();
                    }
                    app.clear();
                } else {
                    // not handshaking: still read anything pending (alerts, tickets)
                    if (in.position() == 0 || engine.isInboundDone()) {
                        return progress;
                    }
                    in.flip();
                    try {
                        r = engine.unwrap(in, app);
                    } finally {
                        in.compact();
                    }
                }
            } catch (SSLException e) {
                if (isClient) {
                    if (clientError == null) {
                        clientError = e;
                    }
                } else if (serverError == null) {
                    serverError = e;
                }
                progress = true;
                continue;
            }
            if (isClient) {
                clientWrapped += r.bytesProduced();
            } else {
                serverWrapped += r.bytesProduced();
            }
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                if (late) {
                    if (isClient) {
                        clientFinishedLate++;
                    } else {
                        serverFinishedLate++;
                    }
                } else if (isClient) {
                    clientFinished++;
                } else {
                    serverFinished++;
                }
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && r.getHandshakeStatus() != HandshakeStatus.FINISHED) {
                return progress;
            }
            if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
                return progress;
            }
            progress = true;
        }
        return progress;
    }

    /** Sends {@code data} from one side and returns what the other side received. */
    byte[] send(boolean fromClient, byte[] data) throws SSLException {
        SSLEngine from = fromClient ? client : server;
        SSLEngine to = fromClient ? server : client;
        ByteBuffer wire = ByteBuffer.allocate(data.length + 64 * 1024 + data.length / 8);
        ByteBuffer src = ByteBuffer.wrap(data);
        while (src.hasRemaining()) {
            SSLEngineResult r = from.wrap(src, wire);
            if (r.getStatus() != Status.OK) {
                throw new SSLException("wrap: " + r);
            }
        }
        wire.flip();
        ByteBuffer out = ByteBuffer.allocate(data.length + to.getSession().getApplicationBufferSize());
        while (wire.hasRemaining()) {
            SSLEngineResult r = to.unwrap(wire, out);
            if (r.getStatus() != Status.OK) {
                throw new SSLException("unwrap: " + r);
            }
        }
        out.flip();
        byte[] received = new byte[out.remaining()];
        out.get(received);
        return received;
    }
}
