package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.Matrix.ServerKey;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The certificates of the interop tests, made once per JVM: a trusted CA with one server
 * certificate per {@link ServerKey} (each with its own common name, so a peer's output shows which
 * one it got) and a client certificate, and an untrusted CA with a client certificate the server
 * must refuse. Each is also written as PEM (and the client as PKCS#12) for the command-line peers,
 * under {@code target/interop} of the module. Immutable after creation; thread-safe.
 */
final class InteropPki {

    /** Host name in every server certificate, and the SNI the peers send. */
    static final String HOST = "localhost";

    private static InteropPki instance;

    final TestPki ca = TestPki.create("AsyncJSSE interop CA");
    final TestPki strangerCa = TestPki.create("Unknown interop CA");
    final Map<ServerKey, TestPki.Identity> servers = new EnumMap<>(ServerKey.class);
    final TestPki.Identity client;
    final TestPki.Identity stranger;
    final Path dir;
    final Path caPem;
    final Path clientCertPem;
    final Path clientKeyPem;
    final Path clientP12;
    final Path strangerCertPem;
    final Path strangerKeyPem;
    final Path strangerP12;

    private InteropPki() throws IOException, GeneralSecurityException {
        servers.put(ServerKey.EC_P256, ca.issue(KeyKind.EC_P256, commonName(ServerKey.EC_P256), HOST, "127.0.0.1"));
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        servers.put(ServerKey.EC_P384, ca.issue(p384.generateKeyPair(), commonName(ServerKey.EC_P384), HOST, "127.0.0.1"));
        servers.put(ServerKey.RSA, ca.issue(KeyKind.RSA_2048, commonName(ServerKey.RSA), HOST, "127.0.0.1"));
        servers.put(ServerKey.RSA_PSS, ca.issue(KeyKind.RSA_PSS_2048, commonName(ServerKey.RSA_PSS), HOST, "127.0.0.1"));
        servers.put(ServerKey.ED25519, ca.issue(KeyKind.ED25519, commonName(ServerKey.ED25519), HOST, "127.0.0.1"));
        client = ca.issue(KeyKind.EC_P256, "interop-client");
        stranger = strangerCa.issue(KeyKind.EC_P256, "interop-stranger");
        dir = Files.createDirectories(Path.of("target", "interop").toAbsolutePath());
        caPem = write("ca.pem", pem("CERTIFICATE", ca.caCertificate().getEncoded()));
        clientCertPem = write("client.pem", chain(client));
        clientKeyPem = write("client.key", pem("PRIVATE KEY", ecPkcs8WithPublicKey(client)));
        clientP12 = pkcs12("client.p12", client);
        strangerCertPem = write("stranger.pem", chain(stranger));
        strangerKeyPem = write("stranger.key", pem("PRIVATE KEY", ecPkcs8WithPublicKey(stranger)));
        strangerP12 = pkcs12("stranger.p12", stranger);
    }

    static synchronized InteropPki get() {
        if (instance == null) {
            try {
                instance = new InteropPki();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    /** The subject common name of the server certificate for {@code key}, e.g. {@code interop-ec-p384}. */
    static String commonName(ServerKey key) {
        return "interop-" + key.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    TestPki.Identity server(ServerKey key) {
        return servers.get(key);
    }

    /** The leaf certificate of the server identity for {@code key}. */
    X509Certificate serverCertificate(ServerKey key) {
        return servers.get(key).certificate();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * PKCS#8 of an EC identity's key with the public key inside (RFC 5915 §3). The JDK leaves the
     * optional public key out, and GnuTLS refuses such a key ("Element was not found").
     */
    private static byte[] ecPkcs8WithPublicKey(TestPki.Identity id) throws IOException {
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(id.certificate().getPublicKey().getEncoded());
        ECPrivateKey key = (ECPrivateKey) id.key;
        org.bouncycastle.asn1.sec.ECPrivateKey inner = new org.bouncycastle.asn1.sec.ECPrivateKey(
                key.getParams().getOrder().bitLength(), key.getS(), spki.getPublicKeyData(), null);
        return new PrivateKeyInfo(spki.getAlgorithm(), inner).getEncoded();
    }

    private static String chain(TestPki.Identity id) throws GeneralSecurityException {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : id.chain) {
            b.append(pem("CERTIFICATE", c.getEncoded()));
        }
        return b.toString();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private Path pkcs12(String name, TestPki.Identity id) throws IOException, GeneralSecurityException {
        Path p = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(p)) {
            TestPki.keyStore(id).store(out, TestPki.PASSWORD);
        }
        return p;
    }
}
