package dev.asyncjsse.tls13;

import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.engine.EngineWait;
import dev.asyncjsse.offload.KeyOperationTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What a paused handshake waits for: a key operation's stage, offloader capacity, or a job running a
 * key or trust manager. No thread waits for it; it is <em>settled</em> when the awaited thing
 * completes, fails, times out or is cancelled, and then the engine's next {@code wrap}/{@code unwrap}
 * takes its outcome.
 *
 * <p>Threading: settled from whichever thread completes the awaited thing (an offloader's thread,
 * the JDK's timeout thread, a job thread, or a thread calling {@link #cancel}); read by the engine's
 * caller. {@link #whenDone} runs its action once, on the settling thread, or at once if already done.
 *
 * <p>Internal. Thread-safe.
 */
public final class PendingOperation implements EngineWait {

    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AsyncStatus status;
    /** The thread that drove the engine into this wait: the application's. */
    private final Thread driver = Thread.currentThread();
    private volatile Consumer<String> canceller;
    private volatile Object value;
    private volatile Throwable failure;

    private PendingOperation(AsyncStatus status) {
        this.status = status;
    }

    /** A wait settled by {@link #settle} or {@link #fail}, and by {@link #cancel} through {@code canceller}. */
    static PendingOperation manual(AsyncStatus status, Consumer<String> canceller) {
        PendingOperation op = new PendingOperation(status);
        op.canceller = canceller;
        return op;
    }

    /**
     * Waits for {@code stage}, at most {@code timeout}. A stage already complete settles at once; a
     * cancellation completes the stage's future with a {@link CancellationException} naming the reason
     * (the offloader sees {@code isCancelled()}, as its contract promises), and a timeout
     * completes it with a {@link KeyOperationTimeoutException} (a cancellation too, for the offloader,
     * which the offloader guard reports as a timeout).
     */
    static <T> PendingOperation forStage(CompletionStage<T> stage, Duration timeout, String what) {
        PendingOperation op = new PendingOperation(AsyncStatus.OK);
        CompletableFuture<T> future = asFuture(stage);
        // cancel() would say nothing; this way the offloader and the monitor see the reason
        op.canceller = reason -> future.completeExceptionally(new CancellationException(reason));
        future.whenComplete((v, e) -> {
            if (e != null) {
                op.finish(null, unwrap(e));
            } else {
                op.finish(v, null);
            }
        });
        op.limit(timeout, what, () -> future.completeExceptionally(
                new KeyOperationTimeoutException(what + " timed out after " + timeout.toMillis() + " ms")));
        return op;
    }

    /**
     * The value of {@code stage} if it has already completed normally, else {@code null} (not done
     * yet, failed or cancelled: those go through {@link #forStage}, which reports them). Lets an engine
     * whose offloader answered at once go on without a wait object.
     */
    static <T> T valueIfDone(CompletionStage<T> stage) {
        CompletableFuture<T> future;
        try {
            future = stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            return null;
        }
        return future.isDone() && !future.isCompletedExceptionally() ? future.getNow(null) : null;
    }

    /**
     * Bounds the wait: after {@code timeout} it settles with a {@link TimeoutException} and then runs
     * {@code onTimeout}. The timer is the JDK's shared delay scheduler and is cancelled when the wait
     * settles earlier, so nothing is held per wait once it is over.
     */
    void limit(Duration timeout, String what, Runnable onTimeout) {
        if (settled.isDone()) {
            return;
        }
        CompletableFuture<Void> watchdog = new CompletableFuture<>();
        watchdog.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((v, e) -> {
            // the operation is cancelled before anyone hears that the wait is over
            if (e instanceof TimeoutException
                    && claim(null, new TimeoutException(what + " timed out: it did not complete within " + timeout.toMillis() + " ms"))) {
                onTimeout.run();
                settled.complete(null);
            }
        });
        settled.whenComplete((v, e) -> watchdog.complete(null));
    }

    void settle() {
        finish(null, null);
    }

    void fail(Throwable cause) {
        finish(null, cause);
    }

    /** Records the outcome and settles, once: the first outcome wins. */
    private boolean finish(Object v, Throwable e) {
        if (!claim(v, e)) {
            return false;
        }
        settled.complete(null);
        return true;
    }

    /** Records the outcome if none was recorded yet; the caller then settles. */
    private boolean claim(Object v, Throwable e) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        value = v;
        failure = e;
        return true;
    }

    /** Whether the awaited thing is over, whatever its outcome. */
    @Override
    public boolean isDone() {
        return settled.isDone();
    }

    /**
     * Runs {@code action} once when this is settled: on the thread that settles it, except when that is
     * the application's thread that drove the engine into the wait (an offloader completing its stage
     * on the caller's thread): then on another thread, so that the wake-up never runs inside the
     * application's own call stack.
     */
    @Override
    public void whenDone(Runnable action) {
        settled.whenComplete((v, e) -> {
            if (Thread.currentThread() == driver) {
                CompletableFuture.runAsync(action);
            } else {
                action.run();
            }
        });
    }

    /**
     * Blocks until settled; for the delegated task of a loop that knows nothing of offload. Every wait
     * the engine creates is bounded by the offload timeout ({@link #limit}), so this ends.
     */
    @Override
    public void awaitDone() throws InterruptedException {
        try {
            settled.get();
        } catch (ExecutionException e) {
            throw new AssertionError("settled never completes exceptionally", e);
        }
    }

    @Override
    public boolean awaitDone(long nanos) throws InterruptedException {
        try {
            settled.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new AssertionError("settled never completes exceptionally", e);
        }
    }

    /** Cancels the awaited thing; the engine then reports {@code reason} if it is ever asked. */
    @Override
    public void cancel(String reason) {
        if (claim(null, new CancellationException(reason))) {
            Consumer<String> c = canceller;
            if (c != null) {
                c.accept(reason);
            }
            settled.complete(null);
        }
    }

    /** {@link AsyncStatus#EAGAIN} for a capacity wait, {@link AsyncStatus#OK} otherwise. */
    @Override
    public AsyncStatus status() {
        return status;
    }

    /** The stage's value; meaningful once settled without a failure. */
    Object value() {
        return value;
    }

    /** Why the wait failed (timeout, cancellation, the operation's own failure), or {@code null}. */
    Throwable failure() {
        return failure;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static <T> CompletableFuture<T> asFuture(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            CompletableFuture<T> bridge = new CompletableFuture<>();
            stage.whenComplete((v, err) -> {
                if (err != null) {
                    bridge.completeExceptionally(err);
                } else {
                    bridge.complete(v);
                }
            });
            return bridge;
        }
    }
}
