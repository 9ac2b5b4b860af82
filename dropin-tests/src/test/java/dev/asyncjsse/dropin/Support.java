package dev.asyncjsse.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.SystemTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/** Helpers shared by the drop-in tests: files, clients (JDK HttpClient, curl) and child JVMs. */
final class Support {

    private Support() {}

    /** A fresh directory under target/. */
    static Path workDir(String name) {
        Path target = Paths.get(System.getProperty("dropin.target", "target"));
        Path dir = target.resolve("dropin").resolve(name);
        deleteTree(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.toAbsolutePath();
    }

    /** A directory under target/dropin that is not wiped. */
    static Path workDirKeep(String name) {
        Path dir = Paths.get(System.getProperty("dropin.target", "target")).resolve("dropin").resolve(name);
        try {
            return Files.createDirectories(dir).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pem(Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    static Path writePem(Path file, Certificate... certs) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Certificate c : certs) {
            sb.append(pem(c));
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    static Path writeStore(Path file, KeyStore store, char[] password) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }

    static KeyStore trustStore(Certificate... anchors) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        for (int i = 0; i < anchors.length; i++) {
            ts.setCertificateEntry("ca" + i, anchors[i]);
        }
        return ts;
    }

    /** A SunJSSE client context trusting {@code anchors}: the clients never use AsyncJSSE. */
    static SSLContext sunClientContext(Certificate... anchors) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX", "SunJSSE");
        tmf.init(trustStore(anchors));
        SSLContext ctx = SSLContext.getInstance("TLS", "SunJSSE");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** GET with the JDK HttpClient (SunJSSE), on a new client context so that nothing is resumed. */
    static HttpResponse<String> httpGet(URI uri, String protocol, Certificate... anchors) throws Exception {
        SSLParameters params = new SSLParameters();
        params.setProtocols(new String[] {protocol});
        HttpClient client = HttpClient.newBuilder()
                .sslContext(sunClientContext(anchors))
                .sslParameters(params)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), () -> "status of " + uri);
        assertTrue(response.sslSession().isPresent());
        assertEquals(protocol, response.sslSession().get().getProtocol());
        return response;
    }

    /** {@code n} GETs at once, each on its own client context (a full handshake each); returns the bodies. */
    static List<String> parallelGets(URI uri, int n, String protocol, Certificate... anchors) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Math.min(n, 8));
        try {
            List<java.util.concurrent.Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> httpGet(uri, protocol, anchors).body()));
            }
            List<String> bodies = new ArrayList<>();
            for (java.util.concurrent.Future<String> f : futures) {
                bodies.add(f.get(60, TimeUnit.SECONDS));
            }
            return bodies;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The result of a process run. */
    static final class Run {
        final int exit;
        final String out;
        final String err;

        Run(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    static Run run(List<String> command, Path dir, long timeoutSeconds) throws Exception {
        return run(command, dir, timeoutSeconds, java.util.Map.of());
    }

    /** {@link #run(List, Path, long)} with {@code environment} added to this JVM's. */
    static Run run(List<String> command, Path dir, long timeoutSeconds, java.util.Map<String, String> environment) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t1 = pump(p.getInputStream(), out);
        Thread t2 = pump(p.getErrorStream(), err);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command);
        }
        t1.join();
        t2.join();
        return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run runOk(List<String> command, Path dir, long timeoutSeconds) throws Exception {
        return runOk(command, dir, timeoutSeconds, java.util.Map.of());
    }

    static Run runOk(List<String> command, Path dir, long timeoutSeconds, java.util.Map<String, String> environment)
            throws Exception {
        Run r = run(command, dir, timeoutSeconds, environment);
        assertEquals(0, r.exit, () -> String.join(" ", command) + "\n" + r);
        return r;
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(sink);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * GET with curl (OpenSSL or GnuTLS, never Java) at exactly {@code tlsVersion} ("1.2" or "1.3").
     * Returns the body; asserts status 200 and the negotiated version in curl's verbose output.
     */
    static String curl(String url, Path caFile, String tlsVersion) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SystemTools.command("curl", "curl"), "-sS", "-v", "--max-time", "20", "--cacert", caFile.toString(),
                "--tlsv" + tlsVersion, "--tls-max", tlsVersion, "-w", "\n%{http_code}", url));
        Run r = runOk(cmd, null, 30);
        String out = r.out.trim();
        assertTrue(out.endsWith("\n200"), () -> "curl " + url + "\n" + r);
        assertTrue(r.err.contains("TLSv" + tlsVersion), () -> "curl did not report TLSv" + tlsVersion + "\n" + r);
        return out.substring(0, out.length() - 4);
    }

    /** The providers listed as security.provider.N in the JDK's own java.security. */
    static int configuredProviderCount() {
        int n = 0;
        while (Security.getProperty("security.provider." + (n + 1)) != null) {
            n++;
        }
        return n;
    }

    /**
     * A java.security override that installs AsyncJSSE after the JDK's providers and prefers it for
     * SSLContext: the configuration the README recommends.
     */
    static Path writeSecurityOverride(Path file) throws IOException {
        int next = configuredProviderCount() + 1;
        Files.writeString(file, "security.provider." + next + "=AsyncJSSE\n"
                + "jdk.security.provider.preferred=SSLContext.TLS:AsyncJSSE,SSLContext.Default:AsyncJSSE\n");
        return file;
    }

    /**
     * A java.security override that puts AsyncJSSE first and renumbers the JDK's providers from 2:
     * the README's other way.
     */
    static Path writeSecurityOverrideFirst(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("security.provider.1=AsyncJSSE\n");
        int n = configuredProviderCount();
        for (int i = 1; i <= n; i++) {
            sb.append("security.provider.").append(i + 1).append('=').append(Security.getProperty("security.provider." + i)).append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    /** java and the test class path, for child JVMs. */
    static List<String> javaCommand() {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        return new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
    }

    static String hexTail(X509Certificate cert) {
        return cert.getSerialNumber().toString(16);
    }
}
