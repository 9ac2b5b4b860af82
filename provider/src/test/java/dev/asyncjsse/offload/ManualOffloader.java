package dev.asyncjsse.offload;

import dev.asyncjsse.KeyOffloader;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A key offloader whose operations the test completes by hand. */
final class ManualOffloader implements KeyOffloader {

    /** One operation handed to the offloader. */
    static final class Request {
        final PrivateKey key;
        final String algorithm;
        final AlgorithmParameterSpec params;
        final byte[] input;
        final boolean decrypt;
        final Thread requestThread = Thread.currentThread();
        final CompletableFuture<byte[]> stage = new CompletableFuture<>();

        Request(PrivateKey key, String algorithm, AlgorithmParameterSpec params, byte[] input, boolean decrypt) {
            this.key = key;
            this.algorithm = algorithm;
            this.params = params;
            this.input = input;
            this.decrypt = decrypt;
        }

        /** The real operation's result. */
        byte[] compute() throws Exception {
            return decrypt ? KeyOperations.decrypt(key, algorithm, input) : KeyOperations.sign(key, algorithm, params, input);
        }

        /** Performs the operation on the calling thread and completes the stage with its result. */
        boolean complete() throws Exception {
            return stage.complete(compute());
        }

        boolean fail(Throwable t) {
            return stage.completeExceptionally(t);
        }

        @Override
        public String toString() {
            return (decrypt ? "decrypt " : "sign ") + algorithm + " with " + key.getAlgorithm();
        }
    }

    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    final AtomicInteger count = new AtomicInteger();
    volatile RuntimeException throwOnSign;

    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        if (throwOnSign != null) {
            count.incrementAndGet();
            throw throwOnSign;
        }
        Request r = new Request(key, jcaAlgorithm, params, message, false);
        requests.add(r);
        count.incrementAndGet();
        return r.stage;
    }

    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        Request r = new Request(key, jcaTransformation, null, ciphertext, true);
        requests.add(r);
        count.incrementAndGet();
        return r.stage;
    }

    Request next(long millis) throws InterruptedException {
        return requests.poll(millis, TimeUnit.MILLISECONDS);
    }

    Request peek() {
        return requests.peek();
    }

    Request poll() {
        return requests.poll();
    }
}
