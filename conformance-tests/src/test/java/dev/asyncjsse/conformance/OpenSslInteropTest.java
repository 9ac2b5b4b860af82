package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.SystemTools;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** AsyncJSSE against real OpenSSL processes over loopback sockets. */
class OpenSslInteropTest {

    static final TestPki PKI = TestPki.create("OpenSSL CA");

    @TempDir
    static Path dir;

    String openssl;

    @BeforeEach
    void needOpenssl() {
        openssl = SystemTools.command("openssl", "openssl");
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static Path chainPem(TestPki.Identity id, String name) throws Exception {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : id.chain) {
            b.append(pem("CERTIFICATE", c.getEncoded()));
        }
        return write(name, b.toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String opensslFlag(String protocol) {
        return protocol.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2";
    }

    /** Collects a process's output on a daemon thread. */
    static StringBuffer collect(Process p) {
        StringBuffer sb = new StringBuffer();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sb.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return sb;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"TLSv1.3,EC_P256", "TLSv1.2,EC_P256", "TLSv1.3,RSA_2048", "TLSv1.2,RSA_2048", "TLSv1.3,ED25519"})
    void asyncClientAgainstOpensslServer(String protocol, KeyKind kind) throws Exception {
        TestPki.Identity id = PKI.issue(kind, "localhost", "localhost");
        Path cert = chainPem(id, "server-" + protocol + kind + ".pem");
        Path key = write("server-" + protocol + kind + ".key", pem("PRIVATE KEY", id.key.getEncoded()));
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(openssl, "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", cert.toString(), "-key", key.toString(), opensslFlag(protocol), "-rev", "-naccept", "1"));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuffer output = collect(server);
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            while (!output.toString().contains("ACCEPT") && System.currentTimeMillis() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertTrue(output.toString().contains("ACCEPT"), "s_server did not start: " + output);
            SSLContext ctx = Tls.async(null, PKI);
            SSLEngine engine = Tls.client(ctx, "localhost", port);
            javax.net.ssl.SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            try (BlockingTls tls = new BlockingTls(engine, socket)) {
                tls.handshake();
                assertEquals(protocol, engine.getSession().getProtocol());
                assertEquals(id.certificate(), engine.getSession().getPeerCertificates()[0]);
                tls.write("hello openssl\n");
                String reply = tls.readUntil("\n");
                assertEquals("lssnepo olleh\n", reply.substring(reply.length() - "lssnepo olleh\n".length()));
                tls.write("second line\n");
                reply = tls.readUntil("enil dnoces");
                assertTrue(reply.contains("enil dnoces"), reply);
            }
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"TLSv1.3,EC_P256", "TLSv1.2,EC_P256", "TLSv1.3,RSA_2048", "TLSv1.2,RSA_2048", "TLSv1.3,ED25519"})
    void opensslClientAgainstAsyncServer(String protocol, KeyKind kind) throws Exception {
        TestPki.Identity id = PKI.issue(kind, "localhost", "localhost");
        Path ca = write("ca-" + protocol + kind + ".pem", pem("CERTIFICATE", PKI.caCertificate().getEncoded()));
        SSLContext ctx = Tls.async(id, null);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(15_000);
            List<String> cmd = List.of(openssl, "s_client", "-connect", "127.0.0.1:" + listener.getLocalPort(),
                    opensslFlag(protocol), "-CAfile", ca.toString(), "-verify_return_error", "-verify_hostname",
                    "localhost", "-servername", "localhost", "-quiet");
            Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            StringBuffer output = collect(client);
            try {
                Socket socket = listener.accept();
                SSLEngine engine = Tls.server(ctx);
                try (BlockingTls tls = new BlockingTls(engine, socket)) {
                    tls.handshake();
                    assertEquals(protocol, engine.getSession().getProtocol());
                    OutputStream stdin = client.getOutputStream();
                    stdin.write("ping from openssl\n".getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                    String got = tls.readUntil("\n");
                    assertEquals("ping from openssl\n", got);
                    tls.write("pong from asyncjsse\n");
                    long deadline = System.currentTimeMillis() + 10_000;
                    while (!output.toString().contains("pong from asyncjsse") && System.currentTimeMillis() < deadline) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                    assertTrue(output.toString().contains("pong from asyncjsse"), "s_client output: " + output);
                }
                assertTrue(client.waitFor(10, TimeUnit.SECONDS), "s_client exits after close_notify: " + output);
                assertTrue(!output.toString().contains("verify error"), output.toString());
            } finally {
                client.destroy();
            }
        }
    }

    /**
     * {@code openssl s_client -servername b.localhost.}: a trailing dot is not allowed in an SNI host
     * name (RFC 6066 section 3). The server refuses it with illegal_parameter, as SunJSSE does, not
     * with internal_error.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"SUN", "ASYNC"})
    void opensslClientWithAServerNameEndingInADot(Tls.Stack stack) throws Exception {
        SSLContext ctx = Tls.context(stack, TestPki.keyManagers(PKI.issue(KeyKind.EC_P256, "localhost", "localhost")), null);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(15_000);
            List<String> cmd = List.of("openssl", "s_client", "-connect", "127.0.0.1:" + listener.getLocalPort(),
                    "-servername", "b.localhost.");
            Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            StringBuffer output = collect(client);
            try {
                Socket socket = listener.accept();
                SSLEngine engine = Tls.server(ctx);
                try (BlockingTls tls = new BlockingTls(engine, socket)) {
                    javax.net.ssl.SSLException refused = org.junit.jupiter.api.Assertions.assertThrows(
                            javax.net.ssl.SSLException.class, tls::handshake);
                    org.junit.jupiter.api.Assertions.assertInstanceOf(javax.net.ssl.SSLProtocolException.class, refused);
                    tls.sendAlert();
                }
                assertTrue(client.waitFor(10, TimeUnit.SECONDS), "s_client exits: " + output);
                long deadline = System.currentTimeMillis() + 10_000;
                while (!output.toString().contains("illegal parameter") && System.currentTimeMillis() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
                assertTrue(output.toString().contains("illegal parameter"), "s_client output: " + output);
                assertTrue(!output.toString().contains("internal error"), output.toString());
            } finally {
                client.destroy();
            }
        }
    }
}
