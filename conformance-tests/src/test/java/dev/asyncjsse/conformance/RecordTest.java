package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Application data records: sizes, BUFFER_OVERFLOW, BUFFER_UNDERFLOW, buffer sizes. */
class RecordTest {

    static final TestPki PKI = TestPki.create("Record CA");
    static final TestPki.Identity SERVER = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");

    static Loop connected(boolean asyncIsServer, String protocol) throws Exception {
        SSLContext s = Tls.context(asyncIsServer ? Stack.ASYNC : Stack.SUN, TestPki.keyManagers(SERVER), null);
        SSLContext c = Tls.context(asyncIsServer ? Stack.SUN : Stack.ASYNC, null, PKI.trustManagers());
        SSLEngine se = Tls.server(s);
        SSLEngine ce = Tls.client(c);
        Tls.assertAsync(asyncIsServer ? se : ce);
        ce.setEnabledProtocols(new String[] {protocol});
        Loop loop = new Loop(ce, se).handshake();
        loop.pump(); // deliver post-handshake messages (TLS 1.3 tickets)
        return loop;
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void sizesBothWays(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = connected(asyncIsServer, protocol);
        for (int n : new int[] {1, 2, 100, 16383, 16384, 16385, 65536, 100_000, 1 << 20}) {
            byte[] data = random(n);
            assertArrayEquals(data, loop.send(true, data), "client->server " + n);
            assertArrayEquals(data, loop.send(false, data), "server->client " + n);
        }
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void bufferOverflowThenRecover(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = connected(asyncIsServer, protocol);
        SSLEngine async = asyncIsServer ? loop.server : loop.client;
        SSLEngine peer = asyncIsServer ? loop.client : loop.server;
        byte[] data = random(10_000);

        // wrap into a too-small destination
        ByteBuffer tiny = ByteBuffer.allocate(10);
        ByteBuffer src = ByteBuffer.wrap(data);
        SSLEngineResult r = async.wrap(src, tiny);
        assertEquals(Status.BUFFER_OVERFLOW, r.getStatus());
        assertEquals(0, r.bytesConsumed());
        assertEquals(0, r.bytesProduced());
        assertEquals(0, src.position());
        assertEquals(0, tiny.position());

        // unwrap into a too-small destination
        ByteBuffer wire = ByteBuffer.allocate(peer.getSession().getPacketBufferSize());
        r = peer.wrap(ByteBuffer.wrap(data), wire);
        assertEquals(Status.OK, r.getStatus());
        wire.flip();
        int recordLength = wire.remaining();
        ByteBuffer small = ByteBuffer.allocate(100);
        r = async.unwrap(wire, small);
        assertEquals(Status.BUFFER_OVERFLOW, r.getStatus());
        assertEquals(0, r.bytesConsumed());
        assertEquals(0, r.bytesProduced());
        assertEquals(0, wire.position());
        assertEquals(0, small.position());
        // recover as the javadoc says: a destination of getApplicationBufferSize()
        ByteBuffer big = ByteBuffer.allocate(async.getSession().getApplicationBufferSize());
        r = async.unwrap(wire, big);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(recordLength, r.bytesConsumed());
        assertEquals(data.length, r.bytesProduced());
        big.flip();
        byte[] got = new byte[big.remaining()];
        big.get(got);
        assertArrayEquals(data, got);
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void bufferUnderflowOneByteAtATime(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = connected(asyncIsServer, protocol);
        SSLEngine async = asyncIsServer ? loop.server : loop.client;
        SSLEngine peer = asyncIsServer ? loop.client : loop.server;
        byte[] data = random(3000);
        ByteBuffer wire = ByteBuffer.allocate(peer.getSession().getPacketBufferSize());
        peer.wrap(ByteBuffer.wrap(data), wire);
        wire.flip();
        byte[] record = new byte[wire.remaining()];
        wire.get(record);

        ByteBuffer in = ByteBuffer.allocate(record.length);
        ByteBuffer out = ByteBuffer.allocate(async.getSession().getApplicationBufferSize());
        int underflows = 0;
        for (int i = 0; i < record.length; i++) {
            in.put(record[i]);
            in.flip();
            SSLEngineResult r = async.unwrap(in, out);
            if (i < record.length - 1) {
                assertEquals(Status.BUFFER_UNDERFLOW, r.getStatus(), "after " + (i + 1) + " bytes");
                assertEquals(0, r.bytesConsumed());
                assertEquals(0, r.bytesProduced());
                assertEquals(0, in.position(), "nothing consumed on underflow");
                underflows++;
            } else {
                assertEquals(Status.OK, r.getStatus());
                assertEquals(record.length, r.bytesConsumed());
                assertEquals(data.length, r.bytesProduced());
            }
            in.compact();
        }
        assertEquals(record.length - 1, underflows);
        out.flip();
        byte[] got = new byte[out.remaining()];
        out.get(got);
        assertArrayEquals(data, got);
    }

    @ParameterizedTest(name = "async server={0} {1}")
    @CsvSource({"true,TLSv1.3", "true,TLSv1.2", "false,TLSv1.3", "false,TLSv1.2"})
    void bufferSizesHonoured(boolean asyncIsServer, String protocol) throws Exception {
        Loop loop = connected(asyncIsServer, protocol);
        SSLEngine async = asyncIsServer ? loop.server : loop.client;
        SSLEngine peer = asyncIsServer ? loop.client : loop.server;
        int packet = async.getSession().getPacketBufferSize();
        int app = async.getSession().getApplicationBufferSize();
        assertTrue(packet >= 16384 + 5, "packet buffer " + packet);
        assertTrue(app >= 16384, "application buffer " + app);
        // a full application buffer wraps into one packet buffer, record by record
        ByteBuffer src = ByteBuffer.wrap(random(app));
        ByteBuffer wire = ByteBuffer.allocate(packet);
        while (src.hasRemaining()) {
            wire.clear();
            SSLEngineResult r = async.wrap(src, wire);
            assertEquals(Status.OK, r.getStatus());
            assertTrue(r.bytesProduced() <= packet);
            wire.flip();
            ByteBuffer dst = ByteBuffer.allocate(peer.getSession().getApplicationBufferSize());
            assertEquals(Status.OK, peer.unwrap(wire, dst).getStatus());
        }
        // the largest record the peer makes unwraps into getApplicationBufferSize()
        ByteBuffer big = ByteBuffer.allocate(peer.getSession().getPacketBufferSize());
        int taken = peer.wrap(ByteBuffer.wrap(random(16384)), big).bytesConsumed();
        big.flip();
        assertTrue(big.remaining() <= packet, "peer record " + big.remaining() + " > " + packet);
        ByteBuffer dst = ByteBuffer.allocate(app);
        SSLEngineResult r = async.unwrap(big, dst);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(taken, r.bytesProduced());
    }
}
