package dev.asyncjsse.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.examples.compare.Compare;
import dev.asyncjsse.examples.loop.ClassicLoopServer;
import dev.asyncjsse.examples.loop.OffloadAwareLoopServer;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class LoopServersTest {

    static final TestPki.Identity ID = TestPki.selfSigned(KeyKind.EC_P256, "localhost", "localhost");

    static SSLContext asyncContext(int latencyMs) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        ctx.init(TestPki.keyManagers(ID), null, null);
        AsyncJsse.setKeyOffloader(ctx, KeyOffloaders.withLatency(KeyOffloaders.executor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        })), Duration.ofMillis(latencyMs)));
        return ctx;
    }

    static String get(int port, String protocol) throws Exception {
        SSLContext client = SSLContext.getInstance("TLS", "SunJSSE");
        client.init(null, TestPki.trustManagers(ID.certificate()), null);
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), port);
             SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(raw, "localhost", port, true)) {
            raw.setSoTimeout(20_000);
            s.setEnabledProtocols(new String[] {protocol});
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.getInputStream().transferTo(out);
            return out.toString(StandardCharsets.US_ASCII);
        }
    }

    @Test
    void classicLoopWorksUnchangedWithOffload() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (ClassicLoopServer s = new ClassicLoopServer(asyncContext(20), any)) {
            for (String p : List.of("TLSv1.3", "TLSv1.2")) {
                assertTrue(get(s.port(), p).endsWith("hello\n"));
            }
            assertEquals(2, s.handshakes.get());
            // the loop waited for the key: its worst turn is at least the key latency
            assertTrue(s.worstTurnNanos.get() >= Duration.ofMillis(15).toNanos(), "worst turn " + s.worstTurnNanos);
        }
    }

    @Test
    void offloadAwareLoopServes() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (OffloadAwareLoopServer s = new OffloadAwareLoopServer(asyncContext(20), any)) {
            for (String p : List.of("TLSv1.3", "TLSv1.2", "TLSv1.3")) {
                assertTrue(get(s.port(), p).endsWith("hello\n"));
            }
            assertEquals(3, s.handshakes.get());
        }
    }

    @Test
    void compareModeRuns() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Compare.Result> results = new Compare(5, 2, 10, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        assertEquals(3, results.size(), bytes.toString(StandardCharsets.UTF_8));
        for (Compare.Result r : results) {
            assertEquals(10, r.handshakes, r.toString());
            assertEquals(0, r.errors, r.toString());
        }
    }
}
