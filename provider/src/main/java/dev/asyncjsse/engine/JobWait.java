package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.offload.HandshakeJob;

/**
 * A handshake job as an {@link EngineWait}: done when the job's work has returned or thrown. The job
 * bounds itself: every operation it awaits has the context's offload timeout.
 *
 * <p>Internal. Thread-safe.
 */
final class JobWait implements EngineWait {

    private final HandshakeJob job;

    JobWait(HandshakeJob job) {
        this.job = job;
    }

    @Override
    public boolean isDone() {
        return job.isDone();
    }

    @Override
    public void whenDone(Runnable action) {
        job.whenDone(action);
    }

    @Override
    public void awaitDone() throws InterruptedException {
        job.awaitDone();
    }

    @Override
    public boolean awaitDone(long nanos) throws InterruptedException {
        return job.awaitDone(nanos);
    }

    @Override
    public void cancel(String reason) {
        job.cancel(reason);
    }

    @Override
    public AsyncStatus status() {
        return AsyncStatus.OK;
    }

    @Override
    public String toString() {
        return "handshake job " + job.phase();
    }
}
