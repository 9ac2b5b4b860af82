package dev.asyncjsse.buffered;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.PeerPorts;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AsyncSSLEngine#beginHandshake(ByteBuffer)}: byte-exact used counts and leftovers, then a
 * handshake that completes from the stashed bytes.
 */
@Timeout(60)
class BufferedHandshakeTest {

    static final TestPki PKI = TestPki.create("buffered CA");
    static final TestPki.Identity ID = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");
    static final byte[] GARBAGE = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    static SSLContext serverContext(int latencyMs) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        ctx.init(TestPki.keyManagers(ID), null, null);
        if (latencyMs >= 0) {
            AsyncJsse.setKeyOffloader(ctx, KeyOffloaders.withLatency(KeyOffloaders.executor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
            })), Duration.ofMillis(latencyMs)));
        }
        return ctx;
    }

    private static SSLContext sunClientContext;

    static synchronized SSLEngine sunClient(String protocol) throws Exception {
        if (sunClientContext == null) {
            sunClientContext = SSLContext.getInstance("TLS", "SunJSSE");
            sunClientContext.init(null, PKI.trustManagers(), null);
        }
        SSLEngine c = sunClientContext.createSSLEngine("localhost", PeerPorts.next());
        c.setUseClientMode(true);
        if (protocol != null) {
            c.setEnabledProtocols(new String[] {protocol});
        }
        return c;
    }

    static AsyncSSLEngine asyncServer(SSLContext ctx) {
        AsyncSSLEngine s = (AsyncSSLEngine) ctx.createSSLEngine();
        s.setUseClientMode(false);
        return s;
    }

    /** The client's first flight: the bytes of its first wrap. */
    static byte[] clientHello(SSLEngine client) throws SSLException {
        ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        SSLEngineResult r = client.wrap(ByteBuffer.allocate(0), out);
        assertEquals(SSLEngineResult.Status.OK, r.getStatus());
        return Arrays.copyOf(out.array(), out.position());
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Re-frames the handshake payload of the single record {@code record} into records cut at {@code cuts}. */
    static byte[] refragment(byte[] record, int... cuts) {
        byte[] payload = Arrays.copyOfRange(record, 5, record.length);
        ByteBuffer out = ByteBuffer.allocate(payload.length + 5 * (cuts.length + 1));
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : payload.length;
            out.put((byte) 22).put(record[1]).put(record[2]).putShort((short) (to - from)).put(payload, from, to - from);
            from = to;
        }
        return out.array();
    }

    /**
     * Drives both engines in memory until both finished; {@code c2s} already holds bytes for the
     * server (fill mode). Delegated tasks run inline (they wait for a pending offload).
     */
    static void complete(SSLEngine client, SSLEngine server, ByteBuffer c2s) throws Exception {
        ByteBuffer s2c = ByteBuffer.allocate(1 << 16);
        ByteBuffer app = ByteBuffer.allocate(1 << 17);
        for (int round = 0; round < 400; round++) {
            boolean clientDone = step(client, s2c, c2s, app);
            boolean serverDone = step(server, c2s, s2c, app);
            if (clientDone && serverDone && c2s.position() == 0 && s2c.position() == 0) {
                return;
            }
        }
        throw new AssertionError("no handshake: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
    }

    private static boolean step(SSLEngine e, ByteBuffer in, ByteBuffer out, ByteBuffer app) throws SSLException {
        for (int i = 0; i < 20; i++) {
            HandshakeStatus hs = e.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK:
                    Runnable t;
                    while ((t = e.getDelegatedTask()) != null) {
                        t.run();
                    }
                    break;
                case NEED_WRAP:
                    e.wrap(ByteBuffer.allocate(0), out);
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    if (!unwrap(e, in, app)) {
                        return false;
                    }
                    break;
                default:
                    // after the handshake, too: post-handshake messages (a TLS 1.3 NewSessionTicket) are read
                    if (in.position() == 0 || e.isInboundDone() || !unwrap(e, in, app)) {
                        return true;
                    }
            }
        }
        return false;
    }

    /** Unwraps what {@code in} (fill mode) holds; false on BUFFER_UNDERFLOW. */
    private static boolean unwrap(SSLEngine e, ByteBuffer in, ByteBuffer app) throws SSLException {
        in.flip();
        SSLEngineResult r = e.unwrap(in, app);
        in.compact();
        return r.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW;
    }

    static void assertApplicationData(SSLEngine client, SSLEngine server) throws SSLException {
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        client.wrap(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), wire);
        wire.flip();
        ByteBuffer app = ByteBuffer.allocate(1 << 17);
        while (wire.hasRemaining()) {
            server.unwrap(wire, app);
        }
        app.flip();
        byte[] got = new byte[app.remaining()];
        app.get(got);
        assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), got);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void helloThenGarbageUsesExactlyTheHello(String protocol) throws Exception {
        SSLEngine client = sunClient(protocol);
        AsyncSSLEngine server = asyncServer(serverContext(-1));
        byte[] hello = clientHello(client);
        ByteBuffer buffered = ByteBuffer.wrap(concat(hello, GARBAGE));
        assertEquals(hello.length, server.beginHandshake(buffered));
        assertEquals(hello.length, buffered.position());
        assertEquals(hello.length + GARBAGE.length, buffered.limit());
        byte[] left = new byte[buffered.remaining()];
        buffered.duplicate().get(left);
        assertArrayEquals(GARBAGE, left);
        complete(client, server, ByteBuffer.allocate(1 << 16));
        assertEquals(protocol, server.getSession().getProtocol());
        assertApplicationData(client, server);
    }

    @Test
    void positionOffsetAndLimitAreRespected() throws Exception {
        SSLEngine client = sunClient(null);
        AsyncSSLEngine server = asyncServer(serverContext(-1));
        byte[] hello = clientHello(client);
        byte[] framed = concat(new byte[] {9, 9, 9}, hello, GARBAGE);
        ByteBuffer buffered = ByteBuffer.wrap(framed);
        buffered.position(3).limit(3 + hello.length + 4); // "GET " visible, the rest beyond the limit
        assertEquals(hello.length, server.beginHandshake(buffered));
        assertEquals(3 + hello.length, buffered.position());
        assertEquals(3 + hello.length + 4, buffered.limit());
        complete(client, server, ByteBuffer.allocate(1 << 16));
    }

    /**
     * Every split point: the used count is always exact; the server's flight is checked at every
     * fourth split and a whole handshake at every 37th and at the edges (a server flight costs a
     * signature, and this test should stay fast).
     */
    @Test
    void everySplitPointOfTheHello() throws Exception {
        SSLContext ctx = serverContext(-1);
        SSLEngine recorder = sunClient(null);
        int length = clientHello(recorder).length;
        for (int split = 0; split <= length; split++) {
            SSLEngine client = sunClient(null);
            byte[] hello = clientHello(client);
            assertEquals(length, hello.length);
            AsyncSSLEngine server = asyncServer(ctx);
            ByteBuffer first = ByteBuffer.wrap(hello, 0, split);
            assertEquals(split, server.beginHandshake(first), "split " + split);
            assertEquals(split, first.position());
            ByteBuffer c2s = ByteBuffer.allocate(1 << 16);
            c2s.put(hello, split, hello.length - split);
            boolean edge = split < 6 || split > length - 3;
            if (split % 37 == 0 || edge) {
                complete(client, server, c2s);
                assertEquals(HandshakeStatus.NOT_HANDSHAKING, server.getHandshakeStatus(), "split " + split);
            } else if (split % 4 == 0) {
                // the rest of the hello goes through unwrap; the server must answer with its flight
                c2s.flip();
                server.unwrap(c2s, ByteBuffer.allocate(1 << 17));
                assertEquals(0, c2s.remaining(), "split " + split);
                ByteBuffer flight = ByteBuffer.allocate(1 << 16);
                server.wrap(ByteBuffer.allocate(0), flight);
                assertTrue(flight.position() > 0, "split " + split);
                assertEquals(22, flight.get(0), "split " + split);
            }
        }
    }

    @Test
    void severalRecordsThenApplicationData() throws Exception {
        SSLEngine client = sunClient(null);
        AsyncSSLEngine server = asyncServer(serverContext(-1));
        byte[] hello = clientHello(client);
        byte[] three = refragment(hello, 10, 200);
        assertEquals(hello.length + 10, three.length);
        byte[] appRecord = {23, 3, 3, 0, 3, 1, 2, 3};
        ByteBuffer buffered = ByteBuffer.wrap(concat(three, appRecord));
        assertEquals(three.length, server.beginHandshake(buffered));
        byte[] left = new byte[buffered.remaining()];
        buffered.get(left);
        assertArrayEquals(appRecord, left);
        complete(client, server, ByteBuffer.allocate(1 << 16));
        assertApplicationData(client, server);
    }

    @Test
    void severalRecordsEndingInAPartialOne() throws Exception {
        SSLEngine client = sunClient(null);
        AsyncSSLEngine server = asyncServer(serverContext(-1));
        byte[] hello = clientHello(client);
        byte[] three = refragment(hello, 10, 200);
        int cut = 15 + 200 - 10 + 7; // inside the third record's payload
        ByteBuffer buffered = ByteBuffer.wrap(three, 0, cut);
        assertEquals(cut, server.beginHandshake(buffered));
        assertEquals(cut, buffered.position());
        ByteBuffer c2s = ByteBuffer.allocate(1 << 16);
        c2s.put(three, cut, three.length - cut);
        complete(client, server, c2s);
    }

    @Test
    void nothingBufferedAndNothingTls() throws Exception {
        AsyncSSLEngine server = asyncServer(serverContext(-1));
        assertEquals(0, server.beginHandshake(ByteBuffer.allocate(0)));
        ByteBuffer plain = ByteBuffer.wrap(GARBAGE);
        assertEquals(0, server.beginHandshake(plain));
        assertEquals(0, plain.position());
        SSLEngine client = sunClient(null);
        ByteBuffer c2s = ByteBuffer.allocate(1 << 16);
        c2s.put(clientHello(client));
        complete(client, server, c2s);
    }

    @Test
    void clientModeTakesTheServersBufferedFlight() throws Exception {
        SSLContext clientCtx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        clientCtx.init(null, PKI.trustManagers(), null);
        AsyncSSLEngine client = (AsyncSSLEngine) clientCtx.createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        assertEquals(0, client.beginHandshake(ByteBuffer.allocate(0)));
        byte[] hello = clientHello(client);
        assertEquals(22, hello[0]);
        SSLContext sunServerCtx = SSLContext.getInstance("TLS", "SunJSSE");
        sunServerCtx.init(TestPki.keyManagers(ID), null, null);
        SSLEngine server = sunServerCtx.createSSLEngine();
        server.setUseClientMode(false);
        ByteBuffer in = ByteBuffer.wrap(hello);
        ByteBuffer flight = ByteBuffer.allocate(1 << 16);
        for (int i = 0; i < 20 && server.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP || in.hasRemaining(); i++) {
            switch (server.getHandshakeStatus()) {
                case NEED_TASK:
                    server.getDelegatedTask().run();
                    break;
                case NEED_WRAP:
                    server.wrap(ByteBuffer.allocate(0), flight);
                    break;
                default:
                    server.unwrap(in, ByteBuffer.allocate(1 << 17));
            }
        }
        int flightLength = flight.position();
        assertTrue(flightLength > 0);
        byte[] buffered = concat(Arrays.copyOf(flight.array(), flightLength), GARBAGE);
        ByteBuffer b = ByteBuffer.wrap(buffered);
        // the server's flight may end with encrypted records (TLS 1.3 application_data type); only the
        // leading handshake-phase records are taken
        int used = client.beginHandshake(b);
        assertEquals(used, b.position());
        assertTrue(used > 0 && used <= flightLength, "used " + used + " of " + flightLength);
        ByteBuffer c2s = ByteBuffer.allocate(1 << 16);
        ByteBuffer rest = ByteBuffer.allocate(1 << 16);
        rest.put(buffered, used, flightLength - used);
        complete(client, server, c2s, rest);
    }

    /** Like {@link #complete(SSLEngine, SSLEngine, ByteBuffer)} with bytes already on the way to the client. */
    static void complete(SSLEngine client, SSLEngine server, ByteBuffer c2s, ByteBuffer s2c) throws Exception {
        ByteBuffer app = ByteBuffer.allocate(1 << 17);
        for (int round = 0; round < 400; round++) {
            boolean clientDone = step(client, s2c, c2s, app);
            boolean serverDone = step(server, c2s, s2c, app);
            if (clientDone && serverDone && c2s.position() == 0 && s2c.position() == 0) {
                return;
            }
        }
        throw new AssertionError("no handshake: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
    }

    @Test
    void bufferedHelloWithOffloadPending() throws Exception {
        SSLEngine client = sunClient(null);
        AsyncSSLEngine server = asyncServer(serverContext(100));
        Semaphore woken = new Semaphore(0);
        server.setOffloadCallback((e, arg) -> woken.release(), null);
        byte[] hello = clientHello(client);
        ByteBuffer buffered = ByteBuffer.wrap(concat(hello, GARBAGE));
        assertEquals(hello.length, server.beginHandshake(buffered));
        SSLEngineResult r = server.unwrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 17));
        assertTrue(AsyncSSLEngine.isOffloadPending(r), String.valueOf(r));
        assertEquals(0, r.bytesConsumed());
        assertTrue(server.isOffloadPending());
        // more buffered bytes while pending: nothing TLS in them, nothing taken
        ByteBuffer more = ByteBuffer.wrap(GARBAGE);
        assertEquals(0, server.beginHandshake(more));
        assertEquals(0, more.position());
        assertTrue(woken.tryAcquire(10, TimeUnit.SECONDS), "no offload callback");
        complete(client, server, ByteBuffer.allocate(1 << 16));
        assertApplicationData(client, server);
    }
}
