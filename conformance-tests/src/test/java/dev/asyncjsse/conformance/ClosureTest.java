package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** close_notify in both directions, isInboundDone/isOutboundDone, truncation. */
class ClosureTest {

    static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Wraps everything {@code from} has to send into a buffer and returns it flipped. */
    static ByteBuffer drainWrap(SSLEngine from) throws SSLException {
        ByteBuffer wire = ByteBuffer.allocate(from.getSession().getPacketBufferSize() * 2);
        for (int i = 0; i < 10; i++) {
            SSLEngineResult r = from.wrap(EMPTY, wire);
            if (r.bytesProduced() == 0) {
                break;
            }
        }
        wire.flip();
        return wire;
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void asyncClosesFirst(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = RecordTest.connected(asyncIsServer, protocol);
        SSLEngine async = asyncIsServer ? loop.server : loop.client;
        SSLEngine peer = asyncIsServer ? loop.client : loop.server;
        assertFalse(async.isOutboundDone());
        assertFalse(async.isInboundDone());

        async.closeOutbound();
        assertEquals(HandshakeStatus.NEED_WRAP, async.getHandshakeStatus(), "close_notify to send");
        ByteBuffer wire = ByteBuffer.allocate(async.getSession().getPacketBufferSize());
        SSLEngineResult r = async.wrap(ByteBuffer.wrap(new byte[10]), wire);
        assertEquals(Status.CLOSED, r.getStatus());
        assertEquals(0, r.bytesConsumed(), "no application data after closeOutbound");
        assertTrue(r.bytesProduced() > 0, "close_notify produced");
        assertTrue(async.isOutboundDone());
        r = async.wrap(EMPTY, wire);
        assertEquals(Status.CLOSED, r.getStatus());
        assertEquals(0, r.bytesProduced(), "close_notify only once");

        wire.flip();
        ByteBuffer app = ByteBuffer.allocate(peer.getSession().getApplicationBufferSize());
        r = peer.unwrap(wire, app);
        assertEquals(Status.CLOSED, r.getStatus(), "peer sees CLOSED");
        assertTrue(peer.isInboundDone());

        // the peer answers with its own close_notify; AsyncJSSE sees CLOSED too
        peer.closeOutbound();
        ByteBuffer back = drainWrap(peer);
        assertTrue(back.hasRemaining(), "peer close_notify");
        r = async.unwrap(back, ByteBuffer.allocate(async.getSession().getApplicationBufferSize()));
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(async.isInboundDone());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, async.getHandshakeStatus());
        async.closeInbound(); // after close_notify: no truncation
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void peerClosesFirst(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = RecordTest.connected(asyncIsServer, protocol);
        SSLEngine async = asyncIsServer ? loop.server : loop.client;
        SSLEngine peer = asyncIsServer ? loop.client : loop.server;
        peer.closeOutbound();
        ByteBuffer wire = drainWrap(peer);
        SSLEngineResult r = async.unwrap(wire, ByteBuffer.allocate(async.getSession().getApplicationBufferSize()));
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(async.isInboundDone());
        if (asyncIsServer && protocol.equals("TLSv1.3") && dev.asyncjsse.offload.OffloadSettings.nativeTls13()) {
            // the native engine keeps TLS 1.3's half close, as SunJSSE does unless
            // jdk.tls.acknowledgeCloseNotify is set: the application closes its side when it is done
            assertFalse(async.isOutboundDone());
            assertEquals(HandshakeStatus.NOT_HANDSHAKING, async.getHandshakeStatus());
            async.closeOutbound();
        }
        // AsyncJSSE answers with close_notify (a duplex close, as SunJSSE does in TLS 1.2) and is then outbound-done
        ByteBuffer back = drainWrap(async);
        assertTrue(back.hasRemaining(), "close_notify in reply");
        assertTrue(async.isOutboundDone());
        r = peer.unwrap(back, ByteBuffer.allocate(peer.getSession().getApplicationBufferSize()));
        assertEquals(Status.CLOSED, r.getStatus());
        assertTrue(peer.isInboundDone());
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void truncationReportedByCloseInbound(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = RecordTest.connected(asyncIsServer, protocol);
        SSLEngine async = asyncIsServer ? loop.server : loop.client;
        SSLException e = assertThrows(SSLException.class, async::closeInbound);
        assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("close_notify")
                || String.valueOf(e.getMessage()).toLowerCase().contains("truncat"), e.getMessage());
        assertTrue(async.isInboundDone());
        // and the engine then closes: a fatal alert or close_notify is wrapped, then CLOSED
        ByteBuffer wire = drainWrap(async);
        assertTrue(async.isOutboundDone());
        assertEquals(Status.CLOSED, async.wrap(EMPTY, ByteBuffer.allocate(1 << 15)).getStatus());
        assertTrue(wire.remaining() >= 0);
    }

    @ParameterizedTest(name = "async server={0}")
    @CsvSource({"true", "false"})
    void closeBeforeHandshake(boolean asyncIsServer) throws Exception {
        SSLEngine async = asyncIsServer
                ? Tls.server(Tls.async(RecordTest.SERVER, null))
                : Tls.client(Tls.async(null, RecordTest.PKI));
        async.closeOutbound();
        assertTrue(async.isOutboundDone() || async.getHandshakeStatus() == HandshakeStatus.NEED_WRAP);
        drainWrap(async);
        assertTrue(async.isOutboundDone());
        async.closeInbound(); // nothing received yet: no truncation to report
        assertTrue(async.isInboundDone());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, async.getHandshakeStatus());
    }
}
