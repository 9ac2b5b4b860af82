package dev.asyncjsse.engine;

import javax.net.ssl.SSLEngineResult;

/**
 * What one {@code wrap} or {@code unwrap} call into a {@link ProtocolEngine} came to: either a result
 * the front passes on, or a wait (with the input the engine already took into the waiting step).
 *
 * <p>Immutable; safe to pass between threads.
 */
public final class Step {

    private final SSLEngineResult result;
    private final EngineWait wait;
    private final int bytesConsumed;

    private Step(SSLEngineResult result, EngineWait wait, int bytesConsumed) {
        this.result = result;
        this.wait = wait;
        this.bytesConsumed = bytesConsumed;
    }

    /**
     * The call finished with {@code result}.
     *
     * @param result the engine's result; not {@code null}
     * @return the step
     */
    public static Step done(SSLEngineResult result) {
        if (result == null) {
            throw new IllegalArgumentException("result must not be null");
        }
        return new Step(result, null, result.bytesConsumed());
    }

    /**
     * The call must wait for {@code wait} before the engine can go on. The engine's next call, once
     * the wait is done, continues where this one stopped.
     *
     * @param wait what the engine waits for; not {@code null}
     * @param bytesConsumed input bytes the engine took (and copied) before it had to wait
     * @return the step
     */
    public static Step waiting(EngineWait wait, int bytesConsumed) {
        if (wait == null) {
            throw new IllegalArgumentException("wait must not be null");
        }
        if (bytesConsumed < 0) {
            throw new IllegalArgumentException("bytesConsumed must not be negative: " + bytesConsumed);
        }
        return new Step(null, wait, bytesConsumed);
    }

    /** @return true if the engine waits; then {@link #awaited()} is set and {@link #result()} is null */
    public boolean isWaiting() {
        return wait != null;
    }

    /** @return the result of a finished call, or {@code null} for a waiting one */
    public SSLEngineResult result() {
        return result;
    }

    /** @return what a waiting call waits for, or {@code null} */
    public EngineWait awaited() {
        return wait;
    }

    /** @return the input bytes the call took */
    public int bytesConsumed() {
        return bytesConsumed;
    }

    @Override
    public String toString() {
        return wait != null ? "Step[waiting on " + wait + ", consumed " + bytesConsumed + "]" : "Step[" + result + "]";
    }
}
