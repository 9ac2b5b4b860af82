package dev.asyncjsse.engine;

import dev.asyncjsse.monitor.ContextMonitor;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * Words for what went wrong with an offloaded operation, for exception messages.
 *
 * <p>Internal.
 */
final class Failures {

    private Failures() {}

    static String describe(Throwable offloadFailure) {
        if (offloadFailure instanceof TimeoutException) {
            return "timed out: " + offloadFailure.getMessage();
        }
        if (offloadFailure instanceof CancellationException) {
            return "cancelled: " + offloadFailure.getMessage();
        }
        return ContextMonitor.describe(offloadFailure);
    }
}
