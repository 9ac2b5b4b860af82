package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.TestPki;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The javax.net.ssl.SSLEngine javadoc, to the letter: argument checks, modes, statuses. AsyncJSSE
 * on both sides (and against SunJSSE where a peer matters).
 */
class EngineApiContractTest {

    static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    static SSLEngine server() throws Exception {
        return Tls.server(Tls.async(RecordTest.SERVER, null));
    }

    static SSLEngine client() throws Exception {
        return Tls.client(Tls.async(null, RecordTest.PKI));
    }

    static SSLEngine unsetMode() throws Exception {
        SSLContext ctx = Tls.async(RecordTest.SERVER, RecordTest.PKI);
        SSLEngine e = ctx.createSSLEngine();
        Tls.assertAsync(ctx, e);
        return e;
    }

    // ---- argument checks: wrap ----

    @Test
    void wrapNullArguments() throws Exception {
        SSLEngine e = client();
        ByteBuffer dst = ByteBuffer.allocate(1 << 15);
        assertThrows(IllegalArgumentException.class, () -> e.wrap((ByteBuffer) null, dst));
        assertThrows(IllegalArgumentException.class, () -> e.wrap(EMPTY, null));
        assertThrows(IllegalArgumentException.class, () -> e.wrap((ByteBuffer[]) null, dst));
        assertThrows(IllegalArgumentException.class, () -> e.wrap((ByteBuffer[]) null, 0, 0, dst));
        assertThrows(IllegalArgumentException.class, () -> e.wrap(new ByteBuffer[] {EMPTY, null}, dst));
        assertThrows(IllegalArgumentException.class, () -> e.wrap(new ByteBuffer[] {EMPTY, null}, 0, 2, dst));
        assertEquals(0, dst.position(), "nothing written by a rejected call");
    }

    @Test
    void wrapReadOnlyDestination() throws Exception {
        SSLEngine e = client();
        assertThrows(ReadOnlyBufferException.class, () -> e.wrap(EMPTY, ByteBuffer.allocate(1 << 15).asReadOnlyBuffer()));
    }

    @Test
    void wrapBadOffsetLength() throws Exception {
        SSLEngine e = client();
        ByteBuffer dst = ByteBuffer.allocate(1 << 15);
        ByteBuffer[] srcs = {EMPTY, EMPTY};
        assertThrows(IndexOutOfBoundsException.class, () -> e.wrap(srcs, -1, 1, dst));
        assertThrows(IndexOutOfBoundsException.class, () -> e.wrap(srcs, 0, 3, dst));
        assertThrows(IndexOutOfBoundsException.class, () -> e.wrap(srcs, 2, 1, dst));
        assertThrows(IndexOutOfBoundsException.class, () -> e.wrap(srcs, 1, -1, dst));
    }

    // ---- argument checks: unwrap ----

    @Test
    void unwrapNullArguments() throws Exception {
        SSLEngine e = server();
        ByteBuffer dst = ByteBuffer.allocate(1 << 15);
        assertThrows(IllegalArgumentException.class, () -> e.unwrap(null, dst));
        assertThrows(IllegalArgumentException.class, () -> e.unwrap(EMPTY, (ByteBuffer) null));
        assertThrows(IllegalArgumentException.class, () -> e.unwrap(EMPTY, (ByteBuffer[]) null));
        assertThrows(IllegalArgumentException.class, () -> e.unwrap(EMPTY, (ByteBuffer[]) null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> e.unwrap(EMPTY, new ByteBuffer[] {dst, null}));
        assertThrows(IllegalArgumentException.class, () -> e.unwrap(EMPTY, new ByteBuffer[] {dst, null}, 0, 2));
    }

    @Test
    void unwrapReadOnlyDestination() throws Exception {
        SSLEngine e = server();
        ByteBuffer ro = ByteBuffer.allocate(1 << 15).asReadOnlyBuffer();
        assertThrows(ReadOnlyBufferException.class, () -> e.unwrap(EMPTY, ro));
        assertThrows(ReadOnlyBufferException.class,
                () -> e.unwrap(EMPTY, new ByteBuffer[] {ByteBuffer.allocate(10), ro}, 0, 2));
    }

    @Test
    void unwrapBadOffsetLength() throws Exception {
        SSLEngine e = server();
        ByteBuffer[] dsts = {ByteBuffer.allocate(10), ByteBuffer.allocate(10)};
        assertThrows(IndexOutOfBoundsException.class, () -> e.unwrap(EMPTY, dsts, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> e.unwrap(EMPTY, dsts, 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> e.unwrap(EMPTY, dsts, 2, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> e.unwrap(EMPTY, dsts, 1, -1));
    }

    // ---- entries outside offset/length, positions and limits ----

    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void entriesOutsideRangeUntouched(String protocol) throws Exception {
        Loop loop = asyncPair(protocol);
        SSLEngine c = loop.client;
        SSLEngine s = loop.server;
        ByteBuffer outsideSrc = ByteBuffer.wrap(new byte[] {9, 9, 9});
        ByteBuffer data = ByteBuffer.wrap("inside".getBytes());
        // null and read-only entries outside the range are allowed and never looked at
        ByteBuffer[] srcs = {null, outsideSrc, data, null};
        ByteBuffer wire = ByteBuffer.allocate(1 << 15);
        SSLEngineResult r = c.wrap(srcs, 2, 1, wire);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(6, r.bytesConsumed());
        assertEquals(0, outsideSrc.position());
        wire.flip();
        ByteBuffer before = ByteBuffer.allocate(16);
        ByteBuffer target = ByteBuffer.allocate(s.getSession().getApplicationBufferSize());
        ByteBuffer after = ByteBuffer.allocate(16).asReadOnlyBuffer();
        ByteBuffer[] dsts = {null, before, target, after, null};
        r = s.unwrap(wire, dsts, 2, 1);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(6, r.bytesProduced());
        assertEquals(0, before.position());
        assertEquals(6, target.position());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void positionsAndLimitsHonoured(String protocol) throws Exception {
        Loop loop = asyncPair(protocol);
        byte[] bytes = new byte[100];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        ByteBuffer src = ByteBuffer.wrap(bytes);
        src.position(10).limit(30);
        ByteBuffer wire = ByteBuffer.allocate(1 << 15);
        wire.position(7);
        SSLEngineResult r = loop.client.wrap(src, wire);
        assertEquals(20, r.bytesConsumed());
        assertEquals(30, src.position());
        assertEquals(30, src.limit());
        assertEquals(7 + r.bytesProduced(), wire.position());
        wire.flip();
        wire.position(7);
        ByteBuffer dst = ByteBuffer.allocate(s(loop).getSession().getApplicationBufferSize() + 50);
        dst.position(13);
        r = loop.server.unwrap(wire, dst);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(20, r.bytesProduced());
        assertEquals(33, dst.position());
        byte[] got = new byte[20];
        dst.flip();
        dst.position(13);
        dst.get(got);
        for (int i = 0; i < 20; i++) {
            assertEquals(bytes[10 + i], got[i]);
        }
        // several sources, gathered in order
        ByteBuffer a = ByteBuffer.wrap(new byte[] {1, 2, 3});
        ByteBuffer b = ByteBuffer.wrap(new byte[] {4, 5});
        wire = ByteBuffer.allocate(1 << 15);
        r = loop.client.wrap(new ByteBuffer[] {a, b}, wire);
        assertEquals(5, r.bytesConsumed());
        wire.flip();
        ByteBuffer d1 = ByteBuffer.allocate(2);
        ByteBuffer d2 = ByteBuffer.allocate(s(loop).getSession().getApplicationBufferSize());
        r = loop.server.unwrap(wire, new ByteBuffer[] {d1, d2});
        assertEquals(Status.OK, r.getStatus());
        assertEquals(5, r.bytesProduced());
        assertArrayEquals(new byte[] {1, 2}, d1.array());
        assertEquals(3, d2.position());
    }

    private static SSLEngine s(Loop l) {
        return l.server;
    }

    static Loop asyncPair(String protocol) throws Exception {
        SSLEngine s = server();
        SSLEngine c = client();
        c.setEnabledProtocols(new String[] {protocol});
        Loop loop = new Loop(c, s).handshake();
        loop.pump();
        return loop;
    }

    /** Without a KeyOffloader the engine is a plain synchronous engine: status UNSUPPORTED, nothing pending, no tasks. */
    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void synchronousWithoutOffloader(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = RecordTest.connected(asyncIsServer, protocol);
        dev.asyncjsse.AsyncSSLEngine async = (dev.asyncjsse.AsyncSSLEngine) (asyncIsServer ? loop.server : loop.client);
        assertEquals(dev.asyncjsse.AsyncStatus.UNSUPPORTED, async.getAsyncStatus());
        assertEquals(false, async.isOffloadPending());
        assertEquals(null, async.getDelegatedTask());
        SSLEngineResult r = async.wrap(ByteBuffer.wrap(new byte[5]), ByteBuffer.allocate(1 << 15));
        assertEquals(false, dev.asyncjsse.AsyncSSLEngine.isOffloadPending(r));
    }

    // ---- modes ----

    @Test
    void modeNotSet() throws Exception {
        assertThrows(IllegalStateException.class, () -> unsetMode().beginHandshake());
        assertThrows(IllegalStateException.class, () -> unsetMode().wrap(EMPTY, ByteBuffer.allocate(1 << 15)));
        assertThrows(IllegalStateException.class, () -> unsetMode().unwrap(EMPTY, ByteBuffer.allocate(1 << 15)));
    }

    @Test
    void modeChangeAfterHandshakeBegan() throws Exception {
        SSLEngine c = client();
        c.beginHandshake();
        assertThrows(IllegalArgumentException.class, () -> c.setUseClientMode(false));
        SSLEngine s = server();
        s.beginHandshake();
        assertThrows(IllegalArgumentException.class, () -> s.setUseClientMode(true));
        SSLEngine w = client();
        w.wrap(EMPTY, ByteBuffer.allocate(1 << 15)); // a wrap begins the handshake too
        assertThrows(IllegalArgumentException.class, () -> w.setUseClientMode(false));
    }

    @Test
    void modeChangeBeforeHandshakeAllowed() throws Exception {
        SSLEngine e = client();
        e.setUseClientMode(false);
        assertEquals(false, e.getUseClientMode());
        e.setUseClientMode(true);
        assertEquals(true, e.getUseClientMode());
    }

    // ---- statuses ----

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void finishedExactlyOnce(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = RecordTest.connected(asyncIsServer, protocol);
        assertEquals(1, loop.clientFinished, "client FINISHED count");
        assertEquals(1, loop.serverFinished, "server FINISHED count");
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, loop.client.getHandshakeStatus());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, loop.server.getHandshakeStatus());
        loop.send(true, new byte[] {1});
        loop.send(false, new byte[] {2});
        loop.pump();
        assertEquals(1, loop.clientFinished + loop.serverFinished - 1, "no FINISHED after the handshake");
        // the JDK's client says FINISHED again for a TLS 1.3 ticket it reads; AsyncJSSE's engine never does
        assertEquals(0, asyncIsServer ? loop.serverFinishedLate : loop.clientFinishedLate, "AsyncJSSE's FINISHED after the handshake");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"TLSv1.3", "TLSv1.2"})
    void needWrapAfterFatalAlertUntilSent(String protocol) throws Exception {
        SSLEngine c = Tls.client(Tls.async(null, HandshakeFailureTest.OTHER)); // trusts nothing the server has
        SSLEngine s = Tls.server(Tls.context(Tls.Stack.SUN, TestPki.keyManagers(RecordTest.SERVER), null));
        c.setEnabledProtocols(new String[] {protocol});
        ByteBuffer c2s = ByteBuffer.allocate(1 << 17);
        ByteBuffer s2c = ByteBuffer.allocate(1 << 17);
        SSLHandshakeException failure = null;
        c.beginHandshake();
        s.beginHandshake();
        for (int i = 0; i < 20 && failure == null; i++) {
            drive(c == null ? null : s, c2s, s2c);
            try {
                drive(c, s2c, c2s);
            } catch (SSLHandshakeException e) {
                failure = e;
            }
        }
        assertTrue(failure != null, "client rejected the untrusted certificate");
        assertEquals(HandshakeStatus.NEED_WRAP, c.getHandshakeStatus(), "alert still to send");
        ByteBuffer alert = ByteBuffer.allocate(1 << 15);
        SSLEngineResult r = c.wrap(EMPTY, alert);
        assertTrue(r.bytesProduced() > 0, "alert produced");
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(c.isOutboundDone());
        assertSame(HandshakeStatus.NOT_HANDSHAKING, c.getHandshakeStatus());
    }

    /** The SunJSSE peer asks for a TLS 1.2 renegotiation: an answer, never a hang. */
    @ParameterizedTest(name = "async server={0}")
    @CsvSource({"true", "false"})
    void peerRequestsRenegotiation(boolean asyncIsServer) throws Exception {
        Loop loop = RecordTest.connected(asyncIsServer, "TLSv1.2");
        SSLEngine peer = asyncIsServer ? loop.client : loop.server;
        peer.beginHandshake();
        long start = System.nanoTime();
        loop.pump();
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "no hang");
        // AsyncJSSE refuses with a no_renegotiation warning; SunJSSE treats the refusal as fatal
        SSLException asyncError = asyncIsServer ? loop.serverError : loop.clientError;
        SSLException peerError = asyncIsServer ? loop.clientError : loop.serverError;
        Failures.assertPeerSawAlert(peerError, "SunJSSE peer", "no_renegotiation");
        Failures.assertPeerSawAlert(asyncError, "AsyncJSSE", "handshake_failure");
        assertTrue((asyncIsServer ? loop.server : loop.client).isOutboundDone(), "AsyncJSSE closed after the fatal alert");
    }

    /** Runs {@code e} until it needs input it does not have. */
    static void drive(SSLEngine e, ByteBuffer in, ByteBuffer out) throws SSLException {
        ByteBuffer app = ByteBuffer.allocate(1 << 17);
        for (int i = 0; i < 30; i++) {
            HandshakeStatus hs = e.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                Runnable t;
                while ((t = e.getDelegatedTask()) != null) {
                    t.run();
                }
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                if (e.wrap(EMPTY, out).bytesProduced() == 0) {
                    return;
                }
            } else if (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                in.flip();
                SSLEngineResult r;
                try {
                    r = e.unwrap(in, app);
                } finally {
                    in.compact();
                }
                if (r.bytesConsumed() == 0 && r.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    /** beginHandshake() on an established connection: a documented SSLException or a working handshake; never a hang or a silent close. */
    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void beginHandshakeAfterHandshake(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = RecordTest.connected(asyncIsServer, protocol);
        SSLEngine async = asyncIsServer ? loop.server : loop.client;
        try {
            async.beginHandshake();
        } catch (SSLException documented) {
            assertTrue(documented.getMessage() != null && !documented.getMessage().isEmpty());
            assertTrue(documented.getMessage().contains("renegotiat"), documented.getMessage());
            // the refusal leaves the connection as it was
            byte[] data = "still open".getBytes();
            assertArrayEquals(data, loop.send(true, data));
            assertArrayEquals(data, loop.send(false, data));
            return;
        }
        loop.pump();
        assertEquals(null, loop.clientError, "client");
        assertEquals(null, loop.serverError, "server");
        assertTrue(!loop.client.isOutboundDone() && !loop.server.isOutboundDone(), "connection still open");
        byte[] data = "after".getBytes();
        assertArrayEquals(data, loop.send(true, data));
        assertArrayEquals(data, loop.send(false, data));
    }
}
