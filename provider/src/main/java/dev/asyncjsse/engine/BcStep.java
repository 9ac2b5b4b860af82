package dev.asyncjsse.engine;

import dev.asyncjsse.offload.HandshakeJob;
import java.nio.ByteBuffer;

/**
 * A handshake job of the BCJSSE path with the buffer its inner {@code unwrap} writes into. Its
 * {@link StepOutcome} is built once the job is done, from immutable parts, so any thread may ask.
 *
 * <p>Internal. Thread-safe.
 */
final class BcStep {

    final HandshakeJob job;
    /** The step may use the offloader (and so learns whether key steps park). */
    final boolean keyStep;
    private final ByteBuffer out;

    BcStep(HandshakeJob job, ByteBuffer out, boolean keyStep) {
        this.job = job;
        this.out = out;
        this.keyStep = keyStep;
    }

    /** The outcome; only once {@code job.isDone()}. */
    StepOutcome outcome() {
        return StepOutcome.of(job, out);
    }
}
