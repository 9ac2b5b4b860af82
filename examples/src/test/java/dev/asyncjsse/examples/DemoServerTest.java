package dev.asyncjsse.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.SystemTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo server against real clients: curl and openssl s_client. */
@Timeout(60)
class DemoServerTest {

    static DemoServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        DemoServer.Options o = DemoServer.Options.parse("--port", "0", "--offload-latency-ms", "5", "--quiet");
        server = DemoServer.start(o);
        base = "127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }


    static String run(String stdin, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + Arrays.toString(command));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), Arrays.toString(command) + " failed:\n" + text);
        return text;
    }

    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SystemTools.command("curl", "curl"), "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return run(null, cmd.toArray(new String[0]));
    }

    @Test
    void curlTls13() throws Exception {
        String page = curl("-k", "--tlsv1.3", "https://" + base + "/");
        assertTrue(page.contains("protocol:        TLSv1.3"), page);
        assertTrue(page.contains("key offload:     5 ms"), page);
    }

    @Test
    void curlTls12() throws Exception {
        String page = curl("-k", "--tlsv1.2", "--tls-max", "1.2", "https://" + base + "/");
        assertTrue(page.contains("protocol:        TLSv1.2"), page);
    }

    @Test
    void curlEcho() throws Exception {
        assertEquals("hello, echo", curl("-k", "-d", "hello, echo", "https://" + base + "/echo"));
    }

    @Test
    void curlPlainHttpOnTheUnifiedPort() throws Exception {
        String page = curl("http://" + base + "/");
        assertTrue(page.contains("plain HTTP on the unified port"), page);
        assertEquals("plain echo", curl("-d", "plain echo", "http://" + base + "/echo"));
    }

    @Test
    void curlSniPicksTheCertificate() throws Exception {
        int port = server.port();
        String page = curl("-k", "--resolve", "b.localhost:" + port + ":127.0.0.1", "https://b.localhost:" + port + "/");
        assertTrue(page.contains("SNI host name:   b.localhost"), page);
        assertTrue(page.contains("certificate:     CN=b.localhost"), page);
    }

    @Test
    void opensslServerNameRouting() throws Exception {
        String openssl = SystemTools.command("openssl", "openssl");
        for (String host : List.of("a.localhost", "b.localhost")) {
            String out = run("", openssl, "s_client", "-connect", base, "-servername", host);
            assertTrue(out.contains("subject=CN = " + host) || out.contains("subject=CN=" + host), out);
        }
        String tls12 = run("", openssl, "s_client", "-connect", base, "-servername", "a.localhost", "-tls1_2");
        assertTrue(tls12.contains("TLSv1.2"), tls12);
    }

    /** While a handshake waits 800 ms for its key, the same loop answers plain HTTP at once. */
    @Test
    void theLoopKeepsServingWhileAKeyOperationIsPending() throws Exception {
        try (DemoServer slow = DemoServer.start(DemoServer.Options.parse("--port", "0", "--offload-latency-ms", "800", "--quiet"))) {
            java.util.concurrent.CompletableFuture<String> tls = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return DemoClient.fetch("127.0.0.1", slow.port(), "a.localhost", "GET", "/", null);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, java.util.concurrent.Executors.newSingleThreadExecutor());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (slow.offloadPauses.get() == 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertEquals(1, slow.offloadPauses.get(), "the handshake never paused for its key");
            long start = System.nanoTime();
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", slow.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String page = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(page.contains("plain HTTP on the unified port"), page);
            }
            long plainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(0, slow.handshakes.get(), "the TLS handshake should still be waiting for its key");
            assertTrue(plainMs < 700, "plain HTTP took " + plainMs + " ms");
            assertTrue(tls.get(20, TimeUnit.SECONDS).contains("certificate:     CN=a.localhost"));
            assertEquals(1, slow.handshakes.get());
        }
    }

    @Test
    void nioDemoClient() throws Exception {
        String page = DemoClient.fetch("127.0.0.1", server.port(), "b.localhost", "GET", "/", null);
        assertTrue(page.startsWith("HTTP/1.1 200 OK"), page);
        assertTrue(page.contains("certificate:     CN=b.localhost"), page);
        String echo = DemoClient.fetch("127.0.0.1", server.port(), null, "POST", "/echo", "over nio".getBytes(StandardCharsets.UTF_8));
        assertTrue(echo.endsWith("\r\n\r\nover nio"), echo);
    }

    /** Clients that hang up mid-handshake or send junk do not disturb the loop. */
    @Test
    void brokenClientsDoNotDisturbTheLoop() throws Exception {
        byte[][] openings = {
            {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00}, // the start of a ClientHello, then EOF
            {0x16, 0x03, 0x01, 0x00, 0x00},             // an empty handshake record: malformed
            {0x16, 0x05},                               // 0x16 but not TLS
            "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), // half a plain request
        };
        for (byte[] opening : openings) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
                s.getOutputStream().write(opening);
                s.getOutputStream().flush();
                s.shutdownOutput();
                s.setSoTimeout(10_000);
                byte[] answer = s.getInputStream().readAllBytes(); // the server closes (or answers with an alert)
                if (opening.length == 5) {
                    // malformed ClientHello: a plaintext fatal decode_error alert, then the close
                    assertEquals(Arrays.toString(new byte[] {21, 3, 3, 0, 2, 2, 50}), Arrays.toString(answer));
                }
            }
        }
        // and the server still serves, over TLS from Java too
        try (javax.net.ssl.SSLSocket s = trustingClientSocket(server.port())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String page = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(page.startsWith("HTTP/1.1 200 OK"), page);
            assertTrue(page.contains("protocol:        TLSv1.3"), page);
        }
    }

    /** A SunJSSE client socket that trusts the demo's self-signed certificates, with a 10 s read timeout. */
    static javax.net.ssl.SSLSocket trustingClientSocket(int port) throws Exception {
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS", "SunJSSE");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }

    /** The demo speaks HTTP/1.1 only, and says so in ALPN. */
    @Test
    void negotiatesAlpnHttp11() throws Exception {
        try (javax.net.ssl.SSLSocket s = trustingClientSocket(server.port())) {
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            assertEquals("http/1.1", s.getApplicationProtocol());
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String page = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(page.contains("ALPN:            http/1.1 (client offered [h2, http/1.1])"), page);
        }
    }

    /** Junk that is neither TLS nor HTTP, and a request too large to take, get one log line each. */
    @Test
    void junkAndRefusedRequestsAreLoggedOnce() throws Exception {
        java.util.Queue<String> lines = new java.util.concurrent.ConcurrentLinkedQueue<>();
        DemoServer.Options o = DemoServer.Options.parse("--port", "0", "--no-offload");
        o.log = lines::add;
        try (DemoServer logging = DemoServer.start(o)) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", logging.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(new byte[] {'\n', 'h', 'e', 'l', 'l', 'o', 0});
                assertEquals(-1, s.getInputStream().read(), "the server closes at once");
            }
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", logging.port())) {
                s.setSoTimeout(10_000);
                // exactly the server's 64 KiB buffer and no end of headers: it reads it all, so its close
                // after the 413 is an orderly one, not a reset that could swallow the answer
                byte[] huge = new byte[64 * 1024];
                Arrays.fill(huge, (byte) 'a');
                byte[] start = "POST /echo HTTP/1.1\r\nX: ".getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(start, 0, huge, 0, start.length);
                s.getOutputStream().write(huge);
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lines.size() < 2 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            List<String> all = new ArrayList<>(lines);
            assertEquals(2, all.size(), all::toString);
            assertTrue(all.get(0).matches("not TLS or HTTP from /127\\.0\\.0\\.1:\\d+ \\(first bytes 0a 68 65 6c 6c 6f 00\\): closed"), all::toString);
            assertTrue(all.get(1).matches("refused /127\\.0\\.0\\.1:\\d+: request larger than 64 KiB -> 413"), all::toString);
        }
    }

    @Test
    void optionsAreCheckedAndExplained() {
        assertTrue(DemoServer.Options.parse("--help").help);
        assertEquals(9443, DemoServer.Options.parse("--port=9443").port);
        assertEquals(-1, DemoServer.Options.parse("--no-offload").offloadLatencyMs);
        assertEquals(0, DemoServer.Options.parse("--offload-latency-ms", "0").offloadLatencyMs);
        assertOptionError("--offload-latency-ms must be from 0 to 600000, not -5 (--no-offload turns offload off)",
                "--offload-latency-ms", "-5");
        assertOptionError("--no-offload and --offload-latency-ms contradict each other: choose one",
                "--no-offload", "--offload-latency-ms", "5");
        assertOptionError("--port needs a whole number, not 'eighty'", "--port", "eighty");
        assertOptionError("--port must be from 0 to 65535, not 70000", "--port", "70000");
        assertOptionError("--port needs a value", "--port");
        assertOptionError("unknown argument '--colour'", "--colour");
        assertOptionError("--port is given twice", "--port", "9443", "--port=9444");

        DemoServer.Options compare = DemoServer.Options.parse("compare", "--clients", "4", "--handshakes=50", "--offload-latency-ms", "2");
        assertTrue(compare.compare);
        assertEquals(4, compare.clients);
        assertEquals(50, compare.handshakes);
        assertEquals(2, compare.offloadLatencyMs);
        assertOptionError("compare takes --offload-latency-ms, --clients and --handshakes, not --port", "compare", "--port", "9443");
        assertOptionError("--clients must be from 1 to 10000, not 0", "compare", "--clients", "0");
        assertOptionError("--handshakes needs a whole number, not 'many'", "compare", "--handshakes", "many");
        assertOptionError("--clients is an option of compare: ./demo.sh compare --clients N", "--clients", "4");
    }

    private static void assertOptionError(String message, String... args) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DemoServer.Options.parse(args));
        assertEquals(message, e.getMessage());
    }

    /** What a user sees from the real command: usage on --help, one line and status 2 on a bad argument. */
    @Test
    void theCommandLineExitsCleanly() throws Exception {
        Process help = demoProcess("--help");
        assertEquals(0, help.waitFor());
        String usage = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(usage.startsWith("usage: ./demo.sh"), usage);

        Process bad = demoProcess("--offload-latency-ms", "-5");
        assertEquals(2, bad.waitFor());
        String err = new String(bad.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("demo: --offload-latency-ms must be from 0 to 600000, not -5 (--no-offload turns offload off)"
                + " (--help lists the options)", err.strip());
        assertEquals(0, bad.getInputStream().readAllBytes().length);

        Process badCompare = demoProcess("compare", "--clients", "0");
        assertEquals(2, badCompare.waitFor());
        assertEquals("demo: --clients must be from 1 to 10000, not 0 (--help lists the options)",
                new String(badCompare.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        assertEquals(0, badCompare.getInputStream().readAllBytes().length);

        Process unknownHost = demoProcess("--host", "no-such-host.invalid", "--port", "0");
        assertEquals(2, unknownHost.waitFor());
        assertEquals("demo: --host 'no-such-host.invalid' is not an address or a name this machine resolves (--help lists the options)",
                new String(unknownHost.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip());

        Process taken = demoProcess("--port", String.valueOf(server.port()));
        assertEquals(1, taken.waitFor());
        String busy = new String(taken.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(busy.startsWith("demo: cannot listen on 127.0.0.1:" + server.port() + ": "), busy);
        assertEquals(1, busy.lines().count(), busy);
    }

    private static Process demoProcess(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DemoServer.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    @Test
    void manyConcurrentCurlsWhileOffloadIsOn() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SystemTools.command("curl", "curl"), "-sS", "-k", "--max-time", "20", "--parallel", "--parallel-max", "16"));
        for (int i = 0; i < 32; i++) {
            cmd.add("-o");
            cmd.add("/dev/null");
            cmd.add("https://" + base + "/");
        }
        long before = server.handshakes.get();
        run(null, cmd.toArray(new String[0]));
        assertTrue(server.handshakes.get() - before >= 32, "handshakes " + (server.handshakes.get() - before));
        assertTrue(server.offloadPauses.get() > 0);
    }
}
