package dev.asyncjsse.offload;

import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.monitor.ContextMonitor;
import dev.asyncjsse.monitor.HandshakeTrace;
import dev.asyncjsse.monitor.KeyOperationOutcome;
import dev.asyncjsse.monitor.KeyOperationTrace;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Wraps the application's {@link KeyOffloader}; every private-key operation of a context passes
 * here, whichever engine asks for it. It does two things:
 * <ul>
 * <li>turns misbehaviour into an ordinary failed operation: an exception thrown by
 *     {@code sign}/{@code decrypt}, or a {@code null} stage, becomes a failed stage, which the
 *     handshake reports with {@code AsyncStatus.ERR} and an {@code SSLHandshakeException} naming it;
 * <li>reports each operation to the context's {@link ContextMonitor}: counters, latency, the JFR
 *     event and the log lines, with its outcome (ok, failed, timed out, cancelled).
 * </ul>
 *
 * <p>The stage it returns is the delegate's own {@code CompletableFuture} when it has one, so that
 * cancelling it (engine closed) or completing it with a {@link KeyOperationTimeoutException}
 * (timeout) reaches the offloader.
 *
 * <p>Internal: not part of the public API. Thread-safe if the delegate is.
 */
public final class GuardedKeyOffloader implements KeyOffloader {

    private final KeyOffloader delegate;
    private final ContextMonitor monitor;

    private GuardedKeyOffloader(KeyOffloader delegate, ContextMonitor monitor) {
        this.delegate = delegate;
        this.monitor = monitor;
    }

    /** {@code offloader} guarded and reporting to {@code monitor}, or {@code null} for {@code null}. */
    public static KeyOffloader guard(KeyOffloader offloader, ContextMonitor monitor) {
        if (offloader instanceof GuardedKeyOffloader) {
            GuardedKeyOffloader guarded = (GuardedKeyOffloader) offloader;
            if (guarded.monitor == monitor) {
                return guarded;
            }
            offloader = guarded.delegate;
        }
        return offloader == null ? null : new GuardedKeyOffloader(offloader, monitor);
    }

    /** The application's offloader. */
    public KeyOffloader delegate() {
        return delegate;
    }

    /** Signs for the handshake job running on this thread, if any. */
    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        return sign(HandshakeJob.currentTrace(), key, jcaAlgorithm, params, message);
    }

    /**
     * Signs for the handshake {@code owner}: for engines that call the offloader outside a job.
     *
     * @param owner the handshake, or {@code null}
     */
    public CompletionStage<byte[]> sign(HandshakeTrace owner, PrivateKey key, String jcaAlgorithm,
                                        AlgorithmParameterSpec params, byte[] message) {
        KeyOperationTrace trace = monitor.keyOperationSubmitted(owner, "sign", jcaAlgorithm, key);
        return watch(trace, "sign", jcaAlgorithm, d -> d instanceof ExecutorKeyOffloader
                ? ((ExecutorKeyOffloader) d).sign(key, jcaAlgorithm, params, message, trace::running)
                : d.sign(key, jcaAlgorithm, params, message));
    }

    /** Decrypts for the handshake job running on this thread, if any. */
    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        return decrypt(HandshakeJob.currentTrace(), key, jcaTransformation, ciphertext);
    }

    /**
     * Decrypts for the handshake {@code owner}: for engines that call the offloader outside a job.
     *
     * @param owner the handshake, or {@code null}
     */
    public CompletionStage<byte[]> decrypt(HandshakeTrace owner, PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        KeyOperationTrace trace = monitor.keyOperationSubmitted(owner, "decrypt", jcaTransformation, key);
        return watch(trace, "decrypt", jcaTransformation, d -> d instanceof ExecutorKeyOffloader
                ? ((ExecutorKeyOffloader) d).decrypt(key, jcaTransformation, ciphertext, trace::running)
                : d.decrypt(key, jcaTransformation, ciphertext));
    }

    private CompletionStage<byte[]> watch(KeyOperationTrace trace, String method, String algorithm,
                                          Function<KeyOffloader, CompletionStage<byte[]>> operation) {
        CompletableFuture<byte[]> future;
        try {
            CompletionStage<byte[]> stage = operation.apply(delegate);
            future = stage != null ? HandshakeJob.asFuture(stage) : CompletableFuture.failedFuture(new IllegalStateException(
                    "key offloader " + delegate.getClass().getName() + " returned no stage from " + method + "(" + algorithm + ")"));
        } catch (RuntimeException | LinkageError e) {
            future = CompletableFuture.failedFuture(e);
        }
        // The caller sees the operation end only once it is recorded: a future's dependents run in no
        // promised order, and a handshake woken first could finish before its key operation is counted.
        CompletableFuture<byte[]> source = future;
        CompletableFuture<byte[]> observed = new CompletableFuture<>();
        source.whenComplete((result, error) -> {
            if (error == null && (result == null || result.length == 0)) {
                trace.finished(KeyOperationOutcome.FAILED, new IllegalStateException(
                        "key offloader " + delegate.getClass().getName() + " returned an empty result from " + method
                                + "(" + algorithm + ")"));
            } else {
                trace.finished(outcome(error), error);
            }
            if (error != null) {
                observed.completeExceptionally(error);
            } else {
                observed.complete(result);
            }
        });
        // a cancellation or a timeout the caller applies to what it was given reaches the operation itself
        observed.whenComplete((result, error) -> {
            if (error != null) {
                source.completeExceptionally(error);
            }
        });
        return observed;
    }

    private static KeyOperationOutcome outcome(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e == null) {
            return KeyOperationOutcome.OK;
        }
        if (e instanceof KeyOperationTimeoutException) {
            return KeyOperationOutcome.TIMED_OUT;
        }
        if (e instanceof CancellationException) {
            return KeyOperationOutcome.CANCELLED;
        }
        return KeyOperationOutcome.FAILED;
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
