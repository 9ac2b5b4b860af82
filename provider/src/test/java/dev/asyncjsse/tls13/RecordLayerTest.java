package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.util.Random;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The native engine's record layer through every {@code SSLEngineResult} case the JDK's engine
 * produces, with heap, direct and offset buffers, gathering and scattering, several and partial records.
 */
class RecordLayerTest {

    private TestFront server;
    private SSLEngine client;

    @BeforeEach
    void connect() throws Throwable {
        server = new TestFront(NativeHandshakeTest.CONTEXT, NativeHandshakeTest.serverParameters(),
                b -> b.keyManager(Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))));
        client = Peers.client(NativeHandshakeTest.clientContext(Peers.Client.SUNJSSE), Peers.Client.SUNJSSE, null, null, null);
        new EnginePair(client, server).handshake();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** {@code n} bytes sent by the client, as records on the wire. */
    private ByteBuffer clientRecords(byte[] data) throws Exception {
        // the JDK's engine wants a whole packet buffer of room for every wrap
        ByteBuffer wire = ByteBuffer.allocate(2 * (data.length + client.getSession().getPacketBufferSize()));
        ByteBuffer src = ByteBuffer.wrap(data);
        while (src.hasRemaining()) {
            assertEquals(Status.OK, client.wrap(src, wire).getStatus());
        }
        wire.flip();
        return wire;
    }

    private static int firstRecordLength(ByteBuffer wire) {
        return 5 + (((wire.get(wire.position() + 3) & 0xff) << 8) | (wire.get(wire.position() + 4) & 0xff));
    }

    @Test
    void partialRecordsAreUnderflowAndNothingIsConsumed() throws Exception {
        ByteBuffer wire = clientRecords(random(1000));
        for (int cut : new int[] {0, 3, 5, wire.remaining() - 1}) {
            ByteBuffer part = wire.duplicate();
            part.limit(part.position() + cut);
            SSLEngineResult r = server.unwrap(part, ByteBuffer.allocate(20000));
            assertEquals(Status.BUFFER_UNDERFLOW, r.getStatus(), "cut at " + cut);
            assertEquals(0, r.bytesConsumed());
            assertEquals(0, part.position());
        }
        ByteBuffer app = ByteBuffer.allocate(20000);
        SSLEngineResult r = server.unwrap(wire, app);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(1000, r.bytesProduced());
    }

    @Test
    void oneRecordPerUnwrapWhenSeveralArrive() throws Exception {
        byte[] a = random(100);
        byte[] b = random(200);
        ByteBuffer wire = ByteBuffer.allocate(2000);
        wire.put(clientRecords(a)).put(clientRecords(b)).flip();
        int first = firstRecordLength(wire);
        ByteBuffer app = ByteBuffer.allocate(20000);
        SSLEngineResult r = server.unwrap(wire, app);
        assertEquals(first, r.bytesConsumed());
        assertEquals(100, r.bytesProduced());
        r = server.unwrap(wire, app);
        assertEquals(200, r.bytesProduced());
        assertEquals(0, wire.remaining());
        app.flip();
        byte[] got = new byte[300];
        app.get(got);
        assertArrayEquals(a, java.util.Arrays.copyOf(got, 100));
    }

    @Test
    void aDestinationTooSmallForTheRecordIsOverflow() throws Exception {
        ByteBuffer wire = clientRecords(random(16000));
        assertTrue(firstRecordLength(wire) >= 16000 + 5 + 1 + 16, "one record (the JDK's client pads it)");
        SSLEngineResult r = server.unwrap(wire, ByteBuffer.allocate(15000));
        assertEquals(Status.BUFFER_OVERFLOW, r.getStatus());
        assertEquals(0, r.bytesConsumed());
        // a record's content may fill the buffer exactly when the bound (record minus header and tag) fits
        r = server.unwrap(wire, ByteBuffer.allocate(firstRecordLength(wire) - 5 - 16));
        assertEquals(Status.OK, r.getStatus());
        assertEquals(16000, r.bytesProduced());
    }

    @Test
    void wrapIntoASmallDestinationIsOverflowAndBigDataBecomesSeveralRecords() throws Exception {
        SSLEngineResult r = server.wrap(ByteBuffer.wrap(random(100)), ByteBuffer.allocate(50));
        assertEquals(Status.BUFFER_OVERFLOW, r.getStatus());
        assertEquals(0, r.bytesConsumed());
        byte[] data = random(40000);
        ByteBuffer wire = ByteBuffer.allocate(50000);
        r = server.wrap(ByteBuffer.wrap(data), wire);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(40000, r.bytesConsumed());
        assertEquals(40000 + 3 * 22, r.bytesProduced(), "three records of at most 2^14 bytes");
        wire.flip();
        ByteBuffer app = ByteBuffer.allocate(50000);
        while (wire.hasRemaining()) {
            assertEquals(Status.OK, client.unwrap(wire, app).getStatus());
        }
        assertArrayEquals(data, java.util.Arrays.copyOf(app.array(), app.position()));
    }

    @Test
    void anEstablishedConnectionHoldsNoPlaintextBufferOfItsOwn() throws Exception {
        assertEquals(0, server.engine.heldBufferBytes(), "the handshake's buffer went with the handshake");
        ByteBuffer app = ByteBuffer.allocate(17 * 1024);
        SSLEngineResult r = server.unwrap(clientRecords(random(5000)), app);
        assertEquals(5000, r.bytesProduced());
        assertEquals(0, server.engine.heldBufferBytes(), "a record opened in the caller's buffer needs none");

        // scattered over buffers each smaller than the record: one buffer, of about the record's size
        ByteBuffer[] dsts = {ByteBuffer.allocate(1100), ByteBuffer.allocate(1100), ByteBuffer.allocate(1100)};
        r = server.unwrap(clientRecords(random(3000)), dsts);
        assertEquals(3000, r.bytesProduced());
        int held = server.engine.heldBufferBytes();
        assertTrue(held >= 3000 && held < 4096, "holds " + held + " bytes for a 3000-byte record");
    }

    @Test
    void gatherFromMixedBuffersAndScatterIntoSeveral() throws Exception {
        byte[] data = random(30000);
        ByteBuffer heap = ByteBuffer.wrap(data, 0, 10000);
        ByteBuffer direct = ByteBuffer.allocateDirect(10000);
        direct.put(data, 10000, 10000).flip();
        ByteBuffer backing = ByteBuffer.allocate(10100);
        backing.position(100);
        ByteBuffer slice = backing.slice();
        slice.put(data, 20000, 10000).flip();
        ByteBuffer wire = ByteBuffer.allocateDirect(40000);
        SSLEngineResult r = server.wrap(new ByteBuffer[] {heap, direct, slice}, wire);
        assertEquals(30000, r.bytesConsumed());
        wire.flip();

        ByteBuffer back = ByteBuffer.allocate(40000);
        while (wire.hasRemaining()) {
            client.unwrap(wire, back);
        }
        assertArrayEquals(data, java.util.Arrays.copyOf(back.array(), back.position()));

        // the client's records scattered over three small buffers on the server
        ByteBuffer in = clientRecords(java.util.Arrays.copyOf(data, 9000));
        ByteBuffer[] dsts = {ByteBuffer.allocate(3000), ByteBuffer.allocateDirect(3000), ByteBuffer.allocate(4000)};
        r = server.unwrap(in, dsts);
        assertEquals(9000, r.bytesProduced());
        byte[] got = new byte[9000];
        int at = 0;
        for (ByteBuffer d : dsts) {
            d.flip();
            int n = d.remaining();
            d.get(got, at, n);
            at += n;
        }
        assertArrayEquals(java.util.Arrays.copyOf(data, 9000), got);
    }

    @Test
    void directBuffersBothWays() throws Exception {
        byte[] data = random(16384);
        ByteBuffer in = ByteBuffer.allocateDirect(20000);
        in.put(clientRecords(data)).flip();
        ByteBuffer app = ByteBuffer.allocateDirect(40000);
        while (in.hasRemaining()) {
            assertEquals(Status.OK, server.unwrap(in, app).getStatus());
        }
        assertEquals(16384, app.position());
        app.flip();
        SSLEngineResult r;
        ByteBuffer wire = ByteBuffer.allocateDirect(20000);
        r = server.wrap(app, wire);
        assertEquals(16384, r.bytesConsumed());
        wire.flip();
        ByteBuffer back = ByteBuffer.allocate(20000);
        client.unwrap(wire, back);
        assertArrayEquals(data, java.util.Arrays.copyOf(back.array(), back.position()));
    }

    @Test
    void paddingAndEmptyRecordsAreAccepted() throws Exception {
        TestFront s = new TestFront(NativeHandshakeTest.CONTEXT, NativeHandshakeTest.serverParameters(),
                b -> b.keyManager(Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))));
        ScriptedClient c = new ScriptedClient();
        ByteBuffer app = ByteBuffer.allocate(20000);
        s.unwrap(ByteBuffer.wrap(c.send(ScriptedClient.Hello.standard(c))), app);
        ByteBuffer flight = ByteBuffer.allocate(20000);
        s.wrap(ByteBuffer.allocate(0), flight);
        flight.flip();
        c.receiveFlight(flight);
        // the Finished itself comes with 200 bytes of padding (section 5.4)
        SSLEngineResult r = s.unwrap(ByteBuffer.wrap(c.handshakeRecord(22, c.finishedMessage(), 200)), app);
        assertEquals(SSLEngineResult.HandshakeStatus.FINISHED, r.getHandshakeStatus());
        r = s.unwrap(ByteBuffer.wrap(c.applicationRecord(23, new byte[] {1, 2, 3}, RecordCipher.MAX_PADDING)), app);
        assertEquals(3, r.bytesProduced());
        r = s.unwrap(ByteBuffer.wrap(c.applicationRecord(23, new byte[0], 0)), app);
        assertEquals(Status.OK, r.getStatus());
        assertEquals(0, r.bytesProduced());
        assertTrue(r.bytesConsumed() > 0);
    }
}
