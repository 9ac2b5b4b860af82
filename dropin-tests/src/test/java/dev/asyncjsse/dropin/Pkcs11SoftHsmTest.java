package dev.asyncjsse.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.SystemTools;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PKCS#11 keys on a SoftHSM2 token serve TLS through AsyncJSSE. The keys are generated on the token
 * by keytool with SunPKCS11 (sensitive, not extractable) and loaded through a PKCS11 KeyStore; the
 * server is Netty with a delegated-task executor; every signature goes through the offloader to
 * the token on an offloader thread, never on the event loop or a job thread.
 */
class Pkcs11SoftHsmTest {

    static SoftHsm hsm;
    static Provider pkcs11;
    static TokenSpyProvider spy;
    static KeyStore tokenStore;
    static ExecutorService hsmPool;
    static ExecutorService delegatedTasks;
    static Path caFile;

    @BeforeAll
    static void createToken() throws Exception {
        if (!SoftHsm.installed()) {
            return; // each test reports the skip (or, with CI=true, the failure)
        }
        hsm = SoftHsm.create();
        hsm.generate("ec", "-keyalg", "EC", "-groupname", "secp256r1");
        hsm.generate("rsa", "-keyalg", "RSA", "-keysize", "2048");

        // The setup the README shows: configure SunPKCS11 with the token, install it, open its KeyStore.
        pkcs11 = Security.getProvider("SunPKCS11").configure(hsm.pkcs11Cfg.toString());
        Security.addProvider(pkcs11);
        tokenStore = KeyStore.getInstance("PKCS11", pkcs11);
        tokenStore.load(null, SoftHsm.PIN.toCharArray());

        spy = new TokenSpyProvider(pkcs11);
        Security.insertProviderAt(spy, 1);

        AtomicInteger n = new AtomicInteger();
        ThreadFactory named = r -> {
            Thread t = new Thread(r, "hsm-offload-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        hsmPool = Executors.newFixedThreadPool(2, named);
        AtomicInteger m = new AtomicInteger();
        delegatedTasks = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "netty-delegated-" + m.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        caFile = Support.writePem(hsm.dir.resolve("token-certs.pem"), cert("ec"), cert("rsa"));
    }

    @AfterAll
    static void cleanUp() {
        if (spy != null) {
            Security.removeProvider(spy.getName());
        }
        if (pkcs11 != null) {
            Security.removeProvider(pkcs11.getName());
        }
        if (hsmPool != null) {
            hsmPool.shutdownNow();
        }
        if (delegatedTasks != null) {
            delegatedTasks.shutdownNow();
        }
    }

    @BeforeEach
    void needSoftHsm(TestInfo test) {
        List<SystemTools.Need> needs = new ArrayList<>(SoftHsm.needs());
        // named here rather than in the test, so that one skip lists every package the test lacks
        if (test.getTestMethod().map(m -> m.getName().equals("tokenKeysAreSensitive")).orElse(false)) {
            needs.add(SystemTools.commandNeed("pkcs11-tool", "opensc"));
        }
        SystemTools.requireAll(needs);
    }

    static X509Certificate cert(String alias) throws Exception {
        return (X509Certificate) tokenStore.getCertificate(alias);
    }

    @Test
    void tokenKeysAreSensitive() throws Exception {
        // opensc's pkcs11-tool, a second PKCS#11 client, reads the key attributes from the token itself.
        Support.Run r = Support.runOk(List.of(SystemTools.command("pkcs11-tool", "opensc"), "--module", hsm.library, "--token-label", SoftHsm.LABEL,
                "--login", "--pin", SoftHsm.PIN, "--list-objects"), hsm.dir, 60);
        String[] objects = r.out.split("(?=Private Key Object|Public Key Object|Certificate Object)");
        int privateKeys = 0;
        for (String object : objects) {
            if (object.startsWith("Private Key Object")) {
                privateKeys++;
                assertTrue(object.matches("(?s).*Access:\\s+sensitive.*"), object);
                String access = object.substring(object.indexOf("Access:") + 7).split("\n")[0];
                for (String flag : access.split(",")) {
                    assertFalse(flag.trim().equals("extractable"), object);
                }
            }
        }
        assertEquals(2, privateKeys, r.out);
    }

    /**
     * No code at all: Tomcat's connector names a PKCS11 key store; java.security configures SunPKCS11
     * with the token and installs AsyncJSSE; a system property turns offload on.
     */
    @Test
    void tomcatServesFromTheTokenConfiguredOnlyByFiles() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(hsm.dir.resolve("tomcat"));
        int pkcs11Index = 0;
        for (int i = 1; i <= Support.configuredProviderCount(); i++) {
            if ("SunPKCS11".equals(Security.getProperty("security.provider." + i))) {
                pkcs11Index = i;
            }
        }
        assertTrue(pkcs11Index > 0, "SunPKCS11 is not in this JDK's java.security");
        Path security = dir.resolve("asyncjsse-hsm.security");
        java.nio.file.Files.writeString(security, "security.provider." + pkcs11Index + "=SunPKCS11 " + hsm.pkcs11Cfg + "\n"
                + "security.provider." + (Support.configuredProviderCount() + 1) + "=AsyncJSSE\n"
                + "jdk.security.provider.preferred=SSLContext.TLS:AsyncJSSE,SSLContext.Default:AsyncJSSE\n");
        List<String> options = List.of("-Djava.security.properties=" + security, "-Ddev.asyncjsse.offload=executor:2");
        try (ChildJvm child = new ChildJvm(dir, options, TomcatMain.class, "NONE", SoftHsm.PIN, dir.resolve("base").toString(),
                "PKCS11", "ec")) {
            URI uri = URI.create("https://localhost:" + child.port() + "/hello");
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                HttpResponse<String> r = Support.httpGet(uri, protocol, cert("ec"));
                assertEquals("hello " + protocol, r.body());
                assertEquals(cert("ec"), r.sslSession().get().getPeerCertificates()[0], "the token's certificate");
                assertEquals("hello " + protocol, Support.curl(uri.toString(), caFile, protocol.substring(4)));
            }
            int exit = child.finish();
            String out = child.output();
            assertEquals(0, exit, out);
            assertTrue(out.contains("TLS-PROVIDER AsyncJSSE"), out);
            long threads = child.lines().stream().filter(l -> l.startsWith("OFFLOAD-THREADS "))
                    .mapToLong(l -> Long.parseLong(l.substring("OFFLOAD-THREADS ".length()))).findFirst().orElse(0);
            assertTrue(threads > 0, () -> "no asyncjsse-offload thread ran\n" + out);
            System.out.println(java.nio.file.Files.readString(security) + out);
        }
    }

    /**
     * Without an offloader the token key signs inline, as in any synchronous JSSE provider: the JCA
     * must reach SunPKCS11 through delayed provider selection (the JDK's default choice, SunEC or
     * SunRsaSign, cannot use a token's key).
     */
    @ParameterizedTest(name = "{0} key, {1}, no offloader")
    @CsvSource({"ec, TLSv1.3", "ec, TLSv1.2", "rsa, TLSv1.3", "rsa, TLSv1.2"})
    void servesTlsWithTokenKeyWithoutOffloader(String alias, String protocol) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(tokenStore, SoftHsm.PIN.toCharArray());
        KeyManager km = new OneAliasKeyManager((X509ExtendedKeyManager) kmf.getKeyManagers()[0], alias);
        SSLContext context = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        context.init(new KeyManager[] {km}, null, null);
        spy.uses.clear();
        try (NettyHttpsServer server = new NettyHttpsServer(context, delegatedTasks)) {
            URI uri = URI.create("https://localhost:" + server.port() + "/hello");
            HttpResponse<String> r = Support.httpGet(uri, protocol, cert("ec"), cert("rsa"));
            assertTrue(r.body().startsWith("hello " + protocol), r.body());
            assertEquals(cert(alias), r.sslSession().get().getPeerCertificates()[0], "the token's certificate");
        }
        assertEquals(1, spy.uses.size(), () -> "token uses " + spy.uses);
    }

    @ParameterizedTest(name = "{0} key, {1}")
    @CsvSource({"ec, TLSv1.3", "ec, TLSv1.2", "rsa, TLSv1.3", "rsa, TLSv1.2"})
    void servesTlsWithTokenKey(String alias, String protocol) throws Exception {
        Key key = tokenStore.getKey(alias, SoftHsm.PIN.toCharArray());
        assertTrue(key.getClass().getName().startsWith("sun.security.pkcs11.P11Key"), key.getClass().getName());
        assertNull(key.getEncoded(), "the token key must not be extractable");

        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(tokenStore, SoftHsm.PIN.toCharArray());
        KeyManager km = new OneAliasKeyManager((X509ExtendedKeyManager) kmf.getKeyManagers()[0], alias);

        SSLContext context = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        context.init(new KeyManager[] {km}, null, null);
        CountingOffloader offloader = new CountingOffloader(KeyOffloaders.executor(hsmPool));
        AsyncJsse.setKeyOffloader(context, offloader);

        spy.uses.clear();
        int handshakes = 3;
        try (NettyHttpsServer server = new NettyHttpsServer(context, delegatedTasks)) {
            URI uri = URI.create("https://localhost:" + server.port() + "/hello");
            for (int i = 0; i < handshakes - 1; i++) {
                HttpResponse<String> r = Support.httpGet(uri, protocol, cert("ec"), cert("rsa"));
                assertTrue(r.body().startsWith("hello " + protocol), r.body());
                String expectedKey = alias.equals("ec") ? "EC" : "RSA";
                assertEquals(expectedKey, r.sslSession().get().getPeerCertificates()[0].getPublicKey().getAlgorithm());
            }
            String body = Support.curl(uri.toString(), caFile, protocol.substring("TLSv".length()));
            assertTrue(body.startsWith("hello " + protocol), body);
        }

        // Every handshake signed once, through the offloader, with the token's own key object.
        assertEquals(handshakes, offloader.signs.get(), () -> "offloaded: " + offloader.algorithms);
        assertEquals(0, offloader.decrypts.get());
        for (PrivateKey k : offloader.keys) {
            assertSame(key.getClass(), k.getClass());
        }
        // The token saw exactly those signatures, each on an offloader thread.
        List<TokenSpyProvider.Use> uses = spy.uses;
        assertEquals(handshakes, uses.size(), () -> "token uses " + uses + ", offloaded " + offloader.algorithms);
        for (TokenSpyProvider.Use use : uses) {
            assertTrue(use.thread.startsWith("hsm-offload-"), () -> "the token was called on " + use);
            assertFalse(use.thread.contains("EventLoop"), use::toString);
        }
        System.out.println("PKCS#11 " + alias + " " + protocol + ": " + uses);
    }
}
