package dev.asyncjsse.engine;

import dev.asyncjsse.AsyncSSLEngine;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;

/**
 * Maps Bouncy Castle's inner engines to the {@link AsyncSSLEngine}s that decorate them, so that key
 * managers, trust managers and selectors called by Bouncy Castle with its own engine see the
 * application's. Entries vanish when the engines become unreachable.
 *
 * <p>Internal. Thread-safe.
 */
final class EngineRegistry {

    private final Map<SSLEngine, WeakReference<AsyncSSLEngine>> engines = new WeakHashMap<>();

    synchronized void register(SSLEngine inner, AsyncSSLEngine outer) {
        engines.put(inner, new WeakReference<>(outer));
    }

    /** The decorator of {@code inner}, or {@code inner} itself if it is not one of ours. */
    SSLEngine outer(SSLEngine inner) {
        if (inner == null || inner instanceof AsyncSSLEngine) {
            return inner;
        }
        WeakReference<AsyncSSLEngine> ref;
        synchronized (this) {
            ref = engines.get(inner);
        }
        AsyncSSLEngine outer = ref != null ? ref.get() : null;
        return outer != null ? outer : inner;
    }
}
