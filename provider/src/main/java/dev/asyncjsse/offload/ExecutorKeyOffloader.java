package dev.asyncjsse.offload;

import dev.asyncjsse.KeyOffloader;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link dev.asyncjsse.KeyOffloaders#executor}: JCA operations on an executor, with an optional
 * bound on operations in flight.
 *
 * <p>Internal: not part of the public API. Thread-safe.
 */
public final class ExecutorKeyOffloader implements KeyOffloader {

    private final Executor executor;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ListenerQueue unsaturatedListeners = new ListenerQueue();

    public ExecutorKeyOffloader(Executor executor, int maxInFlight) {
        if (executor == null) {
            throw new IllegalArgumentException("executor must not be null");
        }
        this.executor = executor;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        return sign(key, jcaAlgorithm, params, message, null);
    }

    /** {@link #sign}, running {@code onStart} when a thread of the executor takes the operation up. */
    CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message,
                                 Runnable onStart) {
        return submit(() -> KeyOperations.sign(key, jcaAlgorithm, params, message), onStart);
    }

    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        return decrypt(key, jcaTransformation, ciphertext, null);
    }

    /** {@link #decrypt}, running {@code onStart} when a thread of the executor takes the operation up. */
    CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext, Runnable onStart) {
        return submit(() -> KeyOperations.decrypt(key, jcaTransformation, ciphertext), onStart);
    }

    @Override
    public boolean isSaturated() {
        return inFlight.get() >= maxInFlight;
    }

    @Override
    public void whenUnsaturated(Runnable listener) {
        unsaturatedListeners.add(listener, () -> !isSaturated());
    }

    private CompletionStage<byte[]> submit(KeyOperations.Operation operation, Runnable onStart) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        inFlight.incrementAndGet();
        Runnable task = () -> {
            try {
                if (!result.isDone()) {
                    if (onStart != null) {
                        onStart.run();
                    }
                    result.complete(operation.run());
                }
            } catch (Exception | LinkageError e) {
                result.completeExceptionally(e);
            } finally {
                finished();
            }
        };
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            finished();
            result.completeExceptionally(new RejectedExecutionException("the key offload executor rejected the operation", e));
        }
        return result;
    }

    private void finished() {
        inFlight.decrementAndGet();
        unsaturatedListeners.released();
    }
}
