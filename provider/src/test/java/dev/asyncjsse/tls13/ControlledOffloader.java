package dev.asyncjsse.tls13;

import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.offload.KeyOperations;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A key offloader the test steers: every signature waits until the test completes or fails it, and
 * the test decides when the offloader reports itself saturated.
 */
final class ControlledOffloader implements KeyOffloader {

    /** One signature request and the stage the engine waits on. */
    static final class Request {
        final PrivateKey key;
        final String algorithm;
        final AlgorithmParameterSpec params;
        final byte[] message;
        final CompletableFuture<byte[]> stage = new CompletableFuture<>();

        Request(PrivateKey key, String algorithm, AlgorithmParameterSpec params, byte[] message) {
            this.key = key;
            this.algorithm = algorithm;
            this.params = params;
            this.message = message;
        }

        /** Signs for real and completes the stage. */
        void complete() throws Exception {
            stage.complete(KeyOperations.sign(key, algorithm, params, message));
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<Runnable> unsaturatedListeners = new CopyOnWriteArrayList<>();
    volatile boolean saturated;

    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        Request r = new Request(key, jcaAlgorithm, params, message);
        requests.add(r);
        return r.stage;
    }

    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("TLS 1.3 never decrypts"));
    }

    @Override
    public boolean isSaturated() {
        return saturated;
    }

    @Override
    public void whenUnsaturated(Runnable listener) {
        unsaturatedListeners.add(listener);
    }

    /** Ends the saturation and runs the listeners, as a real offloader does when a slot frees. */
    void unsaturate() {
        saturated = false;
        for (Runnable r : unsaturatedListeners) {
            unsaturatedListeners.remove(r);
            r.run();
        }
    }

    Request only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request, got " + requests.size());
        }
        return requests.get(0);
    }
}
