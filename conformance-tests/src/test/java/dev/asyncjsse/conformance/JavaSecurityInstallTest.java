package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs AsyncJSSE as the first provider through a java.security override file in a child JVM,
 * and checks that SSLContext.getDefault(), java.net.http.HttpClient and HttpsURLConnection use it.
 */
class JavaSecurityInstallTest {

    @TempDir
    Path dir;

    @Test
    void installedThroughJavaSecurityFile() throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home"));
        String master = Files.readString(javaHome.resolve("conf/security/java.security"), StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("(?m)^\\s*security\\.provider\\.(\\d+)\\s*=\\s*(.*?)\\s*$").matcher(master);
        TreeMap<Integer, String> providers = new TreeMap<>();
        while (m.find()) {
            providers.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        assertTrue(providers.size() >= 5, "JDK providers found: " + providers);
        StringBuilder override = new StringBuilder("security.provider.1=AsyncJSSE\n");
        int n = 2;
        for (String provider : providers.values()) {
            override.append("security.provider.").append(n++).append('=').append(provider).append('\n');
        }
        Path securityFile = dir.resolve("asyncjsse.java.security");
        Files.writeString(securityFile, override.toString(), StandardCharsets.ISO_8859_1);

        TestPki pki = TestPki.create("Install CA");
        TestPki.Identity id = pki.issue(KeyKind.EC_P256, "localhost", "localhost");
        Path keyStore = dir.resolve("server.p12");
        try (OutputStream out = Files.newOutputStream(keyStore)) {
            TestPki.keyStore(id).store(out, TestPki.PASSWORD);
        }
        Path trustStore = dir.resolve("trust.p12");
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", pki.caCertificate());
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            ts.store(out, TestPki.PASSWORD);
        }

        List<String> cmd = new ArrayList<>(List.of(
                javaHome.resolve("bin/java").toString(),
                "-Djava.security.properties=" + securityFile,
                "-Djavax.net.ssl.keyStore=" + keyStore,
                "-Djavax.net.ssl.keyStorePassword=" + new String(TestPki.PASSWORD),
                "-Djavax.net.ssl.keyStoreType=PKCS12",
                "-Djavax.net.ssl.trustStore=" + trustStore,
                "-Djavax.net.ssl.trustStorePassword=" + new String(TestPki.PASSWORD),
                "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-cp", System.getProperty("java.class.path"),
                InstallCheckMain.class.getName(),
                keyStore.toString(), new String(TestPki.PASSWORD)));
        String text = runChild(cmd);
        assertTrue(text.contains("OK HttpClient TLSv1.3 server TLSv1.3"), text);
    }

    /**
     * The narrow install: AsyncJSSE appended to the provider list and preferred for SSLContext.TLS.
     * (The preferred line alone is not enough: the JDK then fails SSLContext.getInstance("TLS") with a
     * NullPointerException, because a preferred provider must also be installed.)
     */
    @Test
    void preferredForTlsOnly() throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home"));
        String master = Files.readString(javaHome.resolve("conf/security/java.security"), StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("(?m)^\\s*security\\.provider\\.(\\d+)\\s*=").matcher(master);
        int last = 0;
        while (m.find()) {
            last = Math.max(last, Integer.parseInt(m.group(1)));
        }
        Path securityFile = dir.resolve("preferred.java.security");
        Files.writeString(securityFile, "security.provider." + (last + 1) + "=AsyncJSSE\n"
                + "jdk.security.provider.preferred=SSLContext.TLS:AsyncJSSE\n", StandardCharsets.ISO_8859_1);
        String text = runChild(List.of(javaHome.resolve("bin/java").toString(),
                "-Djava.security.properties=" + securityFile, "-cp", System.getProperty("java.class.path"),
                InstallCheckMain.class.getName(), "preferred"));
        assertTrue(text.contains("OK preferred"), text);
    }

    private static String runChild(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output;
        boolean exited = p.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        output = p.getInputStream().readAllBytes();
        String text = new String(output, StandardCharsets.UTF_8);
        assertTrue(exited, "child JVM timed out: " + text);
        assertEquals(0, p.exitValue(), "child JVM output:\n" + text);
        return text;
    }
}
