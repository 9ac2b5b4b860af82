package dev.asyncjsse.tls13;

import dev.asyncjsse.testkit.PeerPorts;
import dev.asyncjsse.testkit.TestPki;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.Provider;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/** Client engines of the JDK and of Bouncy Castle, configured for one handshake against the native server. */
final class Peers {

    /** A TLS 1.3 client implementation. */
    enum Client { SUNJSSE, BCJSSE }

    private static final Provider BCJSSE = new BouncyCastleJsseProvider(new BouncyCastleProvider());
    private static final MethodHandle SET_NAMED_GROUPS = setter();

    private Peers() {}

    private static MethodHandle setter() {
        try {
            return MethodHandles.publicLookup().findVirtual(SSLParameters.class, "setNamedGroups",
                    MethodType.methodType(void.class, String[].class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /** Whether {@code client} can be restricted to one key exchange group on this JDK. */
    static boolean canPinGroup(Client client) {
        return client == Client.BCJSSE || SET_NAMED_GROUPS != null;
    }

    static SSLContext context(Client client, KeyManager[] km, TrustManager[] tm) throws Exception {
        SSLContext ctx = client == Client.SUNJSSE ? SSLContext.getInstance("TLSv1.3", "SunJSSE")
                : SSLContext.getInstance("TLSv1.3", BCJSSE);
        ctx.init(km, tm, new SecureRandom());
        return ctx;
    }

    /**
     * A client engine for {@code localhost}, TLS 1.3 only, offering exactly {@code suite},
     * {@code group} (when not {@code null}) and {@code scheme} (when not {@code null}).
     */
    static SSLEngine client(SSLContext ctx, Client client, String suite, String group, String scheme) throws Throwable {
        return client(ctx, PeerPorts.next(), client, suite, group, scheme);
    }

    /** As {@link #client(SSLContext, Client, String, String, String)}, for {@code localhost:port}: tests of resumption choose it. */
    static SSLEngine client(SSLContext ctx, int port, Client client, String suite, String group, String scheme) throws Throwable {
        SSLEngine e = ctx.createSSLEngine("localhost", port);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        if (suite != null) {
            p.setCipherSuites(new String[] {suite});
        }
        if (client == Client.SUNJSSE) {
            if (group != null) {
                SET_NAMED_GROUPS.invokeExact(p, new String[] {group});
            }
            e.setSSLParameters(p);
            if (scheme != null) {
                throw new IllegalArgumentException("pin schemes of SunJSSE through jdk.tls.client.SignatureSchemes");
            }
            return e;
        }
        e.setSSLParameters(p);
        BCSSLEngine bc = (BCSSLEngine) e;
        BCSSLParameters bp = bc.getParameters();
        if (group != null) {
            // Bouncy Castle needs the curves of the ECDSA schemes among its groups, or it drops those
            // schemes; its one early share would then be of secp256r1 unless named
            bp.setNamedGroups(java.util.stream.Stream.of(group, "secp256r1", "secp384r1").distinct().toArray(String[]::new));
            bp.setEarlyKeyShares(new String[] {group});
        }
        if (scheme != null) {
            bp.setSignatureSchemes(new String[] {scheme});
            // the test CA signs with ECDSA P-256: the chain must stay acceptable
            bp.setSignatureSchemesCert(java.util.stream.Stream.of(scheme, "ecdsa_secp256r1_sha256").distinct().toArray(String[]::new));
        }
        bc.setParameters(bp);
        return e;
    }

    /** Key managers a client of {@code kind} can use: Bouncy Castle's client needs its own factory's. */
    static KeyManager[] clientKeyManagers(Client kind, TestPki.Identity id) throws Exception {
        if (kind == Client.SUNJSSE) {
            return TestPki.keyManagers(id);
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX", BCJSSE);
        kmf.init(TestPki.keyStore(id), TestPki.PASSWORD);
        return kmf.getKeyManagers();
    }

    static X509KeyManager keyManager(TestPki.Identity... ids) {
        return (X509KeyManager) TestPki.keyManagers(ids)[0];
    }

    static X509TrustManager trustManager(TestPki pki) {
        return (X509TrustManager) pki.trustManagers()[0];
    }
}
