package dev.asyncjsse.engine;

import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The application's settings of one engine as a {@link ProtocolEngine} receives them: validated by the
 * front, complete, and replaced as a whole on every change.
 *
 * <p>Immutable by contract: the parameters object is a copy that nobody changes after it is built;
 * engines must not change it either. Safe to share between threads.
 */
public final class EngineSettings {

    private final SSLParameters parameters;
    private final boolean sessionCreation;
    private final BiFunction<SSLEngine, List<String>, String> applicationProtocolSelector;
    private final boolean customized;

    private EngineSettings(SSLParameters parameters, boolean sessionCreation,
                           BiFunction<SSLEngine, List<String>, String> applicationProtocolSelector, boolean customized) {
        this.parameters = parameters;
        this.sessionCreation = sessionCreation;
        this.applicationProtocolSelector = applicationProtocolSelector;
        this.customized = customized;
    }

    /** The settings of a new engine: the context's defaults. */
    static EngineSettings defaults(SSLParameters parameters) {
        return new EngineSettings(parameters, true, null, false);
    }

    EngineSettings withParameters(SSLParameters changed) {
        return new EngineSettings(changed, sessionCreation, applicationProtocolSelector, true);
    }

    /** The defaults of the other mode, taken over when the mode changes: still the context's defaults. */
    EngineSettings withModeDefaults(SSLParameters changed) {
        return new EngineSettings(changed, sessionCreation, applicationProtocolSelector, customized);
    }

    EngineSettings withSessionCreation(boolean flag) {
        return new EngineSettings(parameters, flag, applicationProtocolSelector, true);
    }

    EngineSettings withSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        return new EngineSettings(parameters, sessionCreation, selector, true);
    }

    /** @return the parameters (suites and protocols validated); read only */
    public SSLParameters parameters() {
        return parameters;
    }

    /** @return whether new sessions may be created ({@code SSLEngine.setEnableSessionCreation}) */
    public boolean sessionCreation() {
        return sessionCreation;
    }

    /**
     * The application's ALPN selector, or {@code null}. Call it with the application's engine
     * ({@link EngineSetup#engine()}), never with an engine of one's own.
     *
     * @return the selector
     */
    public BiFunction<SSLEngine, List<String>, String> applicationProtocolSelector() {
        return applicationProtocolSelector;
    }

    /** @return false while these are the context's defaults for the engine's mode, untouched by the application */
    public boolean customized() {
        return customized;
    }
}
