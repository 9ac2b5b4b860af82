package dev.asyncjsse.monitor;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Keeps Bouncy Castle's TLS loggers quiet. BCJSSE logs through {@code java.util.logging} under
 * {@code org.bouncycastle.jsse}: INFO lines at start-up and for every connection, and a WARNING for
 * each {@code jdk.certpath.disabledAlgorithms} entry it does not know, which looks like a
 * misconfiguration but is not. Inside AsyncJSSE the engine reports what matters itself.
 *
 * <p>Unless the switch {@value #PROPERTY}{@code =true} is set (system or security property), or the
 * JUL configuration or the application set a level for {@code org.bouncycastle.jsse} or
 * {@code org.bouncycastle}, the
 * {@code org.bouncycastle.jsse} logger is set to {@code OFF}. java.util.logging holds loggers
 * weakly, so this class keeps a reference: the level sticks. The loggers are the JVM's, so this also
 * quiets a BCJSSE the application installed itself.
 *
 * <p>Internal: not part of the public API; the property is. Thread-safe; the first call decides.
 */
public final class BouncyCastleLogs {

    /** Set to {@code true} to leave Bouncy Castle's loggers as the JUL configuration has them. */
    public static final String PROPERTY = "dev.asyncjsse.bcLogging";

    /** The logger BCJSSE's classes log under (their class names start with it). */
    static final String BCJSSE_LOGGER = "org.bouncycastle.jsse";

    private static final List<String> CONFIGURABLE = List.of(BCJSSE_LOGGER, "org.bouncycastle");
    private static Logger held;

    private BouncyCastleLogs() {}

    /** Quiets BCJSSE's loggers unless told not to; call before Bouncy Castle's TLS provider is built. */
    public static synchronized void quiet() {
        if (held != null || wanted()) {
            return;
        }
        LogManager manager = LogManager.getLogManager();
        for (String name : CONFIGURABLE) {
            Logger existing = manager.getLogger(name);
            if (manager.getProperty(name + ".level") != null || (existing != null && existing.getLevel() != null)) {
                return;
            }
        }
        Logger logger = Logger.getLogger(BCJSSE_LOGGER);
        logger.setLevel(Level.OFF);
        held = logger;
    }

    private static boolean wanted() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            value = java.security.Security.getProperty(PROPERTY);
        }
        return value != null && value.trim().equalsIgnoreCase("true");
    }
}
