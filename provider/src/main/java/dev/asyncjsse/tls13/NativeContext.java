package dev.asyncjsse.tls13;

import dev.asyncjsse.engine.SessionCache;
import dev.asyncjsse.jca.TlsStack;
import dev.asyncjsse.tickets.TicketKeyRing;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * What the native engines of one {@code SSLContext} share, computed once rather than per handshake:
 * the Bouncy Castle crypto over the context's randomness, digest prototypes to clone, the policy of
 * the parameters last seen, the encoded certificate chains per key manager alias, the session
 * ticket keys, and the record of sessions ({@link SessionRegistry}).
 *
 * <p>Internal. Thread-safe: engines of the context use it concurrently, without a shared lock (the
 * caches are concurrent maps and a volatile field; the crypto object is Bouncy Castle's, whose
 * operations create their own JCA objects).
 */
public final class NativeContext {

    private static final int MAX_CACHED_CREDENTIALS = 64;

    private final TlsCrypto crypto;
    /** Bouncy Castle's lightweight crypto, for the ML-KEM half of the hybrid group ({@link KeyShareGroup}). */
    private final TlsCrypto kemCrypto;
    private final SecureRandom random;
    private final KeyLog keyLog;
    private final Map<CipherSuite.Hash, MessageDigest> digests = new EnumMap<>(CipherSuite.Hash.class);
    private final Map<String, Credential> credentials = new ConcurrentHashMap<>();
    private final X509KeyManager keyManager;
    private final X509TrustManager trustManager;
    private final TicketKeyRing ticketKeys;
    private final SessionRegistry sessions;
    /** {@code jdk.tls.acknowledgeCloseNotify}, as the JDK's engine: answer a close_notify with one at once. */
    private final boolean acknowledgeCloseNotify = Boolean.getBoolean("jdk.tls.acknowledgeCloseNotify");
    private volatile Policy policy;

    /**
     * A context without managers of its own (tests give each engine its managers), with its own
     * random ticket key rotated daily and a session cache of its own.
     */
    public NativeContext(SecureRandom random) {
        this(random, null, null, new TicketKeyRing(random, () -> Duration.ofDays(1)), null, null);
    }

    /**
     * @param random the context's randomness, used for key shares, server randoms and session ids
     * @param keyManager the context's key manager, or {@code null}
     * @param trustManager the context's trust manager, or {@code null}
     * @param ticketKeys the {@code SSLContext}'s session ticket keys
     * @param sessionCache where established sessions are listed, or {@code null} for a cache of its own
     * @param sessionContext what sessions report as their context ({@code null}: the cache)
     */
    public NativeContext(SecureRandom random, X509KeyManager keyManager, X509TrustManager trustManager,
                         TicketKeyRing ticketKeys, SessionCache sessionCache, SSLSessionContext sessionContext) {
        this.random = random;
        SessionCache cache = sessionCache != null ? sessionCache : new SessionCache();
        this.sessions = new SessionRegistry(cache, sessionContext != null ? sessionContext : cache);
        this.keyManager = keyManager;
        this.trustManager = trustManager;
        this.ticketKeys = ticketKeys;
        this.crypto = TlsStack.crypto(random);
        this.kemCrypto = new BcTlsCrypto(random);
        this.keyLog = KeyLog.fromProperties();
        for (CipherSuite.Hash h : CipherSuite.Hash.values()) {
            try {
                digests.put(h, MessageDigest.getInstance(h.jcaName));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks " + h.jcaName, e);
            }
        }
    }

    boolean acknowledgeCloseNotify() {
        return acknowledgeCloseNotify;
    }

    /**
     * The keys that seal this context's session tickets and open the ones clients present: the
     * {@code SSLContext}'s ring, so {@code AsyncJsse.setTicketKeys} and the key file reach it.
     */
    public TicketKeyRing ticketKeys() {
        return ticketKeys;
    }

    SessionRegistry sessions() {
        return sessions;
    }

    X509KeyManager keyManager() {
        return keyManager;
    }

    X509TrustManager trustManager() {
        return trustManager;
    }

    TlsCrypto crypto() {
        return crypto;
    }

    TlsCrypto kemCrypto() {
        return kemCrypto;
    }

    SecureRandom random() {
        return random;
    }

    KeyLog keyLog() {
        return keyLog;
    }

    /** A fresh digest of {@code hash}, cloned from the context's prototype (no provider look-up). */
    MessageDigest newDigest(CipherSuite.Hash hash) {
        MessageDigest prototype = digests.get(hash);
        try {
            return (MessageDigest) prototype.clone();
        } catch (CloneNotSupportedException e) {
            try {
                return MessageDigest.getInstance(hash.jcaName, prototype.getProvider());
            } catch (NoSuchAlgorithmException e2) {
                throw new IllegalStateException(e2);
            }
        }
    }

    /** The policy of {@code params}: the cached one if the parameters are equal to the last seen. */
    Policy policy(SSLParameters params) {
        List<Object> key = Policy.keyOf(params);
        Policy p = policy;
        if (p != null && p.matches(key)) {
            return p;
        }
        p = Policy.of(params, crypto, kemCrypto);
        policy = p;
        return p;
    }

    /**
     * The credential for {@code chain} as key manager alias {@code alias} returned it: the cached one
     * while the alias keeps returning the same certificates, else a new one.
     */
    Credential credential(String alias, X509Certificate[] chain) throws CertificateEncodingException {
        Credential c = credentials.get(alias);
        if (c != null && sameCertificates(c.chain, chain)) {
            return c;
        }
        c = new Credential(chain);
        if (credentials.size() >= MAX_CACHED_CREDENTIALS) {
            credentials.clear();
        }
        credentials.put(alias, c);
        return c;
    }

    /** The cached credential whose leaf certificate has SHA-256 hash {@code leafHash}, or {@code null}. */
    Credential credentialWithLeaf(byte[] leafHash) {
        for (Credential c : credentials.values()) {
            if (MessageDigest.isEqual(c.leafHash, leafHash)) {
                return c;
            }
        }
        return null;
    }

    private static boolean sameCertificates(X509Certificate[] cached, X509Certificate[] now) {
        if (cached.length != now.length) {
            return false;
        }
        for (int i = 0; i < now.length; i++) {
            if (cached[i] != now[i] && !cached[i].equals(now[i])) {
                return false;
            }
        }
        return true;
    }
}
