package dev.asyncjsse.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import dev.asyncjsse.nio.ClientHello;
import dev.asyncjsse.nio.ClientHelloExplorer;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLProtocolException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;

/**
 * Where Bouncy Castle's engine differs from SunJSSE's in what an application sees, and how the BCJSSE
 * path makes up for it: FINISHED reported when BC only reports NOT_HANDSHAKING, a fatal alert for a
 * server that fails before its first flight (BC sends none), exceptions that name the cause (BC names
 * only the alert), the TLS 1.3 client's late certificate rejection as a handshake failure, protocols a
 * client's suites cannot serve left out of its ClientHello, and the requested server names on the
 * session of both sides, and no reply to a received fatal alert.
 *
 * <p>Internal. One per {@link BcProtocolEngine}; used with the front's lock held, except
 * {@link #captureServerNames} and {@link #established}, which are safe on any thread.
 */
final class BcConformance {

    private final boolean clientMode;
    /** The handshake has completed (FINISHED was reported). */
    private boolean finished;
    /** A failure was reported. */
    private boolean failed;
    /** The inner engine has produced output. */
    private boolean producedAny;
    /** Application data has been received since the handshake. */
    private boolean appDataReceived;
    /** A plaintext fatal alert to send on the next wrap, or -1. */
    private int plainAlert = -1;
    /** A close cancelled a step: the failure it left in the inner engine is not the application's. */
    private boolean swallowDeferredFailure;
    /**
     * The server names of the ClientHello: on a server captured from the handshake session, on a client
     * from the ClientHello it sent.
     */
    private volatile List<SNIServerName> requestedServerNames;
    private volatile EstablishedSession lastSession;
    private volatile EstablishedSession lastHandshakeSession;

    BcConformance(boolean clientMode) {
        this.clientMode = clientMode;
    }

    boolean finished() {
        return finished;
    }

    boolean failed() {
        return failed;
    }

    void appDataReceived() {
        appDataReceived = true;
    }

    /**
     * Neither side uses protocol versions that none of its enabled suites can serve (SunJSSE does the
     * same): a client with only TLS 1.2 suites would otherwise offer TLS 1.3 and fail against a server
     * that picks it, and a server with only TLS 1.2 suites would pick TLS 1.3 and fail.
     */
    void restrictProtocols(SSLEngine inner) {
        boolean tls13Suite = false;
        boolean legacySuite = false;
        for (String suite : inner.getEnabledCipherSuites()) {
            if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_") || suite.startsWith("TLS_SM4_")) {
                tls13Suite = true;
            } else if (!suite.equals("TLS_EMPTY_RENEGOTIATION_INFO_SCSV") && !suite.equals("TLS_FALLBACK_SCSV")) {
                legacySuite = true;
            }
        }
        if (tls13Suite == legacySuite) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String protocol : inner.getEnabledProtocols()) {
            if (protocol.equals("TLSv1.3") == tls13Suite) {
                kept.add(protocol);
            }
        }
        if (!kept.isEmpty()) {
            inner.setEnabledProtocols(kept.toArray(new String[0]));
        }
    }

    /**
     * The inner engine's result with the given counts, reporting FINISHED where Bouncy Castle reports
     * NOT_HANDSHAKING on the call that completes the handshake.
     */
    SSLEngineResult result(SSLEngineResult r, int consumed, int produced, SSLEngine inner) {
        HandshakeStatus hs = r.getHandshakeStatus();
        if (hs == HandshakeStatus.FINISHED) {
            finished = true;
        } else if (hs == HandshakeStatus.NOT_HANDSHAKING && !finished && !failed && r.getStatus() != Status.CLOSED
                && handshakeCompleted(inner)) {
            hs = HandshakeStatus.FINISHED;
            finished = true;
        }
        return new SSLEngineResult(r.getStatus(), hs, consumed, produced);
    }

    private static boolean handshakeCompleted(SSLEngine inner) {
        SSLSession session = inner.getSession();
        return session != null && !"SSL_NULL_WITH_NULL_NULL".equals(session.getCipherSuite());
    }

    /** Notes what a wrap produced, and after a failure adds the alert Bouncy Castle did not send. */
    SSLEngineResult afterWrap(SSLEngineResult r, ByteBuffer dst) {
        if (r.bytesProduced() > 0) {
            if (clientMode && !producedAny) {
                captureSentServerNames(dst, r.bytesProduced());
            }
            producedAny = true;
            return r;
        }
        if (!failed || plainAlert < 0 || dst.remaining() < TlsAlert.RECORD_LENGTH) {
            return r;
        }
        TlsAlert.putFatal(dst, plainAlert);
        plainAlert = -1;
        return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, r.bytesConsumed(), TlsAlert.RECORD_LENGTH);
    }

    /** True while the synthesized alert waits to be wrapped. */
    boolean alertPending() {
        return failed && plainAlert >= 0;
    }

    /** A close dropped a failed step: the inner engine's deferred failure is not reported. */
    void swallowDeferredFailure() {
        swallowDeferredFailure = true;
    }

    /** Takes the flag set by {@link #swallowDeferredFailure}. */
    boolean takeSwallowDeferredFailure() {
        boolean swallow = swallowDeferredFailure;
        swallowDeferredFailure = false;
        return swallow;
    }

    /**
     * The exception to report for a failure of the inner engine, and the state it leaves. A broken
     * record layer (an unknown record type, an unexpected message, a bad MAC, an oversized record) is
     * an {@code SSLProtocolException}, as SunJSSE reports it; any other failure during the handshake an
     * {@code SSLHandshakeException}; each names its cause.
     *
     * @param e what the inner engine threw
     * @param offloadFailure the failed offloaded operation behind it, or {@code null}
     * @param needClientAuth whether the server required a client certificate
     * @param recordType the content type of the record being read, or -1
     */
    SSLException fail(SSLException e, Throwable offloadFailure, boolean needClientAuth, int recordType) {
        boolean failedBefore = failed;
        boolean handshaking = !finished && !failedBefore;
        failed = true;
        if (finished && !failedBefore && clientMode && !appDataReceived) {
            // A TLS 1.3 client is done after sending its Finished; the server may still reject its
            // certificate, and that alert arrives with the first read. SunJSSE reports it as a handshake failure.
            String alert = receivedHandshakeAlert(e);
            if (alert != null) {
                SSLHandshakeException h = new SSLHandshakeException("Received fatal alert: " + alert);
                h.initCause(e);
                return h;
            }
        }
        if (handshaking && !clientMode && !producedAny && !receivedAlert(e)) {
            // Bouncy Castle's server sends no alert before its first flight (e.g. for plain HTTP);
            // SunJSSE does, and peers and tests expect one. A received alert is never answered.
            plainAlert = alertDescription(e);
        }
        if (offloadFailure == null && recordLayerFailure(e, recordType)) {
            String what = TlsRecords.isKnownType(recordType) ? "" : "a record of unknown content type " + recordType + ": ";
            SSLProtocolException p = new SSLProtocolException(what + messageOf(e));
            p.initCause(e);
            return p;
        }
        return handshaking ? handshakeFailure(e, offloadFailure, needClientAuth) : e;
    }

    private static boolean recordLayerFailure(Throwable e, int recordType) {
        if (recordType >= 0 && !TlsRecords.isKnownType(recordType)) {
            return true;
        }
        if (receivedAlert(e)) {
            return false;
        }
        int alert = sentAlert(e);
        return alert == AlertDescription.unexpected_message || alert == AlertDescription.bad_record_mac
                || alert == AlertDescription.record_overflow;
    }

    private static String messageOf(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static boolean receivedAlert(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TlsFatalAlertReceived) {
                return true;
            }
        }
        return false;
    }

    /** The exception a failed handshake reports: naming the offload failure when there was one. */
    SSLException handshakeFailure(Throwable cause, Throwable offloadFailure, boolean needClientAuth) {
        SSLHandshakeException e;
        if (offloadFailure != null) {
            e = new SSLHandshakeException("key offload failed: " + Failures.describe(offloadFailure));
        } else {
            String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
            String why = rootReason(cause);
            if (why == null && !clientMode && message.endsWith("handshake_failure(40)") && needClientAuth) {
                // Bouncy Castle gives no reason when a required client certificate is missing.
                why = "the client sent no certificate, but the server requires one (needClientAuth)";
            }
            if (why != null && !message.contains(why)) {
                message = message + ": " + why;
            } else if (cause instanceof SSLHandshakeException) {
                return (SSLHandshakeException) cause;
            }
            e = new SSLHandshakeException(message);
        }
        e.initCause(cause);
        return e;
    }

    /** The name of a received fatal alert about the handshake (certificates, parameters), or null. */
    private static String receivedHandshakeAlert(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TlsFatalAlertReceived) {
                short d = ((TlsFatalAlertReceived) t).getAlertDescription();
                boolean handshakeRelated = (d >= 40 && d <= 49) || d == 70 || d == 71 || d == 109 || d == 110
                        || d == 112 || d == 113 || d == 115 || d == 116 || d == 120;
                return handshakeRelated ? AlertDescription.getName(d) : null;
            }
        }
        return null;
    }

    private static int alertDescription(Throwable failure) {
        int alert = sentAlert(failure);
        return alert >= 0 ? alert : AlertDescription.unexpected_message;
    }

    /** The alert Bouncy Castle sent for {@code failure}, or -1. */
    private static int sentAlert(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TlsFatalAlert) {
                return ((TlsFatalAlert) t).getAlertDescription();
            }
        }
        return -1;
    }

    /**
     * The deepest cause below the TLS layer (a certificate problem, a key service error), described,
     * or {@code null} if there is none: Bouncy Castle's own exceptions only name the alert.
     */
    private static String rootReason(Throwable failure) {
        Throwable deepest = null;
        int depth = 0;
        for (Throwable t = failure.getCause(); t != null && depth < 16; t = t.getCause(), depth++) {
            if (!(t instanceof SSLException) && !t.getClass().getName().startsWith("org.bouncycastle.tls.")) {
                deepest = t;
            }
        }
        if (deepest == null) {
            return null;
        }
        String message = deepest.getMessage();
        return message != null ? message : deepest.getClass().getSimpleName();
    }

    /** On the thread that owns the inner engine, after an unwrap: remember the requested server names. */
    void captureServerNames(SSLEngine inner) {
        if (clientMode || requestedServerNames != null) {
            return;
        }
        try {
            SSLSession hs = inner.getHandshakeSession();
            if (hs instanceof ExtendedSSLSession) {
                requestedServerNames = List.copyOf(((ExtendedSSLSession) hs).getRequestedServerNames());
                lastSession = null;
            }
        } catch (RuntimeException e) {
            // not available: the established session answers as Bouncy Castle does
        }
    }

    /** A client's first flight is its ClientHello: the server names it requested are the ones in it. */
    private void captureSentServerNames(ByteBuffer dst, int produced) {
        ByteBuffer sent = dst.duplicate();
        sent.limit(dst.position());
        sent.position(dst.position() - produced);
        ClientHello hello = ClientHelloExplorer.explore(sent);
        if (!hello.isComplete()) {
            return;
        }
        List<SNIServerName> names = new ArrayList<>();
        for (String name : hello.serverNames()) {
            try {
                names.add(new SNIHostName(name));
            } catch (IllegalArgumentException e) {
                // Bouncy Castle sends only valid names; a name it sent but SNIHostName refuses is left out
            }
        }
        requestedServerNames = List.copyOf(names);
    }

    /** The session to hand out for Bouncy Castle's established {@code session}. */
    SSLSession established(SSLSession session) {
        EstablishedSession shown = shown(session, lastSession);
        lastSession = shown;
        return shown;
    }

    /** The session to hand out for Bouncy Castle's handshake session. */
    SSLSession handshake(SSLSession session) {
        EstablishedSession shown = shown(session, lastHandshakeSession);
        lastHandshakeSession = shown;
        return shown;
    }

    /** {@code last} if it shows {@code session}, otherwise a new wrapper; null for null. */
    private EstablishedSession shown(SSLSession session, EstablishedSession last) {
        if (session == null) {
            return null;
        }
        return last != null && last.delegate() == session ? last : new EstablishedSession(session, requestedServerNames);
    }
}
