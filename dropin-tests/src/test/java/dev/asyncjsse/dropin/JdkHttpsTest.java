package dev.asyncjsse.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.TestPki;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JDK's HttpsServer, HttpClient and HttpsURLConnection in a child JVM, with AsyncJSSE installed
 * only by a java.security override file and offload configured only by a system property.
 */
class JdkHttpsTest {

    @ParameterizedTest(name = "java.security: {0}")
    @ValueSource(strings = {"preferred", "first"})
    void jdkServerAndClientsThroughJavaSecurityFile(String layout) throws Exception {
        Path dir = Support.workDir("jdk-" + layout);
        TestPki pki = TestPki.create("dropin-ca");
        TestPki.Identity id = pki.issue(TestPki.KeyKind.EC_P256, "localhost", "localhost");
        Path keyStore = Support.writeStore(dir.resolve("server.p12"), TestPki.keyStore(id), TestPki.PASSWORD);
        Path trustStore = Support.writeStore(dir.resolve("trust.p12"), Support.trustStore(pki.caCertificate()), TestPki.PASSWORD);
        Path ca = Support.writePem(dir.resolve("ca.pem"), pki.caCertificate());
        Path security = layout.equals("first")
                ? Support.writeSecurityOverrideFirst(dir.resolve("asyncjsse.security"))
                : Support.writeSecurityOverride(dir.resolve("asyncjsse.security"));

        List<String> options = List.of(
                "-Djava.security.properties=" + security,
                "-Ddev.asyncjsse.offload=executor:2",
                "-Djavax.net.ssl.trustStore=" + trustStore,
                "-Djavax.net.ssl.trustStorePassword=" + new String(TestPki.PASSWORD),
                "-Djavax.net.ssl.trustStoreType=PKCS12");
        try (ChildJvm child = new ChildJvm(dir, options, JdkHttpsMain.class, keyStore.toString(), new String(TestPki.PASSWORD))) {
            int port = child.port();
            for (String v : new String[] {"1.3", "1.2"}) {
                String body = Support.curl("https://localhost:" + port + "/", ca, v);
                assertEquals("hello TLSv" + v, body);
            }
            assertTrue(Support.httpGet(URI.create("https://localhost:" + port + "/"), "TLSv1.3", pki.caCertificate()).body()
                    .startsWith("hello TLSv1.3"));
            int exit = child.finish();
            String out = child.output();
            assertEquals(0, exit, out);
            assertTrue(out.contains("SERVER-PROVIDER AsyncJSSE"), out);
            assertTrue(out.contains("DEFAULT-PROVIDER AsyncJSSE"), out);
            assertTrue(out.contains("HTTPCLIENT TLSv1.3 200 hello TLSv1.3 client-engine-provider=AsyncJSSE"), out);
            assertTrue(out.contains("HTTPCLIENT TLSv1.2 200 hello TLSv1.2 client-engine-provider=AsyncJSSE"), out);
            assertTrue(out.contains("URLCONNECTION 200 hello TLSv1."), out);
            long threads = child.lines().stream().filter(l -> l.startsWith("OFFLOAD-THREADS "))
                    .mapToLong(l -> Long.parseLong(l.substring("OFFLOAD-THREADS ".length()))).findFirst().orElse(0);
            assertTrue(threads > 0, () -> "no asyncjsse-offload thread ran: offload was not configured\n" + out);
            System.out.println(java.nio.file.Files.readString(security) + out);
        }
    }
}
