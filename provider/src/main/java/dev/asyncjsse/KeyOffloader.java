package dev.asyncjsse;

import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.CompletionStage;

/**
 * Performs private-key operations somewhere other than the calling thread: an HSM, a key
 * service, a worker pool or a crypto card.
 *
 * <p><b>Threading.</b> Methods are called from handshake job threads, many at once; implementations
 * must be thread-safe and must return quickly: start the operation and return a stage. Blocking
 * in these methods holds a job thread (and, below JDK 24, a platform thread).
 *
 * <p><b>Ownership.</b> The {@code message} and {@code ciphertext} arrays belong to the offloader
 * once passed; the returned array belongs to the engine.
 *
 * <p><b>Failure.</b> A stage that completes exceptionally, an exception thrown by the method, or a
 * stage that does not complete within the offload timeout fails that one handshake with an
 * {@link javax.net.ssl.SSLHandshakeException} naming the cause. When the engine is closed while an
 * operation is pending, the stage's {@code CompletableFuture} is cancelled. A stage may complete on
 * any thread, including the caller's.
 */
public interface KeyOffloader {

    /**
     * Signs {@code message} with {@code key}.
     *
     * @param key the application's real private key (a software key, a PKCS#11 handle, ...)
     * @param jcaAlgorithm the JCA signature algorithm, e.g. {@code NONEwithECDSA},
     *     {@code SHA256withECDSA}, {@code RSASSA-PSS}, {@code NONEwithRSA}, {@code Ed25519}
     * @param params the parameters to set before signing, or {@code null}
     * @param message the bytes to sign, exactly as the JCA {@code Signature.update} would receive them
     * @return the signature, in the encoding the JCA algorithm produces
     */
    CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message);

    /**
     * Decrypts {@code ciphertext} with {@code key}; used for TLS 1.2 RSA key exchange.
     *
     * @param key the application's real private key
     * @param jcaTransformation the JCA transformation, e.g. {@code RSA/ECB/PKCS1Padding}
     * @param ciphertext the encrypted pre-master secret
     * @return the plaintext; on a padding failure complete exceptionally, the engine then applies the
     *     TLS countermeasure (a random pre-master secret) so the failure is not observable by the peer
     */
    CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext);

    /**
     * Tells whether the offloader's queue is full. The engine asks before it starts a handshake step;
     * when true, the step is not started, no input is consumed, the engine reports
     * {@link AsyncStatus#EAGAIN}, and {@link #whenUnsaturated} arranges the wake-up.
     *
     * @return true to refuse new work for now; the default never refuses
     */
    default boolean isSaturated() {
        return false;
    }

    /**
     * Runs {@code listener} once, as soon as {@link #isSaturated()} may have become false (at once if it
     * already is). The listener is short and non-blocking.
     *
     * @param listener what to run
     */
    default void whenUnsaturated(Runnable listener) {
        listener.run();
    }
}
