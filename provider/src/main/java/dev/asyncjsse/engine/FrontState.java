package dev.asyncjsse.engine;

/**
 * The handshake lifecycle as the front ({@link AsyncEngine}) sees it. Closure is tracked apart: it
 * can happen in any state. {@link AsyncEngine} changes the state in one method, which checks every
 * transition against {@link #canMoveTo} and that the caller holds the engine's lock.
 */
enum FrontState {
    /** Created; no handshake has begun; the client/server mode may still change. */
    NEW,
    /** The handshake runs; nothing is awaited. A server may not have its protocol engine yet. */
    HANDSHAKING,
    /** The protocol engine waits for an {@link EngineWait}; the application sees offload pending. */
    WAITING,
    /** The handshake is complete; application data flows. */
    ESTABLISHED,
    /** A failure was reported; only closing records remain. */
    FAILED;

    boolean canMoveTo(FrontState next) {
        switch (this) {
            case NEW:
                return next == HANDSHAKING || next == FAILED;
            case HANDSHAKING:
                return next == WAITING || next == ESTABLISHED || next == FAILED;
            case WAITING:
                return next == HANDSHAKING;
            case ESTABLISHED:
                return next == FAILED;
            case FAILED:
                return false;
            default:
                throw new AssertionError("unknown front state " + this);
        }
    }
}
