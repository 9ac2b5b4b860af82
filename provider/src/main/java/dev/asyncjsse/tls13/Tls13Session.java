package dev.asyncjsse.tls13;

import dev.asyncjsse.engine.SessionBase;
import dev.asyncjsse.engine.SessionValues;
import java.security.Principal;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSessionContext;

/**
 * The session of a connection served by the native engine: during the handshake its handshake
 * session, afterwards its session, reporting what SunJSSE reports for TLS 1.3.
 *
 * <p>The engine fills it in as the handshake learns things (suite, names, certificates); every such
 * field is volatile because other threads (a key manager on a job thread, an application thread
 * calling {@code getSession()}) read it. Once established it is listed in the context's session
 * context ({@link SessionRegistry}); a resumed session has an id of its own and takes the creation
 * time and the certificates of the session its ticket was issued for, as SunJSSE's do. {@link #invalidate} also
 * makes the tickets of the session stop resuming on this server.
 *
 * <p>Internal. Thread-safe.
 */
final class Tls13Session extends SessionBase {

    /** As SunJSSE: a full record of 2^14 + 256 bytes, its header, and room for a record's worth of slack. */
    static final int PACKET_BUFFER_SIZE = 16709;
    static final int APPLICATION_BUFFER_SIZE = 16704;

    private static final String[] NONE = new String[0];

    private volatile long creationTime = System.currentTimeMillis();
    private final String peerHost;
    private final int peerPort;
    private final SessionValues values = new SessionValues(this);
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
    private volatile SessionRegistry registry;
    private volatile boolean resumed;

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

    /** This session continues one created at {@code created}, whose ticket resumed it. */
    void resumeFrom(long created) {
        this.creationTime = created;
        this.lastAccessedTime = System.currentTimeMillis();
        this.resumed = true;
    }

    boolean isResumed() {
        return resumed;
    }

    /** The context's sessions, which this one reports as its session context from now on. */
    void attach(SessionRegistry sessions) {
        registry = sessions;
    }

    SessionRegistry registry() {
        return registry;
    }

    /** The handshake completed: the session is listed in its session context. */
    void established() {
        SessionRegistry r = registry;
        if (r != null) {
            r.established(this);
        }
    }

    /** The id as it is, not a copy: for the engine's tickets. */
    byte[] idBytes() {
        return id;
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
        SessionRegistry r = registry;
        return r != null ? r.sessionContext() : null;
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
        SessionRegistry r = registry;
        if (r != null) {
            r.invalidate(id);
        }
    }

    /** True until invalidated or, with a session timeout, until that long after its creation. */
    @Override
    public boolean isValid() {
        if (!valid) {
            return false;
        }
        SessionRegistry r = registry;
        if (r == null) {
            return true;
        }
        int timeout = r.sessionTimeoutSeconds();
        return timeout == 0 || r.now() - creationTime < timeout * 1000L;
    }

    @Override
    public void putValue(String name, Object value) {
        values.put(name, value);
    }

    @Override
    public Object getValue(String name) {
        return values.get(name);
    }

    @Override
    public void removeValue(String name) {
        values.remove(name);
    }

    @Override
    public String[] getValueNames() {
        return values.names();
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
