package dev.asyncjsse.tls13;

import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.offload.KeyOperations;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/** A key offloader that signs at once on the calling thread and counts its signatures. */
final class CountingOffloader implements KeyOffloader {

    final AtomicInteger signatures = new AtomicInteger();

    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        signatures.incrementAndGet();
        try {
            return CompletableFuture.completedFuture(KeyOperations.sign(key, jcaAlgorithm, params, message));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("TLS 1.3 never decrypts"));
    }
}
