package dev.asyncjsse.offload;

import dev.asyncjsse.monitor.HandshakeTrace;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One handshake step run on a job thread: OpenSSL's {@code ASYNC_JOB}, with a Java thread as the fiber.
 *
 * <p>The thread that drives the engine (the <em>caller</em>) starts the job and waits for it to
 * <em>settle</em>: to finish, to park in {@link #await} on an unfinished operation, or to outlast the
 * caller's wait budget. If it finished, the caller takes the {@link Outcome} at once. Otherwise the
 * caller reports offload pending and registers {@link #whenDone}, which runs on the job thread when
 * the job finishes.
 *
 * <p>Internal: not part of the public API. All methods are thread-safe and lock-free: the caller (an
 * event loop) must never wait for a lock that a job thread holds, because on a busy machine the job
 * thread may be descheduled while holding it.
 */
public final class HandshakeJob {

    private static final ThreadLocal<HandshakeJob> CURRENT = new ThreadLocal<>();

    private final Work work;
    private final long timeoutNanos;
    private final HandshakeTrace trace;
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();
    private final AtomicReference<Throwable> offloadFailure = new AtomicReference<>();

    private volatile Phase phase = Phase.CREATED;
    private volatile boolean everParked;
    private volatile String cancelReason;
    private volatile Thread thread;
    private volatile CompletableFuture<?> awaiting;
    private volatile JobScheduler scheduler;

    /** The work of a step. It runs exactly once, on the job thread. */
    @FunctionalInterface
    public interface Work {
        Object run() throws Exception;
    }

    /** Where a job is in its life; it only moves forward, except PARKED back to RUNNING. */
    public enum Phase {
        /** Created, not yet running. */
        CREATED,
        /** Its work runs. */
        RUNNING,
        /** Its work waits in {@link #await} for an operation that has not completed. */
        PARKED,
        /** Its work has returned or thrown; the {@link Outcome} is set. */
        DONE
    }

    /** What the work came to: its value or what it threw. Immutable. */
    public static final class Outcome {
        private final Object value;
        private final Throwable failure;

        Outcome(Object value, Throwable failure) {
            this.value = value;
            this.failure = failure;
        }

        /** @return what the work returned, or {@code null} if it threw */
        public Object value() {
            return value;
        }

        /** @return what the work threw, or {@code null} */
        public Throwable failure() {
            return failure;
        }
    }

    /**
     * @param work the step
     * @param offloadTimeout how long one {@link #await} may wait
     * @param trace the handshake the step belongs to, for the key operations it makes; may be null
     */
    public HandshakeJob(Work work, Duration offloadTimeout, HandshakeTrace trace) {
        this.work = work;
        this.timeoutNanos = offloadTimeout.toNanos();
        this.trace = trace;
    }

    /** The handshake of the job the current thread runs, or {@code null}. */
    static HandshakeTrace currentTrace() {
        HandshakeJob job = CURRENT.get();
        return job != null ? job.trace : null;
    }

    /** The job the current thread runs, or {@code null}. */
    public static HandshakeJob current() {
        return CURRENT.get();
    }

    /**
     * Submits the job.
     *
     * @return false if the scheduler has no capacity; the job was not started and may be dropped
     */
    public boolean start(JobScheduler scheduler) {
        this.scheduler = scheduler;
        return scheduler.trySubmit(this::runOnJobThread);
    }

    /** The one place where {@link #phase} changes, checked: only forward, or PARKED back to RUNNING. */
    private void moveTo(Phase next) {
        Phase current = phase;
        boolean allowed = next.ordinal() > current.ordinal() || (current == Phase.PARKED && next == Phase.RUNNING);
        if (!allowed) {
            throw new IllegalStateException("handshake job cannot move from " + current + " to " + next);
        }
        phase = next;
    }

    private void runOnJobThread() {
        thread = Thread.currentThread();
        moveTo(Phase.RUNNING);
        Object value = null;
        Throwable thrown = null;
        CURRENT.set(this);
        scheduler.enterRunning();
        try {
            value = work.run();
        } catch (Throwable t) {
            thrown = t;
        } finally {
            scheduler.exitRunning();
            CURRENT.remove();
        }
        thread = null;
        moveTo(Phase.DONE);
        settled.complete(null);
        done.complete(new Outcome(value, thrown));
    }

    /**
     * Waits up to {@code budgetNanos} for the job to finish or park.
     *
     * @return true if the job is done and its outcome can be taken now
     */
    public boolean awaitSettled(long budgetNanos) {
        if (budgetNanos > 0 && !settled.isDone()) {
            try {
                settled.get(budgetNanos, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // budget spent: the caller reports pending
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return isDone();
    }

    /**
     * Runs {@code action} once the job is done: on the job thread, or at once on the calling thread if
     * it is done already. The action must be short.
     */
    public void whenDone(Runnable action) {
        done.whenComplete((outcome, never) -> action.run());
    }

    /** Waits, without a budget, until the job is done. Used by the delegated task of an unaware loop. */
    public void awaitDone() throws InterruptedException {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits up to {@code nanos} until the job is done. */
    public boolean awaitDone(long nanos) throws InterruptedException {
        try {
            done.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    public boolean isDone() {
        return done.isDone();
    }

    /** @return the job's phase now */
    public Phase phase() {
        return phase;
    }

    /** True once the job has parked on an operation that was not complete: it really waited. */
    public boolean hasParked() {
        return everParked;
    }

    public boolean isJobThread(Thread t) {
        return t != null && thread == t;
    }

    /** What the work came to; only once {@link #isDone()}, {@code null} before. */
    public Outcome outcome() {
        return done.getNow(null);
    }

    /** The first failure, timeout or cancellation of an awaited operation, or {@code null}. */
    public Throwable offloadFailure() {
        return offloadFailure.get();
    }

    /**
     * Cancels the operation the job waits for, and any it would wait for later. The job then fails
     * quickly; its completion hook still runs if the caller detached.
     */
    public void cancel(String reason) {
        if (cancelReason == null) {
            cancelReason = reason;
        }
        CompletableFuture<?> toCancel = awaiting;
        if (toCancel != null) {
            // cancel() would say nothing; the offloader and the monitor see the reason this way
            toCancel.completeExceptionally(new CancellationException(reason));
        }
    }

    /**
     * Waits for {@code stage}: parks the current job if there is one, otherwise blocks with the
     * default offload timeout.
     */
    public static <T> T await(CompletionStage<T> stage) {
        HandshakeJob job = CURRENT.get();
        CompletableFuture<T> future = asFuture(stage);
        if (job == null) {
            return waitOutsideJob(future, OffloadSettings.defaultTimeout().toNanos());
        }
        return job.park(future);
    }

    private <T> T park(CompletableFuture<T> future) {
        awaiting = future;
        try {
            // awaiting is published before cancelReason is read, and cancel() writes cancelReason before
            // reading awaiting: one of the two sides sees the other.
            if (cancelReason != null) {
                CancellationException cancelled = new CancellationException(cancelReason);
                future.completeExceptionally(cancelled);
                throw recordFailure(cancelled);
            }
            if (future.isDone()) {
                return future.get();
            }
            moveTo(Phase.PARKED);
            everParked = true;
            settled.complete(null);
            scheduler.exitRunning();
            try {
                return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
            } finally {
                scheduler.enterRunning();
            }
        } catch (TimeoutException e) {
            String message = timeoutMessage(timeoutNanos);
            future.completeExceptionally(new KeyOperationTimeoutException(message));
            throw recordFailure(new TimeoutException(message));
        } catch (CancellationException e) {
            String reason = cancelReason;
            CancellationException cancelled = new CancellationException(
                    reason != null ? reason : "offloaded operation was cancelled");
            throw recordFailure(cancelled);
        } catch (ExecutionException e) {
            throw recordFailure(e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw recordFailure(new CancellationException("handshake job was interrupted"));
        } finally {
            awaiting = null;
            if (phase == Phase.PARKED) {
                moveTo(Phase.RUNNING);
            }
        }
    }

    private CompletionException recordFailure(Throwable cause) {
        offloadFailure.compareAndSet(null, cause);
        return new CompletionException(cause.getMessage(), cause);
    }

    private static <T> T waitOutsideJob(CompletableFuture<T> future, long timeoutNanos) {
        try {
            return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            String message = timeoutMessage(timeoutNanos);
            future.completeExceptionally(new KeyOperationTimeoutException(message));
            throw new CompletionException(new TimeoutException(message));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CompletionException(cause.getMessage(), cause);
        } catch (CancellationException e) {
            throw new CompletionException("offloaded operation was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException("interrupted while waiting for an offloaded operation", e);
        }
    }

    private static String timeoutMessage(long timeoutNanos) {
        return "offloaded operation did not complete within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms";
    }

    /** The stage as a future that cancellation reaches: its own when it has one. */
    static <T> CompletableFuture<T> asFuture(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            CompletableFuture<T> bridge = new CompletableFuture<>();
            stage.whenComplete((value, error) -> {
                if (error != null) {
                    bridge.completeExceptionally(error);
                } else {
                    bridge.complete(value);
                }
            });
            return bridge;
        }
    }
}
