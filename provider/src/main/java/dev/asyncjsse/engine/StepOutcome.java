package dev.asyncjsse.engine;

import dev.asyncjsse.offload.HandshakeJob;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * What a finished handshake job on the BCJSSE path came to: the inner engine's result and the
 * application data it produced, or what it threw, and whether an offloaded operation failed.
 *
 * <p>Internal. Immutable; the application data is a read-only view.
 */
final class StepOutcome {

    final SSLEngineResult result;
    final Throwable failure;
    final Throwable offloadFailure;
    final ByteBuffer appData;
    final boolean parked;

    private StepOutcome(SSLEngineResult result, Throwable failure, Throwable offloadFailure, ByteBuffer appData,
                        boolean parked) {
        this.result = result;
        this.failure = failure;
        this.offloadFailure = offloadFailure;
        this.appData = appData;
        this.parked = parked;
    }

    /** The outcome of a job that is done; its work returned the inner result and filled {@code out}. */
    static StepOutcome of(HandshakeJob job, ByteBuffer out) {
        HandshakeJob.Outcome o = job.outcome();
        ByteBuffer data = out.duplicate();
        data.flip();
        return new StepOutcome((SSLEngineResult) o.value(), o.failure(), job.offloadFailure(),
                data.asReadOnlyBuffer(), job.hasParked());
    }

    boolean failed() {
        return failure != null;
    }

    /** The status to report while this outcome waits to be taken. */
    HandshakeStatus pendingStatus(HandshakeStatus innerStatus) {
        if (failure != null || result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            return HandshakeStatus.NEED_WRAP;
        }
        return appData.hasRemaining() ? HandshakeStatus.NEED_UNWRAP : innerStatus;
    }
}
