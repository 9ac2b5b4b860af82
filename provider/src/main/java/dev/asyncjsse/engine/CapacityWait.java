package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A wait for capacity ({@link AsyncStatus#EAGAIN}): the job scheduler or the offloader had no room, so
 * the step did not start and took no input. Done when the resource's listener fires (a retry may
 * succeed) or when the wait is cancelled.
 *
 * <p>Internal. Thread-safe.
 */
final class CapacityWait implements EngineWait {

    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final long boundNanos;

    private CapacityWait(Duration bound) {
        this.boundNanos = bound.toNanos();
    }

    /**
     * A wait registered with {@code registrar} (e.g. {@code scheduler::whenCapacity}), which may run
     * the listener at once.
     */
    static CapacityWait register(Consumer<Runnable> registrar, Duration bound) {
        CapacityWait wait = new CapacityWait(bound);
        registrar.accept(wait::free);
        return wait;
    }

    private void free() {
        ready.complete(null);
    }

    @Override
    public boolean isDone() {
        return ready.isDone();
    }

    @Override
    public void whenDone(Runnable action) {
        ready.whenComplete((v, never) -> action.run());
    }

    @Override
    public void awaitDone() throws InterruptedException {
        awaitDone(boundNanos);
    }

    @Override
    public boolean awaitDone(long nanos) throws InterruptedException {
        try {
            ready.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void cancel(String reason) {
        free();
    }

    @Override
    public AsyncStatus status() {
        return AsyncStatus.EAGAIN;
    }

    @Override
    public String toString() {
        return "capacity" + (ready.isDone() ? " (free)" : "");
    }
}
