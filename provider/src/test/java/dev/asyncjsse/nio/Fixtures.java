package dev.asyncjsse.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.PeerPorts;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/** Shared PKI, contexts and loopback sockets for the nio tests. */
final class Fixtures {

    static final TestPki PKI = TestPki.create("nio test CA");
    static final TestPki.Identity LOCALHOST = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");
    static final TestPki.Identity A = PKI.issue(KeyKind.EC_P256, "a.example", "a.example");
    static final TestPki.Identity B = PKI.issue(KeyKind.EC_P256, "b.example", "b.example");
    static final ExecutorService POOL = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "nio-test-offload");
        t.setDaemon(true);
        return t;
    });

    /**
     * Threads for the peers the tests run beside the code under test. Not the common pool: the latency
     * offloader completes through {@code CompletableFuture.delayedExecutor}, which runs on the common
     * pool, and peers blocking in it would starve it (one thread on a 2-CPU machine).
     */
    static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "nio-test-peer");
        t.setDaemon(true);
        return t;
    });

    private Fixtures() {}

    /** An AsyncJSSE server context for {@code id}, with an offloader adding {@code latencyMs} if >= 0. */
    static SSLContext server(TestPki.Identity id, int latencyMs) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        ctx.init(TestPki.keyManagers(id), null, null);
        if (latencyMs >= 0) {
            AsyncJsse.setKeyOffloader(ctx, KeyOffloaders.withLatency(KeyOffloaders.executor(POOL), Duration.ofMillis(latencyMs)));
        }
        return ctx;
    }

    /** A SunJSSE client context trusting the test CA. */
    static SSLContext sunClient() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", "SunJSSE");
        ctx.init(null, PKI.trustManagers(), null);
        return ctx;
    }

    /** An AsyncJSSE client context trusting the test CA. */
    static SSLContext asyncClient() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        ctx.init(null, PKI.trustManagers(), null);
        return ctx;
    }

    static SSLEngine clientEngine(SSLContext ctx, String host, String... protocols) {
        SSLEngine e = ctx.createSSLEngine(host, PeerPorts.next());
        e.setUseClientMode(true);
        if (protocols.length > 0) {
            e.setEnabledProtocols(protocols);
        }
        return e;
    }

    /** A connected pair of blocking socket channels over loopback: [client, server]. */
    static SocketChannel[] socketPair() throws IOException {
        try (ServerSocketChannel ss = ServerSocketChannel.open()) {
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel c = SocketChannel.open(ss.getLocalAddress());
            SocketChannel s = ss.accept();
            return new SocketChannel[] {c, s};
        }
    }

    static ByteBuffer bytes(byte[] b) {
        return ByteBuffer.wrap(b);
    }

    /**
     * Reads {@code channel} to its end on one of {@link #THREADS}; completes with the SHA-256 of what
     * came, after checking that it was {@code expectedBytes} long.
     */
    static CompletableFuture<byte[]> digestOfAllRead(TlsChannel channel, long expectedBytes) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                long count = 0;
                int n;
                while ((n = channel.read(buf)) >= 0) {
                    buf.flip();
                    md.update(buf);
                    buf.clear();
                    count += n;
                }
                assertEquals(expectedBytes, count);
                return md.digest();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, THREADS);
    }

    /** Writes {@code total} seeded pseudo-random bytes in chunks of up to 1 MiB; returns their SHA-256. */
    static byte[] writeRandom(TlsChannel channel, int total, long seed) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Random random = new Random(seed);
        byte[] chunk = new byte[Math.min(total, 1 << 20)];
        for (int sent = 0; sent < total; sent += chunk.length) {
            random.nextBytes(chunk);
            md.update(chunk);
            ByteBuffer b = ByteBuffer.wrap(chunk);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }
        return md.digest();
    }
}
