package dev.asyncjsse.engine;

/**
 * The handshake lifecycle of an {@link AsyncEngine}, as the decorator sees it. Closure is the inner
 * engine's business and is not repeated here. {@link AsyncEngine#moveTo} is the one place where the
 * state changes, and it checks every transition against {@link #canMoveTo}.
 */
enum EngineState {
    /** Created; no handshake has begun. The client/server mode may still change. */
    NEW,
    /** The handshake runs, with no step in a job. */
    HANDSHAKING,
    /** A handshake step runs in a job and its caller has returned offload pending. */
    STEP_PENDING,
    /** A step could not start because job capacity or the offloader was exhausted (EAGAIN). */
    CAPACITY_WAIT,
    /** A step's job finished; its result waits for the next {@code wrap}/{@code unwrap}. */
    STEP_DONE,
    /** The handshake is complete; application data flows inline. */
    ESTABLISHED,
    /** The handshake failed and the failure was reported; only closing records remain. */
    FAILED;

    boolean canMoveTo(EngineState next) {
        switch (this) {
            case NEW:
                return next == HANDSHAKING || next == FAILED;
            case HANDSHAKING:
                return next == STEP_PENDING || next == CAPACITY_WAIT || next == STEP_DONE
                        || next == ESTABLISHED || next == FAILED;
            case STEP_PENDING:
                return next == STEP_DONE;
            case CAPACITY_WAIT:
                return next == HANDSHAKING || next == FAILED;
            case STEP_DONE:
                return next == HANDSHAKING || next == ESTABLISHED || next == FAILED;
            case ESTABLISHED:
                return next == FAILED;
            case FAILED:
                return false;
            default:
                throw new AssertionError(this);
        }
    }

    /** True while the engine must not call into the inner engine from another thread. */
    boolean stepInFlight() {
        return this == STEP_PENDING;
    }

    boolean offloadPending() {
        return this == STEP_PENDING || this == CAPACITY_WAIT;
    }
}
