package dev.asyncjsse.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class TlsChannelBlockingTest {

    static byte[] readFully(TlsChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("EOF after " + b.position() + " of " + n);
            }
        }
        return b.array();
    }

    static void writeFully(TlsChannel ch, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @ParameterizedTest(name = "{0} latency={1} asyncClient={2}")
    @CsvSource({"TLSv1.3,-1,false", "TLSv1.2,-1,false", "TLSv1.3,0,false", "TLSv1.3,20,false", "TLSv1.2,20,false",
            "TLSv1.3,20,true", "TLSv1.2,-1,true"})
    @SuppressWarnings("try") // closes a resource inside its try on purpose
    void handshakeEchoAndOrderlyClose(String protocol, int latency, boolean asyncClient) throws Exception {
        SSLContext serverCtx = Fixtures.server(Fixtures.LOCALHOST, latency);
        SSLContext clientCtx = asyncClient ? Fixtures.asyncClient() : Fixtures.sunClient();
        SocketChannel[] pair = Fixtures.socketPair();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(clientCtx, "localhost", protocol)).build();
             TlsChannel server = TlsChannel.server(pair[1], serverCtx).build()) {
            CompletableFuture<byte[]> serverSide = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] got = readFully(server, 5);
                    writeFully(server, ("echo:" + new String(got, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
                    // the client half-closes: we read -1, then may still answer (TLS 1.3) or just close
                    ByteBuffer rest = ByteBuffer.allocate(10);
                    assertEquals(-1, server.read(rest));
                    assertTrue(server.receivedCloseNotify());
                    server.close();
                    return got;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            writeFully(client, "hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals("echo:hello", new String(readFully(client, 10), StandardCharsets.US_ASCII));
            assertEquals(protocol, client.session().getProtocol());
            client.shutdownOutput();
            assertThrows(ClosedChannelException.class, () -> client.write(ByteBuffer.wrap(new byte[1])));
            assertEquals(-1, client.read(ByteBuffer.allocate(10)));
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), serverSide.get(20, TimeUnit.SECONDS));
            assertTrue(server.isHandshakeComplete());
        }
    }

    /** The channel's half close with engines that allow it (SunJSSE, TLS 1.3) on both sides. */
    @Test
    void halfCloseTls13ServerKeepsSending() throws Exception {
        SSLContext serverCtx = SSLContext.getInstance("TLS", "SunJSSE");
        serverCtx.init(dev.asyncjsse.testkit.TestPki.keyManagers(Fixtures.LOCALHOST), null, null);
        halfCloseKeepsSending(serverCtx);
    }

    /** The native TLS 1.3 engine keeps the half close open as the JDK's engine does. */
    @Test
    void halfCloseAgainstNativeServerKeepsSending() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.asyncjsse.offload.OffloadSettings.nativeTls13(),
                "the BCJSSE path answers a close_notify at once");
        halfCloseKeepsSending(Fixtures.server(Fixtures.LOCALHOST, -1));
    }

    private static void halfCloseKeepsSending(SSLContext serverCtx) throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost", "TLSv1.3")).build();
             TlsChannel server = TlsChannel.server(pair[1], serverCtx).build()) {
            CompletableFuture<Void> serverSide = CompletableFuture.runAsync(() -> {
                try {
                    byte[] req = readFully(server, 3);
                    assertEquals(-1, server.read(ByteBuffer.allocate(1)));
                    writeFully(server, req); // answer after the client's close_notify
                    server.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            writeFully(client, new byte[] {1, 2, 3});
            client.shutdownOutput();
            assertArrayEquals(new byte[] {1, 2, 3}, readFully(client, 3));
            assertEquals(-1, client.read(ByteBuffer.allocate(1)));
            assertTrue(client.receivedCloseNotify());
            serverSide.get(20, TimeUnit.SECONDS);
        }
    }

    /**
     * BCJSSE answers a close_notify with its own at once, also in TLS 1.3, so an AsyncJSSE server on
     * the BCJSSE path cannot keep sending after the client's half close: the client reads the
     * server's close_notify. (The native engine keeps TLS 1.3's half close, as the JDK's engine: see
     * the next test.)
     */
    @Test
    void halfCloseAgainstAsyncServerEndsBothDirections() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.asyncjsse.offload.OffloadSettings.nativeTls13(),
                "the native TLS 1.3 engine keeps the half close open");
        SSLContext serverCtx = Fixtures.server(Fixtures.LOCALHOST, -1);
        SocketChannel[] pair = Fixtures.socketPair();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost", "TLSv1.3")).build();
             TlsChannel server = TlsChannel.server(pair[1], serverCtx).build()) {
            CompletableFuture<Integer> serverSide = CompletableFuture.supplyAsync(() -> {
                try {
                    readFully(server, 3);
                    return server.read(ByteBuffer.allocate(1));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            writeFully(client, new byte[] {1, 2, 3});
            client.shutdownOutput();
            assertEquals(-1, serverSide.get(20, TimeUnit.SECONDS));
            assertEquals(-1, client.read(ByteBuffer.allocate(1)));
        }
    }

    @ParameterizedTest(name = "{0} latency={1}")
    @CsvSource({"TLSv1.3,-1", "TLSv1.2,5"})
    void largeTransferCheckedByDigest(String protocol, int latency) throws Exception {
        final int total = 64 << 20;
        SSLContext serverCtx = Fixtures.server(Fixtures.LOCALHOST, latency);
        SocketChannel[] pair = Fixtures.socketPair();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost", protocol)).build();
             TlsChannel server = TlsChannel.server(pair[1], serverCtx).build()) {
            CompletableFuture<byte[]> received = Fixtures.digestOfAllRead(server, total);
            byte[] sent = Fixtures.writeRandom(client, total, 42);
            client.shutdownOutput();
            assertArrayEquals(sent, received.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void sniRoutesToTheContextOfTheHostName() throws Exception {
        SSLContext a = Fixtures.server(Fixtures.A, 0);
        SSLContext b = Fixtures.server(Fixtures.B, 0);
        for (String host : List.of("a.example", "b.example")) {
            SocketChannel[] pair = Fixtures.socketPair();
            try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), host)).build();
                 TlsChannel server = TlsChannel.server(pair[1], hello -> ("b.example".equals(hello.serverName()) ? b : a).createSSLEngine()).build()) {
                CompletableFuture<Void> s = CompletableFuture.runAsync(() -> {
                    try {
                        server.handshake();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, Fixtures.THREADS);
                client.handshake();
                s.get(20, TimeUnit.SECONDS);
                X509Certificate peer = (X509Certificate) client.session().getPeerCertificates()[0];
                assertEquals("CN=" + host, peer.getSubjectX500Principal().getName());
                assertNotNull(server.clientHello());
                assertEquals(List.of(host), server.clientHello().serverNames());
            }
        }
    }

    @Test
    @SuppressWarnings("try") // closes a resource inside its try on purpose
    void refusedServerNameFailsTheHandshake() throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "nobody.example")).build();
             TlsChannel server = TlsChannel.server(pair[1], hello -> null).build()) {
            CompletableFuture<Void> c = CompletableFuture.runAsync(() -> {
                try {
                    client.handshake();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            SSLException e = assertThrows(SSLException.class, server::handshake);
            assertTrue(e.getMessage().contains("nobody.example"), e.getMessage());
            server.close();
            java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> c.get(20, TimeUnit.SECONDS));
            assertTrue(String.valueOf(failed.getCause()).contains("unrecognized_name"), String.valueOf(failed.getCause()));
        }
    }

    /**
     * A first flight the server refuses before it has an engine gets the alert an AsyncJSSE engine
     * would send for it ({@link ClientHello#alert()}), not one alert for everything.
     */
    @ParameterizedTest(name = "{0}: alert {2}")
    @CsvSource({"empty handshake record,1603010000,50", "a ServerHello first,160301000402000000,10",
                "a record over 2^14 bytes,1603014001,22", "a record version that is not TLS,1602,70"})
    void aRefusedFirstFlightGetsTheAlertAnEngineSends(String what, String hex, int alert) throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        try (SocketChannel client = pair[0];
             TlsChannel server = TlsChannel.server(pair[1], Fixtures.server(Fixtures.LOCALHOST, -1)).build()) {
            client.write(ByteBuffer.wrap(java.util.HexFormat.of().parseHex(hex)));
            assertThrows(SSLException.class, server::handshake);
            ByteBuffer answer = ByteBuffer.allocate(7);
            while (answer.hasRemaining() && client.read(answer) >= 0) {
                // a blocking read: the alert is written before handshake() throws
            }
            assertArrayEquals(new byte[] {21, 3, 3, 0, 2, 2, (byte) alert}, answer.array(), what);
        }
    }

    @ParameterizedTest(name = "sniffed {0} bytes")
    @CsvSource({"1", "5", "100", "-1"})
    void serverStartsWithSniffedBytes(int sniff) throws Exception {
        SSLContext serverCtx = Fixtures.server(Fixtures.LOCALHOST, 0);
        SocketChannel[] pair = Fixtures.socketPair();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost")).build()) {
            CompletableFuture<byte[]> c = CompletableFuture.supplyAsync(() -> {
                try {
                    writeFully(client, "ping".getBytes(StandardCharsets.US_ASCII));
                    return readFully(client, 4);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            ByteBuffer sniffed = ByteBuffer.allocate(sniff < 0 ? 20_000 : sniff);
            // sniff like a port-unifying server: at least one byte, at most the buffer
            while (sniffed.position() == 0 || (sniff > 0 && sniffed.hasRemaining())) {
                pair[1].read(sniffed);
            }
            sniffed.flip();
            assertEquals(0x16, sniffed.get(0));
            int sniffedCount = sniffed.remaining();
            try (TlsChannel server = TlsChannel.server(pair[1], serverCtx).initialBytes(sniffed).build()) {
                assertEquals(0, sniffed.remaining());
                assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), readFully(server, 4));
                assertTrue(server.bufferedHandshakeUsed() >= sniffedCount, "used " + server.bufferedHandshakeUsed());
                writeFully(server, "pong".getBytes(StandardCharsets.US_ASCII));
                assertArrayEquals("pong".getBytes(StandardCharsets.US_ASCII), c.get(20, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void peerDisconnectsAfterPartOfTheClientHello() throws Exception {
        SSLContext serverCtx = Fixtures.server(Fixtures.LOCALHOST, 0);
        SocketChannel[] pair = Fixtures.socketPair();
        byte[] hello = ExplorerFixtures.recordedClientHello();
        pair[0].write(ByteBuffer.wrap(hello, 0, 40));
        pair[0].close();
        try (TlsChannel server = TlsChannel.server(pair[1], serverCtx).build()) {
            EOFException e = assertThrows(EOFException.class, server::handshake);
            assertTrue(e.getMessage().contains("before a complete ClientHello"), e.getMessage());
        }
    }

    @Test
    void peerDisconnectsAfterTheClientHello() throws Exception {
        SSLContext serverCtx = Fixtures.server(Fixtures.LOCALHOST, 20);
        SocketChannel[] pair = Fixtures.socketPair();
        pair[0].write(ByteBuffer.wrap(ExplorerFixtures.recordedClientHello()));
        pair[0].close();
        try (TlsChannel server = TlsChannel.server(pair[1], serverCtx).build()) {
            IOException e = assertThrows(IOException.class, server::handshake);
            assertFalse(server.isHandshakeComplete(), String.valueOf(e));
        }
    }

    @Test
    void clientSeesEofWhenServerClosesMidHandshake() throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost")).build()) {
            ByteBuffer b = ByteBuffer.allocate(100);
            CompletableFuture<Void> s = CompletableFuture.runAsync(() -> {
                try {
                    pair[1].read(b); // part of the ClientHello, then hang up
                    pair[1].close();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            // EOF, or a reset because the server closed with our bytes unread: both are IOExceptions
            assertThrows(IOException.class, client::handshake);
            s.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeBeforeAnythingAndTwice() throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        TlsChannel server = TlsChannel.server(pair[1], Fixtures.server(Fixtures.LOCALHOST, -1)).build();
        server.close();
        server.close();
        assertFalse(server.isOpen());
        assertFalse(pair[1].isOpen());
        assertThrows(ClosedChannelException.class, () -> server.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> server.write(ByteBuffer.allocate(1)));
        assertEquals(-1, pair[0].read(ByteBuffer.allocate(1)));
        pair[0].close();
    }

    @Test
    void closeAfterHandshakeSendsCloseNotify() throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost")).build()) {
            TlsChannel server = TlsChannel.server(pair[1], Fixtures.server(Fixtures.LOCALHOST, -1)).build();
            CompletableFuture<Void> s = CompletableFuture.runAsync(() -> {
                try {
                    server.handshake();
                    server.close();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            client.handshake();
            s.get(20, TimeUnit.SECONDS);
            assertEquals(-1, client.read(ByteBuffer.allocate(10)));
            assertTrue(client.receivedCloseNotify());
        }
    }
}
