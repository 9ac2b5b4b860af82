package dev.asyncjsse.dropin;

import dev.asyncjsse.KeyOffloader;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps an offloader and records what the engine asked of it. */
final class CountingOffloader implements KeyOffloader {

    final KeyOffloader delegate;
    final AtomicInteger signs = new AtomicInteger();
    final AtomicInteger decrypts = new AtomicInteger();
    final List<String> algorithms = new CopyOnWriteArrayList<>();
    final List<PrivateKey> keys = new CopyOnWriteArrayList<>();

    CountingOffloader(KeyOffloader delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        signs.incrementAndGet();
        algorithms.add(jcaAlgorithm);
        keys.add(key);
        return delegate.sign(key, jcaAlgorithm, params, message);
    }

    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        decrypts.incrementAndGet();
        algorithms.add(jcaTransformation);
        keys.add(key);
        return delegate.decrypt(key, jcaTransformation, ciphertext);
    }

    void reset() {
        signs.set(0);
        decrypts.set(0);
        algorithms.clear();
        keys.clear();
    }
}
