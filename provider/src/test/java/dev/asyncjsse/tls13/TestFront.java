package dev.asyncjsse.tls13;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.OffloadCallback;
import dev.asyncjsse.engine.Step;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The smallest engine front that lets tests drive a {@link Tls13ServerEngine} like any
 * {@code SSLEngine} (and be handed to key and trust managers as the application's engine): it turns
 * a waiting handshake into the offload-pending result, fires the callback once per settled wait, and
 * hands unaware loops a delegated task that waits. It tests the engine alone; the real front
 * (AsyncEngine) runs it in the integration tests. Argument checks and mode handling are left out:
 * tests call it correctly.
 */
final class TestFront extends AsyncSSLEngine {

    final Tls13ServerEngine engine;
    final AtomicInteger callbacks = new AtomicInteger();
    private final SSLParameters parameters;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile OffloadCallback callback;
    private volatile Object callbackArg;
    private PendingOperation watched;
    private PendingOperation taskHandedOutFor;
    private AsyncStatus status = AsyncStatus.OK;

    /** A front over a new engine; {@code configure} adds offloader, managers and the like to the setup. */
    TestFront(NativeContext context, SSLParameters parameters, Consumer<NativeSetup.Builder> configure) {
        super("client.test", 4433);
        this.parameters = parameters;
        NativeSetup.Builder b = NativeSetup.builder(this, context).parameters(parameters);
        configure.accept(b);
        this.engine = new Tls13ServerEngine(b.build());
    }

    private SSLEngineResult after(Step step) {
        if (!step.isWaiting()) {
            status = engine.asyncStatus();
            return step.result();
        }
        PendingOperation p = (PendingOperation) step.awaited();
        status = p.status();
        if (watched != p) {
            watched = p;
            p.whenDone(() -> {
                if (!closed.get() && callback != null) {
                    callbacks.incrementAndGet();
                    callback.offloadComplete(this, callbackArg);
                }
            });
        }
        return offloadPendingResult(step.bytesConsumed());
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        try {
            return after(engine.wrap(srcs, offset, length, dst));
        } catch (SSLException e) {
            status = engine.asyncStatus();
            throw e;
        }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        return after(engine.unwrap(src, dsts, offset, length));
    }

    @Override
    public Runnable getDelegatedTask() {
        PendingOperation p = engine.pending();
        if (p == null || p == taskHandedOutFor) {
            return null;
        }
        taskHandedOutFor = p;
        return () -> {
            try {
                p.awaitDone();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Override
    public void setOffloadCallback(OffloadCallback cb, Object arg) {
        callback = cb;
        callbackArg = arg;
    }

    @Override
    public AsyncStatus getAsyncStatus() {
        return status;
    }

    @Override
    public boolean isOffloadPending() {
        PendingOperation p = engine.pending();
        return p != null && !p.isDone();
    }

    @Override
    public int beginHandshake(ByteBuffer buffered) {
        throw new UnsupportedOperationException("not in tests of the native engine");
    }

    @Override
    public void beginHandshake() throws SSLException {
        engine.beginHandshake();
    }

    @Override
    public void closeInbound() throws SSLException {
        closed.set(true);
        engine.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
        return engine.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        closed.set(true);
        engine.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
        return engine.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return parameters.getCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return parameters.getCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String[] getSupportedProtocols() {
        return new String[] {"TLSv1.3"};
    }

    @Override
    public String[] getEnabledProtocols() {
        return new String[] {"TLSv1.3"};
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        throw new UnsupportedOperationException();
    }

    @Override
    public SSLSession getSession() {
        return engine.session();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return engine.handshakeSession();
    }

    @Override
    public HandshakeStatus getHandshakeStatus() {
        PendingOperation p = engine.pending();
        return p != null && !p.isDone() ? HandshakeStatus.NEED_TASK : engine.handshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        if (mode) {
            throw new IllegalArgumentException("the native engine is a server");
        }
    }

    @Override
    public boolean getUseClientMode() {
        return false;
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean getNeedClientAuth() {
        return parameters.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean getWantClientAuth() {
        return parameters.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean getEnableSessionCreation() {
        return true;
    }

    @Override
    public SSLParameters getSSLParameters() {
        return parameters;
    }

    @Override
    public String getApplicationProtocol() {
        return engine.applicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return engine.handshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        throw new UnsupportedOperationException("give the selector to the setup");
    }
}
