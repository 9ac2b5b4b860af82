package dev.asyncjsse.conformance.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncjsse.testkit.ServerEngineProbe.Engine;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The engine the interop tests report on is the one asked for: {@code -Ddev.asyncjsse.tls13=bc}
 * must give the BCJSSE path, and {@code native} the native engine once the build has one. Without
 * the property, whatever the provider's default is serves, and the tests say which.
 */
class EngineSelectionTest {

    @Test
    void requestedEngineServes() {
        String requested = EngineUnderTest.requested();
        Assumptions.assumeTrue(requested != null, () -> "no -D" + EngineUnderTest.PROPERTY + ": the default engine serves, "
                + EngineUnderTest.inEffect());
        if (requested.equals("native")) {
            Assumptions.assumeTrue(EngineUnderTest.nativeEnginePresent(), "this build has no native TLS 1.3 engine yet");
        }
        assertEquals(requested.equals("native") ? Engine.NATIVE : Engine.BC, EngineUnderTest.inEffect(),
                "-D" + EngineUnderTest.PROPERTY + "=" + requested);
    }
}
