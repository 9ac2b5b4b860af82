package dev.asyncjsse.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.TestPki;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Embedded Tomcat 11 (JSSE) in a child JVM: the provider through java.security
 * (jdk.security.provider.preferred), offload through properties; HttpClient and curl as clients.
 */
class TomcatTest {

    @Test
    void tomcatServesHttpsThroughAsyncJsse() throws Exception {
        Path dir = Support.workDir("tomcat");
        TestPki pki = TestPki.create("dropin-ca");
        TestPki.Identity ec = pki.issue(TestPki.KeyKind.EC_P256, "localhost", "localhost");
        Path keyStore = Support.writeStore(dir.resolve("server.p12"), TestPki.keyStore(ec), TestPki.PASSWORD);
        Path ca = Support.writePem(dir.resolve("ca.pem"), pki.caCertificate());
        Path security = Support.writeSecurityOverride(dir.resolve("asyncjsse.security"));

        List<String> options = List.of(
                "-Djava.security.properties=" + security,
                "-Ddev.asyncjsse.offload=executor:2",
                "-Ddev.asyncjsse.offload.latency=20");
        try (ChildJvm child = new ChildJvm(dir, options, TomcatMain.class, keyStore.toString(), new String(TestPki.PASSWORD),
                dir.resolve("base").toString())) {
            int port = child.port();
            URI uri = URI.create("https://localhost:" + port + "/hello");
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                for (int i = 0; i < 3; i++) {
                    assertEquals("hello " + protocol, Support.httpGet(uri, protocol, pki.caCertificate()).body());
                }
                assertEquals("hello " + protocol, Support.curl(uri.toString(), ca, protocol.substring(4)));
            }
            for (String body : Support.parallelGets(uri, 16, "TLSv1.3", pki.caCertificate())) {
                assertEquals("hello TLSv1.3", body);
            }
            int exit = child.finish();
            String out = child.output();
            assertEquals(0, exit, out);
            assertTrue(out.contains("TLS-PROVIDER AsyncJSSE"), out);
            long threads = child.lines().stream().filter(l -> l.startsWith("OFFLOAD-THREADS "))
                    .mapToLong(l -> Long.parseLong(l.substring("OFFLOAD-THREADS ".length()))).findFirst().orElse(0);
            assertTrue(threads > 0, () -> "no asyncjsse-offload thread ran\n" + out);
            System.out.println(out);
        }
    }
}
