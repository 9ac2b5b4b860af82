package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.conformance.interop.Matrix.ServerKey;
import dev.asyncjsse.testkit.ServerEngineProbe.Engine;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * Which TLS 1.3 server engine serves this JVM's AsyncJSSE connections. The property
 * {@code dev.asyncjsse.tls13} ({@code native} or {@code bc}, given to Maven as
 * {@code -Ddev.asyncjsse.tls13=...}) selects it; what counts here is the engine actually seen
 * serving an in-memory TLS 1.3 handshake ({@link ServerEngineProbe}), so tests that need the native
 * engine turn on by themselves as soon as it serves, whether by the property or by default.
 * Thread-safe; the probe runs once per JVM.
 */
final class EngineUnderTest {

    /** The system property that selects the TLS 1.3 server engine. */
    static final String PROPERTY = "dev.asyncjsse.tls13";

    private static Engine inEffect;

    private EngineUnderTest() {}

    /** The engine that served the probe handshake. */
    static synchronized Engine inEffect() {
        if (inEffect == null) {
            inEffect = probe();
        }
        return inEffect;
    }

    /** The value of {@link #PROPERTY}, or null when it is not set. */
    static String requested() {
        String v = System.getProperty(PROPERTY);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** True if this build contains the native engine's package at all. */
    static boolean nativeEnginePresent() {
        return AsyncJsseProvider.class.getClassLoader().getResource("dev/asyncjsse/tls13/") != null;
    }

    /**
     * Skips the calling test unless the native engine serves TLS 1.3 here.
     *
     * @param what what the test needs that the BCJSSE path cannot do, for the skip message
     */
    static void assumeNative(String what) {
        Assumptions.assumeTrue(inEffect() == Engine.NATIVE, () -> what + ": runs only on the native TLS 1.3 server engine (-D"
                + PROPERTY + "=native); this JVM serves TLS 1.3 with " + inEffect()
                + (nativeEnginePresent() ? "" : " (this build has no native engine yet)"));
    }

    private static Engine probe() {
        try {
            ServerSetup setup = ServerSetup.of(ServerKey.EC_P256);
            setup.handshakeInMemory();
            Set<Engine> seen = setup.probe.seen();
            if (seen.size() != 1) {
                throw new IllegalStateException("the probe handshake saw engines " + seen);
            }
            return seen.iterator().next();
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell which TLS 1.3 server engine is in effect", e);
        }
    }
}
