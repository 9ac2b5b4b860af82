package dev.asyncjsse.offload;

import dev.asyncjsse.KeyOffloader;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Wraps the application's {@link KeyOffloader} so that its misbehaviour becomes an ordinary failed
 * operation: an exception thrown by {@code sign}/{@code decrypt}, or a {@code null} stage, turns into a
 * failed stage, which the handshake job records and the engine reports with {@code AsyncStatus.ERR}
 * and an {@code SSLHandshakeException} naming it.
 *
 * <p>Internal: not part of the public API. Thread-safe if the delegate is.
 */
public final class GuardedKeyOffloader implements KeyOffloader {

    private final KeyOffloader delegate;

    private GuardedKeyOffloader(KeyOffloader delegate) {
        this.delegate = delegate;
    }

    /** {@code offloader} guarded, or {@code null} for {@code null}. */
    public static KeyOffloader guard(KeyOffloader offloader) {
        if (offloader == null || offloader instanceof GuardedKeyOffloader) {
            return offloader;
        }
        return new GuardedKeyOffloader(offloader);
    }

    /** The application's offloader. */
    public KeyOffloader delegate() {
        return delegate;
    }

    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        try {
            return nonNull(delegate.sign(key, jcaAlgorithm, params, message), "sign(" + jcaAlgorithm + ")");
        } catch (RuntimeException | LinkageError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        try {
            return nonNull(delegate.decrypt(key, jcaTransformation, ciphertext), "decrypt(" + jcaTransformation + ")");
        } catch (RuntimeException | LinkageError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<byte[]> nonNull(CompletionStage<byte[]> stage, String what) {
        if (stage == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "key offloader " + delegate.getClass().getName() + " returned no stage from " + what));
        }
        return stage;
    }

    @Override
    public boolean isSaturated() {
        try {
            return delegate.isSaturated();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void whenUnsaturated(Runnable listener) {
        delegate.whenUnsaturated(listener);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
