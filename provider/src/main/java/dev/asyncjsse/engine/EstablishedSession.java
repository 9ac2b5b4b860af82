package dev.asyncjsse.engine;

import dev.asyncjsse.jca.AlgorithmNames;
import java.security.Principal;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * A session of the BCJSSE path as the application sees it: Bouncy Castle's, with the server names the
 * client requested (Bouncy Castle reports them only on a server's handshake session, and not at all
 * on a client's, where SunJSSE reports them on every session); {@code getPeerCertificateChain} is
 * refused as for every session ({@link SessionBase}). The signature algorithms carry SunJSSE's names
 * ({@link AlgorithmNames#forJsseSession}): the JDK's key and trust managers read them from the
 * handshake session, and under Bouncy Castle's names they refuse certificates signed with RSASSA-PSS.
 *
 * <p>Internal. As thread-safe as the wrapped session.
 */
final class EstablishedSession extends SessionBase {

    private final SSLSession delegate;
    private final List<SNIServerName> requestedServerNames;

    EstablishedSession(SSLSession delegate, List<SNIServerName> requestedServerNames) {
        this.delegate = delegate;
        this.requestedServerNames = requestedServerNames;
    }

    @Override
    public List<SNIServerName> getRequestedServerNames() {
        if (requestedServerNames != null) {
            return requestedServerNames;
        }
        if (delegate instanceof ExtendedSSLSession) {
            try {
                return ((ExtendedSSLSession) delegate).getRequestedServerNames();
            } catch (UnsupportedOperationException e) {
                return List.of();
            }
        }
        return List.of();
    }

    /** The session this one shows, for comparing sessions. */
    SSLSession delegate() {
        return delegate;
    }

    @Override
    public String[] getLocalSupportedSignatureAlgorithms() {
        return delegate instanceof ExtendedSSLSession
                ? AlgorithmNames.forJsseSession(((ExtendedSSLSession) delegate).getLocalSupportedSignatureAlgorithms())
                : new String[0];
    }

    @Override
    public String[] getPeerSupportedSignatureAlgorithms() {
        return delegate instanceof ExtendedSSLSession
                ? AlgorithmNames.forJsseSession(((ExtendedSSLSession) delegate).getPeerSupportedSignatureAlgorithms())
                : new String[0];
    }

    @Override
    public List<byte[]> getStatusResponses() {
        return delegate instanceof ExtendedSSLSession ? ((ExtendedSSLSession) delegate).getStatusResponses() : List.of();
    }

    @Override
    public byte[] getId() {
        return delegate.getId();
    }

    @Override
    public SSLSessionContext getSessionContext() {
        return delegate.getSessionContext();
    }

    @Override
    public long getCreationTime() {
        return delegate.getCreationTime();
    }

    @Override
    public long getLastAccessedTime() {
        return delegate.getLastAccessedTime();
    }

    @Override
    public void invalidate() {
        delegate.invalidate();
    }

    @Override
    public boolean isValid() {
        return delegate.isValid();
    }

    @Override
    public void putValue(String name, Object value) {
        delegate.putValue(name, value);
    }

    @Override
    public Object getValue(String name) {
        return delegate.getValue(name);
    }

    @Override
    public void removeValue(String name) {
        delegate.removeValue(name);
    }

    @Override
    public String[] getValueNames() {
        return delegate.getValueNames();
    }

    @Override
    public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
        return delegate.getPeerCertificates();
    }

    @Override
    public Certificate[] getLocalCertificates() {
        return delegate.getLocalCertificates();
    }

    @Override
    public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
        return delegate.getPeerPrincipal();
    }

    @Override
    public Principal getLocalPrincipal() {
        return delegate.getLocalPrincipal();
    }

    @Override
    public String getCipherSuite() {
        return delegate.getCipherSuite();
    }

    @Override
    public String getProtocol() {
        return delegate.getProtocol();
    }

    @Override
    public String getPeerHost() {
        return delegate.getPeerHost();
    }

    @Override
    public int getPeerPort() {
        return delegate.getPeerPort();
    }

    @Override
    public int getPacketBufferSize() {
        return delegate.getPacketBufferSize();
    }

    @Override
    public int getApplicationBufferSize() {
        return delegate.getApplicationBufferSize();
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof EstablishedSession) {
            return delegate.equals(((EstablishedSession) o).delegate());
        }
        return delegate.equals(o);
    }

    @Override
    public int hashCode() {
        return delegate.hashCode();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
