package dev.asyncjsse.conformance;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.net.Socket;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Runs in a child JVM whose {@code jdk.tls.disabledAlgorithms} leaves the TLS_RSA_* suites enabled
 * (JDK 25's, and recent JDK 17 updates', disable them for SunJSSE), so SunJSSE and AsyncJSSE can be
 * compared on them. For each stack, key manager and offload setting it serves one
 * {@code openssl s_client -tls1_2 -cipher AES128-GCM-SHA256} handshake with an RSA-2048 certificate,
 * the application having enabled {@code TLS_RSA_WITH_AES_128_GCM_SHA256}, and prints one line:
 * {@code RESULT <stack> <key manager> <offload> <suite or FAIL ...> decrypts=<n>}. Then, as a client with the
 * JDK's {@code PKIX} trust manager, each stack connects to a SunJSSE server over the same suite and prints
 * {@code CLIENT <stack> <suite or FAIL ...> <authType handed to the trust manager>}.
 */
public final class RsaKeyExchangeMain {

    static final String SUITE = "TLS_RSA_WITH_AES_128_GCM_SHA256";

    private RsaKeyExchangeMain() {}

    public static void main(String[] args) throws Exception {
        TestPki.Identity rsa = TestPki.create("RSA key exchange CA").issue(KeyKind.RSA_2048, "localhost", "localhost");
        ExecutorService keyPool = Executors.newSingleThreadExecutor();
        try {
            for (Stack stack : new Stack[] {Stack.SUN, Stack.ASYNC}) {
                for (String keyManager : new String[] {"PKIX", "SunX509"}) {
                    for (boolean offload : stack == Stack.ASYNC ? new boolean[] {false, true} : new boolean[] {false}) {
                        SSLContext context = Tls.context(stack, TestPki.keyManagers(keyManager, rsa), null);
                        CountingDecrypts counter = new CountingDecrypts(KeyOffloaders.executor(keyPool));
                        if (offload) {
                            AsyncJsse.setKeyOffloader(context, counter);
                        }
                        SSLEngine server = Tls.server(context);
                        List<String> suites = new ArrayList<>(Arrays.asList(server.getEnabledCipherSuites()));
                        suites.add(0, SUITE);
                        server.setEnabledCipherSuites(suites.toArray(new String[0]));
                        OpenSslClient.Outcome outcome = OpenSslClient.handshake(server, "-tls1_2", "-cipher", "AES128-GCM-SHA256");
                        String result = outcome.serverError == null
                                ? outcome.serverSession.getCipherSuite()
                                : "FAIL " + Failures.text(outcome.serverError).replace('\n', ' ');
                        System.out.println("RESULT " + stack + " " + keyManager + " " + (offload ? "offload" : "inline")
                                + " " + result + " decrypts=" + counter.decrypts.get());
                    }
                }
            }
        } finally {
            keyPool.shutdownNow();
        }
        for (Stack stack : new Stack[] {Stack.SUN, Stack.ASYNC}) {
            TestPki pki = TestPki.create("RSA key exchange client CA");
            TestPki.Identity server = pki.issue(KeyKind.RSA_2048, "localhost", "localhost");
            List<String> authTypes = new CopyOnWriteArrayList<>();
            TrustManager[] trust = {new AuthTypeRecorder((X509ExtendedTrustManager) pki.trustManagers()[0], authTypes)};
            SSLEngine serverEngine = Tls.server(Tls.context(Stack.SUN, TestPki.keyManagers(server), null));
            SSLEngine client = Tls.client(Tls.context(stack, null, trust));
            serverEngine.setEnabledCipherSuites(new String[] {SUITE});
            client.setEnabledCipherSuites(new String[] {SUITE});
            client.setEnabledProtocols(new String[] {"TLSv1.2"});
            String result;
            try {
                new Loop(client, serverEngine).handshake();
                result = client.getSession().getCipherSuite();
            } catch (SSLException e) {
                result = "FAIL " + Failures.text(e).replace('\n', ' ');
            }
            System.out.println("CLIENT " + stack + " " + result + " " + authTypes);
        }
    }

    /** The JDK's trust manager, recording the authType of each server check. */
    private static final class AuthTypeRecorder extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final List<String> authTypes;

        AuthTypeRecorder(X509ExtendedTrustManager delegate, List<String> authTypes) {
            this.delegate = delegate;
            this.authTypes = authTypes;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            authTypes.add(authType);
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            authTypes.add(authType);
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            authTypes.add(authType);
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("this test has no client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("this test has no client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this test has no client certificates");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    /** Counts the decryptions the engine hands to the offloader. */
    private static final class CountingDecrypts implements KeyOffloader {
        final AtomicInteger decrypts = new AtomicInteger();
        private final KeyOffloader delegate;

        CountingDecrypts(KeyOffloader delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm,
                                            java.security.spec.AlgorithmParameterSpec params, byte[] message) {
            return delegate.sign(key, jcaAlgorithm, params, message);
        }

        @Override
        public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
            decrypts.incrementAndGet();
            return delegate.decrypt(key, jcaTransformation, ciphertext);
        }
    }
}
