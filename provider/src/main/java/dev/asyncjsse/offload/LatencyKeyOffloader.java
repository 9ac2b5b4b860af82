package dev.asyncjsse.offload;

import dev.asyncjsse.KeyOffloader;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link dev.asyncjsse.KeyOffloaders#withLatency}: starts the delegate's operation after a delay,
 * using {@link CompletableFuture#delayedExecutor} on the JDK's delay thread (never the common pool),
 * so no thread is held while it waits.
 *
 * <p>Internal: not part of the public API. Thread-safe.
 */
public final class LatencyKeyOffloader implements KeyOffloader {

    private final KeyOffloader delegate;
    private final long latencyNanos;

    public LatencyKeyOffloader(KeyOffloader delegate, Duration latency) {
        this.delegate = delegate;
        this.latencyNanos = latency.toNanos();
    }

    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        return delayed(() -> delegate.sign(key, jcaAlgorithm, params, message));
    }

    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        return delayed(() -> delegate.decrypt(key, jcaTransformation, ciphertext));
    }

    @Override
    public boolean isSaturated() {
        return delegate.isSaturated();
    }

    @Override
    public void whenUnsaturated(Runnable listener) {
        delegate.whenUnsaturated(listener);
    }

    private CompletionStage<byte[]> delayed(Supplier<CompletionStage<byte[]>> operation) {
        if (latencyNanos == 0) {
            return operation.get();
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        // Start the delegate on the JDK's delay thread itself rather than the common pool: a blocked
        // common pool (one thread on a 2-CPU machine) must not hold back key operations. Starting an
        // operation is quick by the KeyOffloader contract.
        Executor later = CompletableFuture.delayedExecutor(latencyNanos, TimeUnit.NANOSECONDS, Runnable::run);
        later.execute(() -> {
            if (result.isDone()) {
                return;
            }
            try {
                operation.get().whenComplete((value, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(value);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
