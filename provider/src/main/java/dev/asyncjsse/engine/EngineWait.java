package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncStatus;

/**
 * Something a {@link ProtocolEngine} waits for before its handshake can go on: a handshake job on the
 * BCJSSE path, a key operation's {@code CompletionStage} or an offloader's capacity on a native one.
 * The front turns it into the <em>offload pending</em> result, the {@link AsyncStatus}, the wake-up
 * callback and the waiting delegated task; the engine only says what it waits for.
 *
 * <p>Threading. Every method may be called from any thread, concurrently, and must not block except
 * {@link #awaitDone()} and {@link #awaitDone(long)}. The front calls {@link #whenDone} once per wait,
 * with its lock held, and never re-enters the engine from the action.
 *
 * <p>An engine should return a wait only for something not yet done: a wait that is already done is
 * still reported as pending, and the application is woken from another thread.
 *
 * <p>Failure. A wait does not fail: what went wrong (a timeout, a failed or cancelled operation) is
 * reported by the engine's next {@code wrap}/{@code unwrap}, which the front calls once the wait is
 * done.
 */
public interface EngineWait {

    /**
     * Tells whether what the engine waits for has happened, so that its next call can go on.
     *
     * @return true once done; never false again after that
     */
    boolean isDone();

    /**
     * Runs {@code action} once, when the wait is done: on the thread that completes it, or at once on
     * the calling thread if it is already done. The action is short and does not block.
     *
     * @param action what to run
     */
    void whenDone(Runnable action);

    /**
     * Blocks until the wait is done or its own bound (the offload timeout) has passed. This is the
     * delegated task an application that knows nothing of offload runs.
     *
     * @throws InterruptedException if the waiting thread is interrupted
     */
    void awaitDone() throws InterruptedException;

    /**
     * Blocks up to {@code nanos} until the wait is done.
     *
     * @param nanos the longest wait
     * @return true if it is done
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitDone(long nanos) throws InterruptedException;

    /**
     * Gives up what the engine waits for (the engine is being closed): a pending operation's stage is
     * cancelled, so the wait becomes done soon, and the engine's next call reports the cancellation.
     *
     * @param reason why, for the exception that reports it
     */
    void cancel(String reason);

    /**
     * What {@code getAsyncStatus()} reports while this wait lasts.
     *
     * @return {@link AsyncStatus#OK} when an operation is in flight, {@link AsyncStatus#EAGAIN} when
     *     the engine waits for capacity to start one
     */
    AsyncStatus status();
}
