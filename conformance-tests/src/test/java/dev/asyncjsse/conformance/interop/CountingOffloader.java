package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.conformance.interop.Matrix.Scheme;
import java.security.PrivateKey;
import java.security.interfaces.ECKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A {@link KeyOffloader} that signs on a small pool and records every call, so a test can check on
 * the server side that each full handshake made exactly one private-key operation and which TLS
 * signature scheme it was. Thread-safe.
 */
final class CountingOffloader implements KeyOffloader {

    private static final ExecutorService POOL = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "interop-key-ops");
        t.setDaemon(true);
        return t;
    });

    private final KeyOffloader delegate = KeyOffloaders.executor(POOL);
    private final List<Operation> operations = new CopyOnWriteArrayList<>();

    /** One private-key operation as the engine asked for it. */
    record Operation(String keyAlgorithm, int ecOrderBits, String jcaAlgorithm, AlgorithmParameterSpec params) {

        /**
         * The TLS 1.3 signature scheme this operation implements, derived from the key and the
         * algorithm (and PSS parameters) the engine chose, or null if it fits none.
         */
        Scheme scheme() {
            String key = keyAlgorithm.toUpperCase(Locale.ROOT);
            if (key.equals("EC")) {
                return ecOrderBits == 256 ? Scheme.ECDSA_SECP256R1_SHA256 : ecOrderBits == 384 ? Scheme.ECDSA_SECP384R1_SHA384 : null;
            }
            if (key.equals("ED25519") || key.equals("EDDSA")) {
                return Scheme.ED25519;
            }
            String hash = hash();
            if (hash == null) {
                return null;
            }
            String prefix = key.equals("RSA") ? "RSA_PSS_RSAE_" : key.equals("RSASSA-PSS") ? "RSA_PSS_PSS_" : null;
            if (prefix == null || !(params instanceof PSSParameterSpec || jcaAlgorithm.toUpperCase(Locale.ROOT).contains("PSS")
                    || jcaAlgorithm.toUpperCase(Locale.ROOT).contains("MGF1"))) {
                return null;
            }
            try {
                return Scheme.valueOf(prefix + hash);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        /** The hash as {@code SHA256}, from the PSS parameters or else from the algorithm name. */
        private String hash() {
            String named = params instanceof PSSParameterSpec ? ((PSSParameterSpec) params).getDigestAlgorithm() : jcaAlgorithm;
            String alg = named.toUpperCase(Locale.ROOT).replace("-", "");
            for (String h : new String[] {"SHA256", "SHA384", "SHA512"}) {
                if (alg.contains(h)) {
                    return h;
                }
            }
            return null;
        }
    }

    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        int bits = key instanceof ECKey ? ((ECKey) key).getParams().getOrder().bitLength() : 0;
        operations.add(new Operation(key.getAlgorithm(), bits, jcaAlgorithm, params));
        return delegate.sign(key, jcaAlgorithm, params, message);
    }

    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        operations.add(new Operation(key.getAlgorithm(), 0, jcaTransformation, null));
        return delegate.decrypt(key, jcaTransformation, ciphertext);
    }

    /** Every operation so far, in order. */
    List<Operation> operations() {
        return List.copyOf(operations);
    }
}
