package dev.asyncjsse.tls13;

import java.security.Principal;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSessionBindingEvent;
import javax.net.ssl.SSLSessionBindingListener;
import javax.net.ssl.SSLSessionContext;

/**
 * The session of a connection served by the native engine: during the handshake its handshake
 * session, afterwards its session, reporting what SunJSSE reports for TLS 1.3.
 *
 * <p>The engine fills it in as the handshake learns things (suite, names, certificates); every such
 * field is volatile because other threads (a key manager on a job thread, an application thread
 * calling {@code getSession()}) read it. Session resumption adds a context, an id of its own choosing
 * and the resumption secret through the package-private setters, without changing what is reported.
 *
 * <p>Internal. Thread-safe.
 */
final class Tls13Session extends ExtendedSSLSession {

    /** As SunJSSE: a full record of 2^14 + 256 bytes, its header, and room for a record's worth of slack. */
    static final int PACKET_BUFFER_SIZE = 16709;
    static final int APPLICATION_BUFFER_SIZE = 16704;

    private static final String[] NONE = new String[0];

    private final long creationTime = System.currentTimeMillis();
    private final String peerHost;
    private final int peerPort;
    private final Map<String, Object> values = new ConcurrentHashMap<>();
    private final byte[] id;
    /** {@code "TLSv1.3"}, or {@code "NONE"} for the session of a connection not yet established. */
    private final String protocol;
    private volatile long lastAccessedTime = creationTime;
    private volatile boolean valid = true;
    private volatile String cipherSuite = "SSL_NULL_WITH_NULL_NULL";
    private volatile X509Certificate[] localCertificates;
    private volatile X509Certificate[] peerCertificates;
    private volatile List<SNIServerName> requestedServerNames = List.of();
    private volatile String[] localSignatureAlgorithms = NONE;
    private volatile String[] peerSignatureAlgorithms = NONE;
    private volatile SSLSessionContext context;
    private volatile byte[] resumptionMasterSecret;

    Tls13Session(String peerHost, int peerPort, byte[] id) {
        this(peerHost, peerPort, id, "TLSv1.3");
    }

    private Tls13Session(String peerHost, int peerPort, byte[] id, String protocol) {
        this.peerHost = peerHost;
        this.peerPort = peerPort;
        this.id = id;
        this.protocol = protocol;
    }

    /**
     * What {@code getSession()} answers before the handshake completes, as the JDK's engine: protocol
     * {@code NONE}, suite {@code SSL_NULL_WITH_NULL_NULL}, no id, not valid.
     */
    static Tls13Session notEstablished(String peerHost, int peerPort) {
        Tls13Session s = new Tls13Session(peerHost, peerPort, new byte[0], "NONE");
        s.valid = false;
        return s;
    }

    void setCipherSuite(String name) {
        cipherSuite = name;
    }

    void setLocalCertificates(X509Certificate[] chain) {
        localCertificates = chain;
    }

    void setPeerCertificates(X509Certificate[] chain) {
        peerCertificates = chain;
    }

    void setRequestedServerNames(List<SNIServerName> names) {
        requestedServerNames = names;
    }

    void setLocalSignatureAlgorithms(String[] names) {
        localSignatureAlgorithms = names;
    }

    void setPeerSignatureAlgorithms(String[] names) {
        peerSignatureAlgorithms = names;
    }

    void setSessionContext(SSLSessionContext context) {
        this.context = context;
    }

    void setResumptionMasterSecret(byte[] secret) {
        resumptionMasterSecret = secret;
    }

    byte[] resumptionMasterSecret() {
        return resumptionMasterSecret;
    }

    void touch() {
        lastAccessedTime = System.currentTimeMillis();
    }

    @Override
    public byte[] getId() {
        return id.clone();
    }

    @Override
    public SSLSessionContext getSessionContext() {
        return context;
    }

    @Override
    public long getCreationTime() {
        return creationTime;
    }

    @Override
    public long getLastAccessedTime() {
        return lastAccessedTime;
    }

    @Override
    public void invalidate() {
        valid = false;
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    @Override
    public void putValue(String name, Object value) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("name and value must not be null");
        }
        Object old = values.put(name, value);
        if (old instanceof SSLSessionBindingListener) {
            ((SSLSessionBindingListener) old).valueUnbound(new SSLSessionBindingEvent(this, name));
        }
        if (value instanceof SSLSessionBindingListener) {
            ((SSLSessionBindingListener) value).valueBound(new SSLSessionBindingEvent(this, name));
        }
    }

    @Override
    public Object getValue(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        return values.get(name);
    }

    @Override
    public void removeValue(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        Object old = values.remove(name);
        if (old instanceof SSLSessionBindingListener) {
            ((SSLSessionBindingListener) old).valueUnbound(new SSLSessionBindingEvent(this, name));
        }
    }

    @Override
    public String[] getValueNames() {
        return values.keySet().toArray(new String[0]);
    }

    @Override
    public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
        X509Certificate[] chain = peerCertificates;
        if (chain == null) {
            throw new SSLPeerUnverifiedException("peer not authenticated");
        }
        return chain.clone();
    }

    @Override
    public Certificate[] getLocalCertificates() {
        X509Certificate[] chain = localCertificates;
        return chain == null ? null : chain.clone();
    }

    /** As SunJSSE on JDK 15 and later: the {@code javax.security.cert} API is gone. */
    @SuppressWarnings("removal")
    @Override
    @Deprecated
    public javax.security.cert.X509Certificate[] getPeerCertificateChain() {
        throw new UnsupportedOperationException("getPeerCertificateChain is not supported; use getPeerCertificates");
    }

    @Override
    public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
        X509Certificate[] chain = peerCertificates;
        if (chain == null) {
            throw new SSLPeerUnverifiedException("peer not authenticated");
        }
        return chain[0].getSubjectX500Principal();
    }

    @Override
    public Principal getLocalPrincipal() {
        X509Certificate[] chain = localCertificates;
        return chain == null ? null : chain[0].getSubjectX500Principal();
    }

    @Override
    public String getCipherSuite() {
        return cipherSuite;
    }

    @Override
    public String getProtocol() {
        return protocol;
    }

    @Override
    public String getPeerHost() {
        return peerHost;
    }

    @Override
    public int getPeerPort() {
        return peerPort;
    }

    @Override
    public int getPacketBufferSize() {
        return PACKET_BUFFER_SIZE;
    }

    @Override
    public int getApplicationBufferSize() {
        return APPLICATION_BUFFER_SIZE;
    }

    @Override
    public String[] getLocalSupportedSignatureAlgorithms() {
        return localSignatureAlgorithms.clone();
    }

    @Override
    public String[] getPeerSupportedSignatureAlgorithms() {
        return peerSignatureAlgorithms.clone();
    }

    @Override
    public List<SNIServerName> getRequestedServerNames() {
        return requestedServerNames;
    }

    @Override
    public List<byte[]> getStatusResponses() {
        return List.of();
    }

    @Override
    public String toString() {
        return "Session(TLSv1.3, " + cipherSuite + ")";
    }
}
