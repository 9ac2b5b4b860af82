package dev.asyncjsse.tls13;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.monitor.HandshakeTrace;
import dev.asyncjsse.offload.JobScheduler;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * Everything a {@link Tls13ServerEngine} is created with: the application's engine (the one key
 * managers, trust managers and the ALPN selector are handed), a snapshot of its parameters, the
 * context's managers, offload settings and shared data, and the peer's address.
 *
 * <p>Internal. Immutable once built; the parameters object is the engine's own copy.
 */
public final class NativeSetup {

    final AsyncSSLEngine application;
    final SSLParameters parameters;
    final X509KeyManager keyManager;
    final X509TrustManager trustManager;
    /** Read per key operation: the application may change the context's offloader at any time. */
    final Supplier<KeyOffloader> offloader;
    final Duration offloadTimeout;
    final JobScheduler scheduler;
    final long waitBudgetNanos;
    final NativeContext context;
    final BiFunction<SSLEngine, List<String>, String> protocolSelector;
    /** The monitor's record of this handshake, for the key operations it makes; {@code null} in tests. */
    final HandshakeTrace trace;

    private NativeSetup(Builder b) {
        this.application = b.application;
        this.parameters = b.parameters;
        this.keyManager = b.keyManager;
        this.trustManager = b.trustManager;
        this.offloader = b.offloader;
        this.offloadTimeout = b.offloadTimeout;
        this.scheduler = b.scheduler;
        this.waitBudgetNanos = b.waitBudgetNanos;
        this.context = b.context;
        this.protocolSelector = b.protocolSelector;
        this.trace = b.trace;
    }

    public static Builder builder(AsyncSSLEngine application, NativeContext context) {
        return new Builder(application, context);
    }

    /** Collects the setup; only the application engine and the context are required. */
    public static final class Builder {
        private final AsyncSSLEngine application;
        private final NativeContext context;
        private SSLParameters parameters = new SSLParameters();
        private X509KeyManager keyManager;
        private X509TrustManager trustManager;
        private Supplier<KeyOffloader> offloader = () -> null;
        private Duration offloadTimeout = Duration.ofSeconds(10);
        private JobScheduler scheduler;
        private long waitBudgetNanos = 1_000_000;
        private BiFunction<SSLEngine, List<String>, String> protocolSelector;
        private HandshakeTrace trace;

        private Builder(AsyncSSLEngine application, NativeContext context) {
            this.application = application;
            this.context = context;
        }

        public Builder parameters(SSLParameters p) {
            this.parameters = p;
            return this;
        }

        public Builder keyManager(X509KeyManager km) {
            this.keyManager = km;
            return this;
        }

        public Builder trustManager(X509TrustManager tm) {
            this.trustManager = tm;
            return this;
        }

        /** The context's guarded offloader, or {@code null} to sign inline. */
        public Builder offloader(KeyOffloader o) {
            this.offloader = () -> o;
            return this;
        }

        /** Where to read the context's guarded offloader ({@code null}: sign inline) at each key operation. */
        public Builder offloader(Supplier<KeyOffloader> source) {
            this.offloader = source;
            return this;
        }

        public Builder offloadTimeout(Duration t) {
            this.offloadTimeout = t;
            return this;
        }

        /** Runs key and trust manager calls that may wait; {@code null} for the shared scheduler. */
        public Builder scheduler(JobScheduler s) {
            this.scheduler = s;
            return this;
        }

        public Builder waitBudgetNanos(long nanos) {
            this.waitBudgetNanos = nanos;
            return this;
        }

        public Builder protocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
            this.protocolSelector = selector;
            return this;
        }

        /** The handshake's trace from the front ({@code EngineSetup.trace()}). */
        public Builder trace(HandshakeTrace t) {
            this.trace = t;
            return this;
        }

        public NativeSetup build() {
            return new NativeSetup(this);
        }
    }
}
