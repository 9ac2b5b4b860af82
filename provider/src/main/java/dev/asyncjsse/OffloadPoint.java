package dev.asyncjsse;

import dev.asyncjsse.offload.HandshakeJob;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The one place where a handshake waits for something slow.
 *
 * <p>Key managers, trust managers and the JCA bridge call {@link #await} with the stage of an
 * asynchronous operation (a key operation, a certificate lookup, a revocation check). Inside a
 * handshake job of an {@link AsyncSSLEngine} it parks the job: the engine returns <em>offload
 * pending</em> to its caller at once and fires the {@link OffloadCallback} when the step is done.
 * Outside a job (a plain synchronous engine, a socket, any other thread) it simply waits.
 *
 * <p><b>Threading.</b> May be called from any thread. The wait is bounded by the engine's offload
 * timeout inside a job, and by the default offload timeout
 * ({@value dev.asyncjsse.offload.OffloadSettings#TIMEOUT_PROPERTY}, 10 s unless set) outside one.
 *
 * <p><b>Failure.</b> If the stage completes exceptionally, times out, or is cancelled because the
 * engine was closed, {@code await} throws a {@link CompletionException} whose cause says which.
 */
public final class OffloadPoint {

    private OffloadPoint() {}

    /**
     * Waits for {@code stage}, parking the current handshake job if there is one.
     *
     * @param stage the operation to wait for; not {@code null}
     * @param <T> the type of its result
     * @return the stage's result
     * @throws CompletionException if the stage failed, timed out or was cancelled; its cause
     *     explains which
     */
    public static <T> T await(CompletionStage<T> stage) {
        if (stage == null) {
            throw new IllegalArgumentException("stage must not be null");
        }
        return HandshakeJob.await(stage);
    }

    /**
     * Tells whether the current thread runs a handshake job, so that {@link #await} would park rather
     * than block.
     *
     * @return true on a handshake job's thread
     */
    public static boolean inHandshakeJob() {
        return HandshakeJob.current() != null;
    }
}
