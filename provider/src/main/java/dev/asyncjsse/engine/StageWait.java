package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncStatus;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * An {@link EngineWait} over a {@code CompletionStage}: a key operation's stage (status
 * {@link AsyncStatus#OK}), or the wake-up of a resource without capacity (status
 * {@link AsyncStatus#EAGAIN}). Done when the stage completes in any way, or when the wait is
 * cancelled; what the stage came to is the engine's to read on its next call.
 *
 * <p>Internal: for {@link ProtocolEngine}s. Thread-safe.
 */
public final class StageWait implements EngineWait {

    private final CompletableFuture<?> stage;
    private final AsyncStatus status;
    private final long boundNanos;
    private volatile String cancelReason;

    private StageWait(CompletableFuture<?> stage, AsyncStatus status, Duration bound) {
        this.stage = stage;
        this.status = status;
        this.boundNanos = bound.toNanos();
    }

    /**
     * A wait for {@code stage}.
     *
     * @param stage what the engine waits for; cancelling the wait cancels it
     * @param status what the application sees meanwhile: {@code OK} or {@code EAGAIN}
     * @param bound the longest the delegated task of an unaware loop waits
     * @return the wait
     */
    public static StageWait of(CompletionStage<?> stage, AsyncStatus status, Duration bound) {
        return new StageWait(stage.toCompletableFuture(), status, bound);
    }

    /**
     * A wait for capacity: registers a listener with {@code registrar} (e.g. {@code
     * scheduler::whenCapacity}, which may run it at once) and is done when it runs.
     *
     * @param registrar registers a one-shot listener
     * @param bound the longest the delegated task of an unaware loop waits
     * @return the wait, status {@link AsyncStatus#EAGAIN}
     */
    public static StageWait forCapacity(Consumer<Runnable> registrar, Duration bound) {
        CompletableFuture<Void> free = new CompletableFuture<>();
        registrar.accept(() -> free.complete(null));
        return new StageWait(free, AsyncStatus.EAGAIN, bound);
    }

    /** @return why the wait was cancelled, or {@code null} */
    public String cancelReason() {
        return cancelReason;
    }

    @Override
    public boolean isDone() {
        return stage.isDone();
    }

    @Override
    public void whenDone(Runnable action) {
        stage.whenComplete((value, failure) -> action.run());
    }

    @Override
    public void awaitDone() throws InterruptedException {
        awaitDone(boundNanos);
    }

    @Override
    public boolean awaitDone(long nanos) throws InterruptedException {
        try {
            stage.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException | CancellationException e) {
            // done: what went wrong is the engine's to report
        }
        return true;
    }

    @Override
    public void cancel(String reason) {
        cancelReason = reason;
        stage.cancel(false);
    }

    @Override
    public AsyncStatus status() {
        return status;
    }

    @Override
    public String toString() {
        return "StageWait[" + status + (stage.isDone() ? ", done" : "") + "]";
    }
}
