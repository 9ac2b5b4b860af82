package dev.asyncjsse.tls13;

import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.offload.GuardedKeyOffloader;
import dev.asyncjsse.offload.HandshakeJob;
import dev.asyncjsse.offload.JobScheduler;
import dev.asyncjsse.offload.KeyOperations;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.crypto.TlsAgreement;

/**
 * The server side of a TLS 1.3 handshake (RFC 8446, section 4), as an explicit state machine
 * ({@link HandshakeState}) fed one handshake message at a time by the record layer.
 *
 * <p>It never blocks and never parks a thread. Where it needs something from outside (the
 * CertificateVerify signature from the key offloader, offloader capacity, a key or trust manager that
 * may wait), it records a {@link PendingOperation}, moves to the matching waiting state and returns;
 * the engine calls {@link #resume} once the operation is settled, on whichever thread then drives it.
 *
 * <p>A ClientHello offering a usable session ticket (psk_dhe_ke, section 4.2.11) is resumed: its
 * binder verified, the flight is ServerHello, EncryptedExtensions and Finished, and nothing waits at
 * all. Once the client's Finished is read, NewSessionTickets are queued (section 4.6.1).
 *
 * <p>Messages it produces go to the {@link OutboundQueue} with the keys that protect them; keys it
 * derives go to {@link TrafficKeys}.
 *
 * <p>Internal. Not thread-safe: the engine serializes every call. Fields the application may read
 * from other threads live in the {@link Tls13Session}.
 */
final class ServerHandshake {

    static final int CLIENT_HELLO = 1;
    static final int SERVER_HELLO = 2;
    static final int NEW_SESSION_TICKET = 4;
    static final int ENCRYPTED_EXTENSIONS = 8;
    static final int CERTIFICATE = 11;
    static final int CERTIFICATE_REQUEST = 13;
    static final int CERTIFICATE_VERIFY = 15;
    static final int FINISHED = 20;
    static final int KEY_UPDATE = 24;

    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int HANDSHAKE = 22;
    /** Section 4.2.9: the only PSK mode the server accepts; psk_ke (0) would resume without a fresh key exchange. */
    static final int PSK_DHE_KE = 1;
    /**
     * How far the client's view of a ticket's age (its obfuscated age minus ticket_age_add) may differ
     * from the server's before the ticket is refused (sections 4.2.11.1 and 8.3): round trips and the
     * clocks of both sides, generously, as no early data depends on it.
     */
    static final long TICKET_AGE_TOLERANCE_MILLIS = 60_000;

    /** ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (section 4.1.3). */
    static final byte[] HELLO_RETRY_RANDOM = java.util.HexFormat.of().parseHex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
    private static final byte[] SERVER_SIGNATURE_CONTEXT = signatureContext("TLS 1.3, server CertificateVerify");
    private static final byte[] CLIENT_SIGNATURE_CONTEXT = signatureContext("TLS 1.3, client CertificateVerify");

    private final NativeSetup setup;
    private final NativeContext context;
    /** The application's parameters and ALPN selector, fixed once the ClientHello is processed. */
    private SSLParameters parameters;
    private BiFunction<SSLEngine, List<String>, String> protocolSelector;
    private Policy policy;
    private final OutboundQueue out;
    private final TrafficKeys keys;
    private final Tls13Session session;

    /** Read by getters on other threads: volatile. */
    private volatile HandshakeState state = HandshakeState.AWAIT_CLIENT_HELLO;
    private PendingOperation pending;
    /** The manager job being waited for, or {@code null} while it waits for job capacity. */
    private HandshakeJob job;
    private HandshakeJob.Work jobWork;
    private boolean offloadFailed;

    private ClientHello firstHello;
    private ClientHello hello;
    private CipherSuite suite;
    private KeyShareGroup group;
    private KeyShareGroup retryGroup;
    private byte[] serverShare;
    /** The encrypted part of the server's flight while it is built. */
    private MessageWriter flight;
    private X509Certificate[] peerChain;
    private Transcript transcript;
    private KeySchedule schedule;
    private boolean changeCipherSpecSent;
    private boolean certificateRequested;
    private boolean keyChangeBoundary;
    private Selection selection;
    private byte[] signedContent;
    private byte[] clientHandshakeSecret;
    private byte[] serverHandshakeSecret;
    private byte[] clientApplicationSecret;
    private byte[] serverApplicationSecret;
    private volatile String applicationProtocol;
    private boolean serverNameAcknowledged;
    private boolean keyUpdateQueued;
    /** The ticket that resumes this handshake, or {@code null} for a full handshake. */
    private TicketBody resumption;
    /** The certificate the server authenticated with, in this handshake or the one the ticket resumes. */
    private Credential localCredential;
    private int selectedIdentity = -1;
    /** resumption_master_secret (section 7.1), kept from the client's Finished until the tickets are issued. */
    private byte[] resumptionMasterSecret;

    /** The certificate, key and scheme the server signs with. */
    private static final class Selection {
        final Credential credential;
        final PrivateKey key;
        final SignatureScheme scheme;

        Selection(Credential credential, PrivateKey key, SignatureScheme scheme) {
            this.credential = credential;
            this.key = key;
            this.scheme = scheme;
        }
    }

    ServerHandshake(NativeSetup setup, OutboundQueue out, TrafficKeys keys, Tls13Session session) {
        this.setup = setup;
        this.context = setup.context;
        this.parameters = setup.parameters;
        this.protocolSelector = setup.protocolSelector;
        this.out = out;
        this.keys = keys;
        this.session = session;
        session.attach(context.sessions());
    }

    private static byte[] signatureContext(String label) {
        // section 4.4.3: 64 spaces, the context string, a zero byte; the transcript hash follows
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        byte[] r = new byte[64 + l.length + 1];
        Arrays.fill(r, 0, 64, (byte) 0x20);
        System.arraycopy(l, 0, r, 64, l.length);
        return r;
    }

    // ------------------------------------------------------------------ state

    /** The one place where the state changes. */
    private void moveTo(HandshakeState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("handshake state " + state + " cannot move to " + next);
        }
        state = next;
    }

    /**
     * New settings from the application; they count only until the ClientHello is processed, as the
     * JDK's engine, which also takes its parameters at the start of the handshake.
     */
    void configure(SSLParameters newParameters, BiFunction<SSLEngine, List<String>, String> selector) {
        if (state == HandshakeState.AWAIT_CLIENT_HELLO) {
            parameters = newParameters;
            protocolSelector = selector;
        }
    }

    HandshakeState state() {
        return state;
    }

    /** What the handshake waits for, while it waits; {@code null} otherwise. */
    PendingOperation pending() {
        return state.waits() ? pending : null;
    }

    /** Whether a key operation failed, timed out or was refused (the engine reports {@code ERR}). */
    boolean offloadFailed() {
        return offloadFailed;
    }

    boolean isComplete() {
        return state == HandshakeState.CONNECTED;
    }

    /**
     * Whether the ClientHello in effect offered early data, which the server never accepts: after it
     * the client's 0-RTT records are skipped (section 4.2.10). A second ClientHello never offers it.
     */
    boolean earlyDataOffered() {
        return hello != null && hello.earlyData;
    }

    /**
     * Whether the last message processed precedes a key change: then it must end its record
     * (section 5.1), which the record layer checks.
     */
    boolean atKeyChange() {
        return keyChangeBoundary;
    }

    String applicationProtocol() {
        return applicationProtocol;
    }

    /** The key exchange group once the ClientHello was answered, else {@code null}. */
    KeyShareGroup group() {
        return group;
    }

    Tls13Session session() {
        return session;
    }

    /** Moves to FAILED and cancels whatever the handshake waits for. */
    void fail(String reason) {
        if (state != HandshakeState.FAILED) {
            cancelPending(reason);
            moveTo(HandshakeState.FAILED);
        }
    }

    void cancelPending(String reason) {
        PendingOperation p = pending;
        if (p != null) {
            p.cancel(reason);
        }
    }

    // ------------------------------------------------------------------ messages

    /**
     * Processes one whole handshake message: {@code len} bytes at {@code off}, its four-byte header
     * included.
     */
    void onMessage(byte[] buf, int off, int len) throws TlsFailure {
        int type = buf[off] & 0xff;
        keyChangeBoundary = false;
        switch (state) {
            case AWAIT_CLIENT_HELLO:
            case AWAIT_RETRY_HELLO:
                expect(type, CLIENT_HELLO);
                keyChangeBoundary = true;
                onClientHello(Arrays.copyOfRange(buf, off, off + len));
                break;
            case AWAIT_CLIENT_CERTIFICATE:
                expect(type, CERTIFICATE);
                onClientCertificate(buf, off, len);
                break;
            case AWAIT_CLIENT_CERTIFICATE_VERIFY:
                expect(type, CERTIFICATE_VERIFY);
                onClientCertificateVerify(buf, off, len);
                break;
            case AWAIT_CLIENT_FINISHED:
                expect(type, FINISHED);
                keyChangeBoundary = true;
                onClientFinished(buf, off, len);
                break;
            case CONNECTED:
                expect(type, KEY_UPDATE);
                keyChangeBoundary = true;
                onKeyUpdate(buf, off, len);
                break;
            default:
                throw new IllegalStateException("no handshake message is processed in state " + state);
        }
    }

    private void expect(int type, int expected) throws TlsFailure {
        if (type != expected) {
            throw TlsFailure.handshake(Alert.UNEXPECTED_MESSAGE, "received " + messageName(type) + " where "
                    + messageName(expected) + " was expected");
        }
    }

    static String messageName(int type) {
        return org.bouncycastle.tls.HandshakeType.getText((short) type);
    }

    /** Continues after the pending operation settled. */
    void resume() throws TlsFailure {
        PendingOperation p = pending;
        if (p == null || !p.isDone()) {
            throw new IllegalStateException("resume without a settled operation in state " + state);
        }
        pending = null;
        switch (state) {
            case AWAIT_CREDENTIALS:
                selection = (Selection) jobOutcome(p, "the key manager");
                if (selection != null) {
                    continueWithCredential();
                }
                break;
            case AWAIT_CLIENT_TRUST:
                if (jobOutcome(p, "the trust manager") != null) {
                    moveTo(HandshakeState.AWAIT_CLIENT_CERTIFICATE_VERIFY);
                }
                break;
            case AWAIT_CAPACITY:
                if (p.failure() != null) {
                    offloadFailed = true;
                    throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "the key offloader stayed saturated: "
                            + describe(p.failure()), p.failure());
                }
                submitSignature();
                break;
            case AWAIT_SIGNATURE:
                finishFlight(signatureOf(p));
                break;
            default:
                throw new IllegalStateException("nothing to resume in state " + state);
        }
    }

    // ------------------------------------------------------------------ ClientHello

    private void onClientHello(byte[] message) throws TlsFailure {
        if (policy == null) {
            policy = context.policy(parameters);
        }
        ClientHello ch = ClientHello.parse(message);
        if (state == HandshakeState.AWAIT_RETRY_HELLO) {
            String difference = ch.differenceAfterRetry(firstHello);
            if (difference != null) {
                throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER,
                        "the ClientHello after HelloRetryRequest is not the first one repeated: " + difference);
            }
        } else {
            firstHello = ch;
        }
        hello = ch;
        if (!ch.offersTls13()) {
            throw TlsFailure.handshake(Alert.PROTOCOL_VERSION, "the ClientHello does not offer TLS 1.3");
        }
        // section 9.2: what a ClientHello without a usable PSK must carry
        if (ch.preSharedKey && ch.pskKeyExchangeModes == null) {
            throw TlsFailure.handshake(Alert.MISSING_EXTENSION, "pre_shared_key without psk_key_exchange_modes");
        }
        if (ch.signatureAlgorithms == null) {
            throw TlsFailure.handshake(Alert.MISSING_EXTENSION, "the ClientHello has no signature_algorithms");
        }
        if (ch.supportedGroups == null || ch.keyShares == null) {
            throw TlsFailure.handshake(Alert.MISSING_EXTENSION, ch.supportedGroups == null
                    ? "the ClientHello has no supported_groups" : "the ClientHello has no key_share");
        }
        for (ClientHello.KeyShare s : ch.keyShares) {
            if (!ClientHello.contains(ch.supportedGroups, s.group)) {
                // section 4.2.8: every share must be of a group the client lists as supported
                throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "key_share offers group " + s.group
                        + ", which supported_groups does not list");
            }
        }
        if (suite == null) {
            suite = chooseSuite(ch);
        }
        ClientHello.KeyShare share;
        if (state == HandshakeState.AWAIT_RETRY_HELLO) {
            // section 4.1.4: exactly one share, of the group the HelloRetryRequest named
            share = ch.keyShare(retryGroup.code);
            if (share == null || ch.keyShares.size() != 1) {
                throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER,
                        "the second ClientHello does not offer exactly one share of " + retryGroup.jsseName);
            }
            group = retryGroup;
        } else {
            share = chooseShare(ch);
            if (share == null) {
                sendHelloRetryRequest(ch);
                return;
            }
            group = KeyShareGroup.forCode(share.group);
            transcript = new Transcript(context.newDigest(suite.hash));
        }
        if (!group.wellFormed(share.share)) {
            throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "the " + group.jsseName + " key share has the wrong form");
        }
        startSession(ch);
        matchServerNames(ch);
        applicationProtocol = chooseApplicationProtocol(ch);
        // the binder covers the transcript up to the truncated hello, so it is checked before the hello joins it
        resumption = ch.preSharedKey ? choosePsk(ch) : null;
        transcript.add(message);
        keyExchange(group, share.share, resumption != null ? resumption.psk : null);
        if (resumption != null) {
            resumeSession();
        } else {
            selectCredential();
        }
    }

    // ------------------------------------------------------------------ resumption (section 4.2.11)

    /**
     * The ticket of the first offered identity that can resume here, its binder verified; {@code null}
     * when none can (a full handshake follows: an unusable ticket is no error). Only psk_dhe_ke
     * resumes (section 4.2.9). As section 4.2.11 advises, one binder is verified: the chosen one's.
     */
    private TicketBody choosePsk(ClientHello ch) throws TlsFailure {
        if (!ClientHello.contains(ch.pskKeyExchangeModes, PSK_DHE_KE)) {
            return null;
        }
        SessionRegistry sessions = context.sessions();
        long now = sessions.now();
        for (int i = 0; i < ch.pskIdentities.size(); i++) {
            TicketBody ticket = usableTicket(ch.pskIdentities.get(i), sessions, now);
            if (ticket == null) {
                continue;
            }
            byte[] truncatedHash = transcript.hashWith(ch.message, 0, ch.bindersStart);
            KeySchedule binderSchedule = new KeySchedule(context.crypto(), suite.hash);
            binderSchedule.startEarly(ticket.psk);
            byte[] expected = binderSchedule.resumptionBinder(truncatedHash);
            binderSchedule.destroy();
            // constant time: the comparison must not tell how much of a forged binder was right
            boolean valid = MessageDigest.isEqual(expected, ch.pskBinders.get(i));
            KeySchedule.wipe(expected);
            if (!valid) {
                ticket.wipe();
                throw TlsFailure.handshake(Alert.DECRYPT_ERROR, "the binder of PSK identity " + i + " does not verify");
            }
            selectedIdentity = i;
            return ticket;
        }
        return null;
    }

    /**
     * The ticket of {@code offered} if it can resume this handshake: it opens under a ticket key,
     * parses, was issued for a suite with the hash of the one chosen (section 4.2.11), is within its
     * lifetime by the server's clock and about as old by the client's (section 4.2.11.1), was issued
     * for the server name and application protocol of this handshake (section 4.6.1), carries a client
     * certificate if one is required now, names a certificate this server still serves, and its
     * session was not invalidated. Otherwise {@code null}.
     */
    private TicketBody usableTicket(ClientHello.PskIdentity offered, SessionRegistry sessions, long now) {
        byte[] opened = context.ticketKeys().open(offered.identity);
        TicketBody t = opened != null ? TicketBody.decode(opened) : null;
        if (opened != null) {
            KeySchedule.wipe(opened);
        }
        if (t == null) {
            return null;
        }
        long lifetimeMillis = Math.min(t.lifetimeSeconds, sessions.ticketLifetimeSeconds()) * 1000;
        long serverAge = now - t.issued;
        long clientAge = (offered.obfuscatedAge - (t.ageAdd & 0xffffffffL)) & 0xffffffffL;
        boolean usable = t.suite.hash == suite.hash
                && serverAge >= -TICKET_AGE_TOLERANCE_MILLIS && serverAge <= lifetimeMillis
                && Math.abs(clientAge - serverAge) <= TICKET_AGE_TOLERANCE_MILLIS
                && t.serverName.equalsIgnoreCase(hostName(hello))
                && t.applicationProtocol.equals(applicationProtocol)
                && (t.peerChain != null || !parameters.getNeedClientAuth())
                && !sessions.isInvalidated(t.sessionId);
        Credential local = usable ? context.credentialWithLeaf(t.localLeafHash) : null;
        if (usable && local == null) {
            local = servedCredentialWithLeaf(t.localLeafHash);
        }
        if (local == null) {
            t.wipe();
            return null;
        }
        localCredential = local;
        return t;
    }

    /**
     * The certificate the key manager serves this handshake whose leaf has SHA-256 hash
     * {@code leafHash}, or {@code null}. For a ticket this context has not seen the certificate of
     * yet: another server sharing the ticket keys issued it, or this one before a restart. It asks
     * the key manager for an alias per key type of the client's signature_algorithms and for its
     * chain, as a full handshake does, but never for a private key. A key manager that a full
     * handshake would call in a job (application code that may wait in {@code OffloadPoint.await}) is
     * not asked here, where the call would block the thread driving the engine: such a server resumes
     * the ticket once a full handshake of its own has served the certificate, and until then answers
     * it with a full handshake.
     */
    private Credential servedCredentialWithLeaf(byte[] leafHash) {
        X509KeyManager km = setup.keyManager;
        if (km == null || !callInline(km)) {
            return null;
        }
        List<String> askedTypes = new ArrayList<>(4);
        for (int code : hello.signatureAlgorithms) {
            SignatureScheme scheme = SignatureScheme.forCode(code);
            String kind = scheme == null ? null : scheme.askedKeyType();
            if (kind == null || !contains(policy.schemes, scheme) || askedTypes.contains(kind)) {
                continue;
            }
            askedTypes.add(kind);
            String alias = chooseAlias(km, scheme);
            X509Certificate[] chain = alias == null ? null : km.getCertificateChain(alias);
            try {
                Credential c = chain == null || chain.length == 0 ? null : context.credential(alias, chain);
                if (c != null && MessageDigest.isEqual(c.leafHash, leafHash)) {
                    return c;
                }
            } catch (CertificateException e) {
                // a certificate that cannot be encoded serves no handshake: not this ticket's either
            }
        }
        return null;
    }

    /** The host_name the client requested, or {@code ""}. */
    private static String hostName(ClientHello ch) {
        for (SNIServerName n : ch.serverNames) {
            if (n instanceof javax.net.ssl.SNIHostName) {
                return ((javax.net.ssl.SNIHostName) n).getAsciiName();
            }
        }
        return "";
    }

    /**
     * The resumed handshake: ServerHello with pre_shared_key, EncryptedExtensions and Finished; no
     * CertificateRequest, Certificate or CertificateVerify (section 2.2), so no key manager and no
     * offloader. The session continues the ticket's, under an id of its own.
     */
    private void resumeSession() throws TlsFailure {
        TicketBody t = resumption;
        session.resumeFrom(t.sessionCreated);
        session.setLocalCertificates(localCredential.chain);
        if (t.peerChain != null) {
            peerChain = t.peerChain;
            session.setPeerCertificates(t.peerChain);
        }
        t.wipe();
        sendServerHello();
        flight = new MessageWriter(256);
        addToFlight(encryptedExtensions());
        finishFlight(null);
    }

    /**
     * Queues the NewSessionTickets (section 4.6.1) under the application keys, each with a fresh
     * ticket_age_add and its own nonce, if the client can use them (it offered psk_dhe_ke, section
     * 4.2.9); wipes the resumption master secret. They go out with the next wrap, as the JDK's server
     * sends its tickets: the handshake status says NEED_WRAP, and that wrap reports FINISHED.
     */
    private void issueTickets() throws TlsFailure {
        byte[] secret = resumptionMasterSecret;
        resumptionMasterSecret = null;
        SessionRegistry sessions = context.sessions();
        int count = sessions.ticketCount();
        if (secret == null || count == 0 || !ClientHello.contains(hello.pskKeyExchangeModes, PSK_DHE_KE)) {
            KeySchedule.wipe(secret);
            return;
        }
        try {
            long lifetime = sessions.ticketLifetimeSeconds();
            for (int i = 0; i < count; i++) {
                byte[] nonce = {(byte) i};
                byte[] psk = schedule.expandLabel(secret, "resumption", nonce, suite.hash.length);
                int ageAdd = context.random().nextInt();
                TicketBody body = new TicketBody(suite, sessions.now(), session.getCreationTime(), lifetime, ageAdd, psk,
                        session.idBytes(), hostName(hello), applicationProtocol, localCredential.leafHash, peerChain);
                byte[] encoded = body.encode();
                body.wipe();
                byte[] ticket = context.ticketKeys().seal(encoded);
                KeySchedule.wipe(encoded);
                if (ticket.length > 0xffff) {
                    // a client chain too large for a ticket<1..2^16-1>: this session cannot be resumed
                    return;
                }
                MessageWriter w = new MessageWriter(24 + ticket.length);
                int msg = w.message(NEW_SESSION_TICKET);
                w.u16((int) (lifetime >>> 16)).u16((int) lifetime);
                w.u16(ageAdd >>> 16).u16(ageAdd);
                w.u8(nonce.length).bytes(nonce);
                w.u16(ticket.length).bytes(ticket);
                w.u16(0); // no extensions: in particular no early_data, as the server accepts no 0-RTT
                w.close(msg, 3);
                out.addBeforeData(OutboundQueue.APPLICATION_KEYS, HANDSHAKE, w.toByteArray());
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "the client's certificate cannot be encoded for a ticket", e);
        } finally {
            KeySchedule.wipe(secret);
        }
    }

    private CipherSuite chooseSuite(ClientHello ch) throws TlsFailure {
        for (CipherSuite s : policy.suites) {
            if (ClientHello.contains(ch.cipherSuites, s.code)) {
                return s;
            }
        }
        throw TlsFailure.handshake(Alert.HANDSHAKE_FAILURE, policy.suites.length == 0
                ? "no TLS 1.3 cipher suite is enabled" : "the client offers no enabled TLS 1.3 cipher suite");
    }

    /** The first of the client's shares, in its order, of a group this server enables. */
    private ClientHello.KeyShare chooseShare(ClientHello ch) {
        for (ClientHello.KeyShare s : ch.keyShares) {
            KeyShareGroup g = KeyShareGroup.forCode(s.group);
            if (g != null && contains(policy.groups, g)) {
                return s;
            }
        }
        return null;
    }

    private static boolean contains(Object[] values, Object value) {
        for (Object v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    /** Section 4.1.4: no usable share, so ask for one of the first group both sides support. */
    private void sendHelloRetryRequest(ClientHello ch) throws TlsFailure {
        for (KeyShareGroup g : policy.groups) {
            if (ClientHello.contains(ch.supportedGroups, g.code)) {
                retryGroup = g;
                break;
            }
        }
        if (retryGroup == null) {
            throw TlsFailure.handshake(Alert.HANDSHAKE_FAILURE, "the client supports no enabled key exchange group");
        }
        group = retryGroup;
        transcript = new Transcript(context.newDigest(suite.hash));
        transcript.add(ch.message);
        transcript.replaceWithMessageHash();
        MessageWriter w = new MessageWriter(128);
        int msg = w.message(SERVER_HELLO);
        w.u16(0x0303).bytes(HELLO_RETRY_RANDOM);
        w.u8(ch.sessionId.length).bytes(ch.sessionId);
        w.u16(suite.code).u8(0);
        int exts = w.open(2);
        w.u16(ExtensionType.supported_versions).u16(2).u16(ClientHello.TLS13);
        w.u16(ExtensionType.key_share).u16(2).u16(retryGroup.code);
        w.close(exts, 2);
        w.close(msg, 3);
        byte[] hrr = w.toByteArray();
        transcript.add(hrr);
        out.add(OutboundQueue.PLAINTEXT, HANDSHAKE, hrr);
        sendChangeCipherSpecOnce(ch);
        moveTo(HandshakeState.AWAIT_RETRY_HELLO);
    }

    /** Appendix D.4: in middlebox compatibility mode (the client sent a session id) one CCS follows the first flight. */
    private void sendChangeCipherSpecOnce(ClientHello ch) {
        if (!changeCipherSpecSent && ch.sessionId.length > 0) {
            out.add(OutboundQueue.PLAINTEXT, CHANGE_CIPHER_SPEC, new byte[] {1});
            changeCipherSpecSent = true;
        }
    }

    private void startSession(ClientHello ch) {
        session.setCipherSuite(suite.name());
        session.setRequestedServerNames(ch.serverNames);
        session.setLocalSignatureAlgorithms(policy.schemeNames);
        int[] peer = ch.signatureAlgorithmsCert != null ? ch.signatureAlgorithmsCert : ch.signatureAlgorithms;
        List<String> names = new ArrayList<>(peer.length);
        for (int code : peer) {
            SignatureScheme s = SignatureScheme.forCode(code);
            if (s != null) {
                names.add(s.jsseName);
            }
        }
        session.setPeerSignatureAlgorithms(names.toArray(new String[0]));
    }

    /**
     * RFC 6066, section 3, with the parameters' matchers: a requested name that a matcher of its type
     * rejects fails the handshake with {@code unrecognized_name}; a matched one is acknowledged.
     */
    private void matchServerNames(ClientHello ch) throws TlsFailure {
        java.util.Collection<SNIMatcher> matchers = parameters.getSNIMatchers();
        if (matchers == null || matchers.isEmpty()) {
            return;
        }
        for (SNIServerName name : ch.serverNames) {
            for (SNIMatcher m : matchers) {
                if (m.getType() == name.getType()) {
                    if (!m.matches(name)) {
                        throw TlsFailure.handshake(Alert.UNRECOGNIZED_NAME, "the requested server name " + name
                                + " is not served here");
                    }
                    serverNameAcknowledged = true;
                }
            }
        }
    }

    /**
     * RFC 7301, section 3.2: the handshake selector if the application set one (called with the
     * application's engine; {@code null} refuses, the empty string declines ALPN), otherwise the
     * first of the server's protocols the client offers. No common protocol is
     * {@code no_application_protocol}.
     */
    private String chooseApplicationProtocol(ClientHello ch) throws TlsFailure {
        List<String> offered = ch.applicationProtocols;
        if (offered == null) {
            return "";
        }
        if (protocolSelector != null) {
            String chosen = protocolSelector.apply(setup.application, List.copyOf(offered));
            if (chosen == null) {
                throw TlsFailure.handshake(Alert.NO_APPLICATION_PROTOCOL, "the application protocol selector accepted none of "
                        + offered);
            }
            if (!chosen.isEmpty() && !offered.contains(chosen)) {
                throw TlsFailure.handshake(Alert.NO_APPLICATION_PROTOCOL, "the application protocol selector chose '"
                        + chosen + "', which the client did not offer");
            }
            return chosen;
        }
        String[] ours = parameters.getApplicationProtocols();
        if (ours == null || ours.length == 0) {
            return "";
        }
        for (String p : ours) {
            if (offered.contains(p)) {
                return p;
            }
        }
        throw TlsFailure.handshake(Alert.NO_APPLICATION_PROTOCOL, "no application protocol in common: the client offers "
                + offered + ", the server " + Arrays.toString(ours));
    }

    /** The (EC)DHE or hybrid exchange (section 4.2.8) and the handshake secrets (section 7.1). */
    private void keyExchange(KeyShareGroup group, byte[] clientShare, byte[] psk) throws TlsFailure {
        byte[] shared;
        try {
            TlsAgreement agreement = group.serverAgreement(context.crypto(), context.kemCrypto());
            agreement.receivePeerValue(clientShare);
            serverShare = agreement.generateEphemeral();
            shared = agreement.calculateSecret().extract();
        } catch (IOException | RuntimeException e) {
            throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "the client's " + group.jsseName + " key share is not valid: "
                    + e.getMessage(), e);
        }
        if (allZero(shared)) {
            // section 7.4.2: an all-zero X25519 result means a small-order point
            throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "the " + group.jsseName + " exchange produced an all-zero secret");
        }
        schedule = new KeySchedule(context.crypto(), suite.hash);
        schedule.startEarly(psk);
        schedule.startHandshake(shared);
        KeySchedule.wipe(shared);
    }

    private static boolean allZero(byte[] b) {
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }

    // ------------------------------------------------------------------ credentials

    private void selectCredential() throws TlsFailure {
        X509KeyManager km = setup.keyManager;
        if (km == null) {
            throw TlsFailure.handshake(Alert.HANDSHAKE_FAILURE, "the server has no key manager");
        }
        HandshakeJob.Work work = this::chooseCredential;
        if (callInline(km)) {
            selection = chooseCredential();
            continueWithCredential();
            return;
        }
        Object result = startJob(work, HandshakeState.AWAIT_CREDENTIALS);
        if (result != null) {
            selection = (Selection) result;
            continueWithCredential();
        }
    }

    private boolean callInline(Object manager) {
        return setup.offloader.get() == null || !ManagerCalls.mayWait(manager);
    }

    /**
     * Walks the client's signature_algorithms in its order (section 4.4.2.2): for each scheme this
     * server enables, asks the key manager for a key of the scheme's type, and takes the first whose
     * key fits the scheme and whose chain the client's signature_algorithms_cert accepts; failing
     * that, the first that fits. Runs on the caller's thread or in a job.
     */
    private Selection chooseCredential() throws TlsFailure {
        X509KeyManager km = setup.keyManager;
        List<String> askedTypes = new ArrayList<>(4);
        List<String> aliases = new ArrayList<>(4);
        Selection fallback = null;
        String fallbackAlias = null;
        for (int code : hello.signatureAlgorithms) {
            SignatureScheme scheme = SignatureScheme.forCode(code);
            if (scheme == null || !contains(policy.schemes, scheme)) {
                continue;
            }
            String kind = scheme.askedKeyType();
            int asked = askedTypes.indexOf(kind);
            String alias;
            if (asked >= 0) {
                alias = aliases.get(asked);
            } else {
                alias = chooseAlias(km, scheme);
                askedTypes.add(kind);
                aliases.add(alias);
            }
            if (alias == null) {
                continue;
            }
            X509Certificate[] chain = km.getCertificateChain(alias);
            if (chain == null || chain.length == 0) {
                continue;
            }
            Credential credential;
            try {
                credential = context.credential(alias, chain);
            } catch (CertificateException e) {
                throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "the certificate of alias " + alias + " cannot be encoded", e);
            }
            if (!credential.canSign(scheme)) {
                continue;
            }
            if (credential.chainAcceptableTo(hello.signatureAlgorithmsCert)) {
                return withKey(km, alias, credential, scheme);
            }
            if (fallback == null) {
                fallback = new Selection(credential, null, scheme);
                fallbackAlias = alias;
            }
        }
        if (fallback != null) {
            // section 4.4.2.2: without a chain the client's list accepts, send one anyway
            return withKey(km, fallbackAlias, fallback.credential, fallback.scheme);
        }
        throw TlsFailure.handshake(Alert.HANDSHAKE_FAILURE, "no certificate of the key manager can sign with a scheme the client offers");
    }

    private Selection withKey(X509KeyManager km, String alias, Credential credential, SignatureScheme scheme) throws TlsFailure {
        PrivateKey key = km.getPrivateKey(alias);
        if (key == null) {
            throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "the key manager has no private key for alias " + alias);
        }
        return new Selection(credential, key, scheme);
    }

    /** The JDK's key type for the scheme first, then the narrower one Bouncy Castle's managers know. */
    private String chooseAlias(X509KeyManager km, SignatureScheme scheme) {
        String alias = chooseAlias(km, scheme.keyType);
        if (alias == null && scheme.narrowKeyType != null) {
            alias = chooseAlias(km, scheme.narrowKeyType);
        }
        return alias;
    }

    private String chooseAlias(X509KeyManager km, String keyType) {
        java.security.Principal[] issuers = hello.certificateAuthorities;
        if (km instanceof X509ExtendedKeyManager) {
            return ((X509ExtendedKeyManager) km).chooseEngineServerAlias(keyType, issuers, setup.application);
        }
        return km.chooseServerAlias(keyType, issuers, null);
    }

    /**
     * Runs a manager call in a handshake job. Returns its result when it finished within the wait
     * budget, or {@code null} after moving to {@code waitState} (including when the job scheduler is
     * full: then the job starts once capacity returns).
     */
    private Object startJob(HandshakeJob.Work work, HandshakeState waitState) throws TlsFailure {
        JobScheduler scheduler = setup.scheduler != null ? setup.scheduler : JobScheduler.shared();
        HandshakeJob j = new HandshakeJob(work, setup.offloadTimeout, setup.trace);
        if (!j.start(scheduler)) {
            PendingOperation capacity = PendingOperation.manual(AsyncStatus.EAGAIN, null);
            scheduler.whenCapacity(capacity::settle);
            capacity.limit(setup.offloadTimeout, "waiting for a handshake job", () -> { });
            job = null;
            jobWork = work;
            pending = capacity;
            enterWait(waitState);
            return null;
        }
        if (j.awaitSettled(setup.waitBudgetNanos)) {
            return jobResult(j);
        }
        PendingOperation op = PendingOperation.manual(AsyncStatus.OK, j::cancel);
        j.whenDone(op::settle);
        op.limit(setup.offloadTimeout, "a key or trust manager call", () -> j.cancel("it outlived the offload timeout"));
        job = j;
        jobWork = null;
        pending = op;
        enterWait(waitState);
        return null;
    }

    /** Enters a waiting state; a job restarted after a capacity wait is already in it. */
    private void enterWait(HandshakeState waitState) {
        if (state != waitState) {
            moveTo(waitState);
        }
    }

    /**
     * The outcome of a settled manager wait: the job's result, or {@code null} after restarting a job
     * that waited for capacity (the handshake waits again).
     */
    private Object jobOutcome(PendingOperation p, String what) throws TlsFailure {
        if (job == null) {
            if (p.failure() != null) {
                throw TlsFailure.handshake(Alert.INTERNAL_ERROR, what + " could not run: " + describe(p.failure()), p.failure());
            }
            return startJob(jobWork, state);
        }
        HandshakeJob j = job;
        job = null;
        if (p.failure() != null && !j.isDone()) {
            throw TlsFailure.handshake(Alert.INTERNAL_ERROR, what + " " + describe(p.failure()), p.failure());
        }
        return jobResult(j);
    }

    private static Object jobResult(HandshakeJob j) throws TlsFailure {
        HandshakeJob.Outcome outcome = j.outcome();
        Throwable failure = outcome.failure();
        if (failure == null) {
            return outcome.value();
        }
        if (failure instanceof TlsFailure) {
            throw (TlsFailure) failure;
        }
        throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "a key or trust manager failed: " + describe(failure), failure);
    }

    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && (c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException)) {
            c = c.getCause();
        }
        return dev.asyncjsse.monitor.ContextMonitor.describe(c);
    }

    // ------------------------------------------------------------------ the server's flight

    private void continueWithCredential() throws TlsFailure {
        localCredential = selection.credential;
        session.setLocalCertificates(selection.credential.chain);
        sendServerHello();

        flight = new MessageWriter(selection.credential.certificateMessage.length + 512);
        addToFlight(encryptedExtensions());
        certificateRequested = parameters.getNeedClientAuth() || parameters.getWantClientAuth();
        if (certificateRequested) {
            addToFlight(certificateRequest());
        }
        addToFlight(selection.credential.certificateMessage);
        byte[] hash = transcript.hash();
        signedContent = Arrays.copyOf(SERVER_SIGNATURE_CONTEXT, SERVER_SIGNATURE_CONTEXT.length + hash.length);
        System.arraycopy(hash, 0, signedContent, SERVER_SIGNATURE_CONTEXT.length, hash.length);
        submitSignature();
    }

    /** ServerHello, the middlebox-compatibility CCS, and the handshake traffic keys (section 7.1). */
    private void sendServerHello() throws TlsFailure {
        byte[] serverHello = serverHello();
        transcript.add(serverHello);
        // once the ServerHello is out, the client expects the handshake keys (an alert included)
        out.add(OutboundQueue.PLAINTEXT, HANDSHAKE, serverHello, () -> out.advanceTo(OutboundQueue.HANDSHAKE_KEYS));
        sendChangeCipherSpecOnce(hello);

        byte[] helloHash = transcript.hash();
        clientHandshakeSecret = schedule.deriveSecret("c hs traffic", helloHash);
        serverHandshakeSecret = schedule.deriveSecret("s hs traffic", helloHash);
        try {
            keys.read = RecordCipher.opening(suite, schedule.trafficKey(clientHandshakeSecret, suite.keyLength),
                    schedule.trafficIv(clientHandshakeSecret));
            keys.handshakeWrite = RecordCipher.sealing(suite, schedule.trafficKey(serverHandshakeSecret, suite.keyLength),
                    schedule.trafficIv(serverHandshakeSecret));
        } catch (GeneralSecurityException e) {
            throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "no " + suite.transformation + " cipher: " + e.getMessage(), e);
        }
        keyLog("CLIENT_HANDSHAKE_TRAFFIC_SECRET", clientHandshakeSecret);
        keyLog("SERVER_HANDSHAKE_TRAFFIC_SECRET", serverHandshakeSecret);
    }

    private void addToFlight(byte[] message) {
        flight.bytes(message);
        transcript.add(message);
    }

    private byte[] serverHello() {
        byte[] random = new byte[32];
        context.random().nextBytes(random);
        MessageWriter w = new MessageWriter(128 + serverShare.length);
        int msg = w.message(SERVER_HELLO);
        w.u16(0x0303).bytes(random);
        w.u8(hello.sessionId.length).bytes(hello.sessionId);
        w.u16(suite.code).u8(0);
        int exts = w.open(2);
        w.u16(ExtensionType.supported_versions).u16(2).u16(ClientHello.TLS13);
        if (selectedIdentity >= 0) {
            w.u16(ExtensionType.pre_shared_key).u16(2).u16(selectedIdentity);
        }
        w.u16(ExtensionType.key_share);
        int ks = w.open(2);
        w.u16(group.code);
        int share = w.open(2);
        w.bytes(serverShare);
        w.close(share, 2);
        w.close(ks, 2);
        w.close(exts, 2);
        w.close(msg, 3);
        return w.toByteArray();
    }

    private byte[] encryptedExtensions() {
        MessageWriter w = new MessageWriter(64);
        int msg = w.message(ENCRYPTED_EXTENSIONS);
        int exts = w.open(2);
        if (serverNameAcknowledged) {
            w.u16(ExtensionType.server_name).u16(0);
        }
        if (!applicationProtocol.isEmpty()) {
            byte[] name = applicationProtocol.getBytes(StandardCharsets.ISO_8859_1);
            w.u16(ExtensionType.application_layer_protocol_negotiation);
            int ext = w.open(2);
            int list = w.open(2);
            w.u8(name.length).bytes(name);
            w.close(list, 2);
            w.close(ext, 2);
        }
        w.close(exts, 2);
        w.close(msg, 3);
        return w.toByteArray();
    }

    private byte[] certificateRequest() {
        MessageWriter w = new MessageWriter(64);
        int msg = w.message(CERTIFICATE_REQUEST);
        w.u8(0); // certificate_request_context: empty during the handshake (section 4.3.2)
        int exts = w.open(2);
        w.u16(ExtensionType.signature_algorithms).u16(policy.signatureAlgorithmsExtension.length)
                .bytes(policy.signatureAlgorithmsExtension);
        w.close(exts, 2);
        w.close(msg, 3);
        return w.toByteArray();
    }

    /**
     * Signs CertificateVerify: inline without an offloader; otherwise the offloader gets it and the
     * handshake waits in AWAIT_SIGNATURE, or in AWAIT_CAPACITY while the offloader is saturated.
     */
    private void submitSignature() throws TlsFailure {
        SignatureScheme scheme = selection.scheme;
        KeyOffloader offloader = setup.offloader.get();
        if (offloader == null) {
            byte[] signature;
            try {
                signature = KeyOperations.sign(selection.key, scheme.jcaAlgorithm, scheme.parameters(), signedContent);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "signing CertificateVerify with " + scheme.jcaAlgorithm
                        + " failed: " + describe(e), e);
            }
            finishFlight(signature);
            return;
        }
        if (offloader.isSaturated()) {
            PendingOperation capacity = PendingOperation.manual(AsyncStatus.EAGAIN, null);
            offloader.whenUnsaturated(capacity::settle);
            capacity.limit(setup.offloadTimeout, "waiting for key offloader capacity", () -> { });
            pending = capacity;
            enterWait(HandshakeState.AWAIT_CAPACITY);
            return;
        }
        // no job runs this: the guard learns the handshake from its trace
        CompletionStage<byte[]> stage = offloader instanceof GuardedKeyOffloader
                ? ((GuardedKeyOffloader) offloader).sign(setup.trace, selection.key, scheme.jcaAlgorithm, scheme.parameters(),
                        signedContent.clone())
                : offloader.sign(selection.key, scheme.jcaAlgorithm, scheme.parameters(), signedContent.clone());
        byte[] ready = PendingOperation.valueIfDone(stage);
        if (ready != null && ready.length > 0) {
            // the offloader answered at once: no pause, and nothing to wait for
            finishFlight(ready);
            return;
        }
        PendingOperation op = PendingOperation.forStage(stage, setup.offloadTimeout, "the offloaded " + scheme.jcaAlgorithm + " signature");
        if (op.isDone()) {
            // the offloader answered at once: no pause
            finishFlight(signatureOf(op));
            return;
        }
        pending = op;
        moveTo(HandshakeState.AWAIT_SIGNATURE);
    }

    private byte[] signatureOf(PendingOperation op) throws TlsFailure {
        if (op.failure() != null) {
            offloadFailed = true;
            // worded as on the BCJSSE path, so that operators see one message for a failing key service
            throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "key offload failed: " + describe(op.failure())
                    + " (CertificateVerify, " + selection.scheme.jcaAlgorithm + ")", op.failure());
        }
        Object value = op.value();
        if (!(value instanceof byte[]) || ((byte[]) value).length == 0) {
            offloadFailed = true;
            throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "the key offloader returned no signature");
        }
        return (byte[]) value;
    }

    /**
     * CertificateVerify (unless the handshake resumes: {@code signature} is {@code null}), Finished,
     * and the application traffic secrets (section 7.1).
     */
    private void finishFlight(byte[] signature) throws TlsFailure {
        if (signature != null) {
            MessageWriter cv = new MessageWriter(8 + signature.length);
            int msg = cv.message(CERTIFICATE_VERIFY);
            cv.u16(selection.scheme.code);
            int sig = cv.open(2);
            cv.bytes(signature);
            cv.close(sig, 2);
            cv.close(msg, 3);
            addToFlight(cv.toByteArray());
        }

        byte[] verifyData = schedule.finishedVerifyData(serverHandshakeSecret, transcript.hash());
        MessageWriter fin = new MessageWriter(4 + verifyData.length);
        int f = fin.message(FINISHED);
        fin.bytes(verifyData);
        fin.close(f, 3);
        addToFlight(fin.toByteArray());
        out.add(OutboundQueue.HANDSHAKE_KEYS, HANDSHAKE, flight.toByteArray(), () -> out.advanceTo(OutboundQueue.APPLICATION_KEYS));
        flight = null;
        KeySchedule.wipe(serverHandshakeSecret);
        serverHandshakeSecret = null;

        schedule.startMaster();
        byte[] hash = transcript.hash();
        clientApplicationSecret = schedule.deriveSecret("c ap traffic", hash);
        serverApplicationSecret = schedule.deriveSecret("s ap traffic", hash);
        byte[] exporter = schedule.deriveSecret("exp master", hash);
        keyLog("CLIENT_TRAFFIC_SECRET_0", clientApplicationSecret);
        keyLog("SERVER_TRAFFIC_SECRET_0", serverApplicationSecret);
        keyLog("EXPORTER_SECRET", exporter);
        KeySchedule.wipe(exporter);
        try {
            keys.applicationWrite = RecordCipher.sealing(suite, schedule.trafficKey(serverApplicationSecret, suite.keyLength),
                    schedule.trafficIv(serverApplicationSecret));
        } catch (GeneralSecurityException e) {
            throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "no " + suite.transformation + " cipher: " + e.getMessage(), e);
        }
        moveTo(certificateRequested ? HandshakeState.AWAIT_CLIENT_CERTIFICATE : HandshakeState.AWAIT_CLIENT_FINISHED);
    }

    private void keyLog(String label, byte[] secret) {
        KeyLog log = context.keyLog();
        if (log != null) {
            log.write(label, Arrays.copyOfRange(hello.message, 6, 38), secret);
        }
    }

    // ------------------------------------------------------------------ the client's flight

    private void onClientCertificate(byte[] buf, int off, int len) throws TlsFailure {
        Cursor c = new Cursor(buf, off + 4, len - 4, "Certificate");
        byte[] requestContext = c.opaque(1, 0, 255, "certificate_request_context");
        if (requestContext.length != 0) {
            // section 4.4.2: it must echo the CertificateRequest's, which was empty
            throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "the client's Certificate has a request context the server did not send");
        }
        Cursor list = c.vector(3, 0, 0xffffff, "certificate_list");
        c.expectEnd();
        List<X509Certificate> chain = new ArrayList<>(3);
        CertificateFactory factory = certificateFactory();
        while (list.hasRemaining()) {
            byte[] der = list.opaque(3, 1, 0xffffff, "cert_data");
            list.vector(2, 0, 0xffff, "certificate extensions");
            try {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | ClassCastException e) {
                throw TlsFailure.handshake(Alert.BAD_CERTIFICATE, "the client's certificate cannot be parsed: " + e.getMessage(), e);
            }
        }
        transcript.add(buf, off, len);
        if (chain.isEmpty()) {
            if (parameters.getNeedClientAuth()) {
                // section 4.4.2.4
                throw TlsFailure.handshake(Alert.CERTIFICATE_REQUIRED, "the client sent no certificate and one is required");
            }
            moveTo(HandshakeState.AWAIT_CLIENT_FINISHED);
            return;
        }
        X509Certificate[] peer = chain.toArray(new X509Certificate[0]);
        peerChain = peer;
        if (setup.trustManager == null) {
            throw TlsFailure.handshake(Alert.CERTIFICATE_UNKNOWN, "the server has no trust manager to check the client's certificate");
        }
        HandshakeJob.Work check = () -> {
            checkClientTrusted(peer);
            return Boolean.TRUE;
        };
        if (callInline(setup.trustManager)) {
            checkClientTrusted(peer);
            moveTo(HandshakeState.AWAIT_CLIENT_CERTIFICATE_VERIFY);
            return;
        }
        if (startJob(check, HandshakeState.AWAIT_CLIENT_TRUST) != null) {
            moveTo(HandshakeState.AWAIT_CLIENT_CERTIFICATE_VERIFY);
        }
    }

    private static CertificateFactory certificateFactory() throws TlsFailure {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "no X.509 certificate factory", e);
        }
    }

    private void checkClientTrusted(X509Certificate[] chain) throws TlsFailure {
        String authType = new KeyFacts(chain[0].getPublicKey()).algorithm;
        try {
            if (setup.trustManager instanceof X509ExtendedTrustManager) {
                ((X509ExtendedTrustManager) setup.trustManager).checkClientTrusted(chain.clone(), authType, setup.application);
            } else {
                setup.trustManager.checkClientTrusted(chain.clone(), authType);
            }
        } catch (CertificateException e) {
            throw TlsFailure.handshake(certificateAlert(e), "the client's certificate is not trusted: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw TlsFailure.handshake(Alert.INTERNAL_ERROR, "the trust manager failed: " + describe(e), e);
        }
    }

    private static Alert certificateAlert(CertificateException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return Alert.CERTIFICATE_EXPIRED;
            }
            if (t instanceof CertPathValidatorException) {
                CertPathValidatorException.Reason r = ((CertPathValidatorException) t).getReason();
                if (r == CertPathValidatorException.BasicReason.REVOKED) {
                    return Alert.CERTIFICATE_REVOKED;
                }
                if (r == CertPathValidatorException.BasicReason.EXPIRED || r == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                    return Alert.CERTIFICATE_EXPIRED;
                }
            }
        }
        return Alert.CERTIFICATE_UNKNOWN;
    }

    private void onClientCertificateVerify(byte[] buf, int off, int len) throws TlsFailure {
        Cursor c = new Cursor(buf, off + 4, len - 4, "CertificateVerify");
        int code = c.u16();
        byte[] signature = c.opaque(2, 0, 0xffff, "signature");
        c.expectEnd();
        SignatureScheme scheme = SignatureScheme.forCode(code);
        PublicKey key = peerChain[0].getPublicKey();
        if (scheme == null || !contains(policy.schemes, scheme)) {
            // section 4.4.3: the scheme must be one the CertificateRequest offered
            throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "the client signed with scheme 0x" + Integer.toHexString(code)
                    + ", which the server did not offer");
        }
        if (!new KeyFacts(key).fits(scheme)) {
            throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "the client's key cannot sign with " + scheme.ianaName());
        }
        byte[] hash = transcript.hash();
        byte[] content = Arrays.copyOf(CLIENT_SIGNATURE_CONTEXT, CLIENT_SIGNATURE_CONTEXT.length + hash.length);
        System.arraycopy(hash, 0, content, CLIENT_SIGNATURE_CONTEXT.length, hash.length);
        boolean valid;
        try {
            valid = verify(scheme, key, content, signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw TlsFailure.handshake(Alert.DECRYPT_ERROR, "the client's CertificateVerify signature (" + scheme.ianaName()
                    + ") does not verify");
        }
        transcript.add(buf, off, len);
        session.setPeerCertificates(peerChain);
        moveTo(HandshakeState.AWAIT_CLIENT_FINISHED);
    }

    private static boolean verify(SignatureScheme scheme, PublicKey key, byte[] content, byte[] signature)
            throws GeneralSecurityException {
        Signature verifier;
        try {
            verifier = Signature.getInstance(scheme.jcaAlgorithm);
            verifier.initVerify(key);
        } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
            verifier = Signature.getInstance(scheme.jcaAlgorithm, dev.asyncjsse.jca.CryptoProviders.bouncyCastle());
            verifier.initVerify(key);
        }
        if (scheme.parameters() != null) {
            verifier.setParameter(scheme.parameters());
        }
        verifier.update(content);
        return verifier.verify(signature);
    }

    private void onClientFinished(byte[] buf, int off, int len) throws TlsFailure {
        int hashLength = suite.hash.length;
        if (len - 4 != hashLength) {
            throw TlsFailure.handshake(Alert.DECODE_ERROR, "the client's Finished has " + (len - 4) + " bytes, not " + hashLength);
        }
        byte[] expected = schedule.finishedVerifyData(clientHandshakeSecret, transcript.hash());
        byte[] received = Arrays.copyOfRange(buf, off + 4, off + len);
        // constant time: the comparison must not tell how many bytes of a forged Finished were right
        if (!MessageDigest.isEqual(expected, received)) {
            throw TlsFailure.handshake(Alert.DECRYPT_ERROR, "the client's Finished does not verify");
        }
        transcript.add(buf, off, len);
        KeySchedule.wipe(clientHandshakeSecret);
        clientHandshakeSecret = null;
        // the handshake-key cipher read its last record (the Finished): the application keys take its place
        keys.read.rekey(schedule.trafficKey(clientApplicationSecret, suite.keyLength), schedule.trafficIv(clientApplicationSecret));
        resumptionMasterSecret = schedule.deriveSecret("res master", transcript.hash());
        schedule.destroy();
        moveTo(HandshakeState.CONNECTED);
        session.established();
        issueTickets();
    }

    // ------------------------------------------------------------------ key update (section 4.6.3)

    private void onKeyUpdate(byte[] buf, int off, int len) throws TlsFailure {
        if (len != 5) {
            throw TlsFailure.handshake(Alert.DECODE_ERROR, "KeyUpdate has " + (len - 4) + " bytes, not 1");
        }
        int request = buf[off + 4] & 0xff;
        if (request > 1) {
            throw TlsFailure.handshake(Alert.ILLEGAL_PARAMETER, "KeyUpdate request_update is " + request);
        }
        byte[] next = schedule().nextTrafficSecret(clientApplicationSecret);
        KeySchedule.wipe(clientApplicationSecret);
        clientApplicationSecret = next;
        keys.read.rekey(schedule().trafficKey(next, suite.keyLength), schedule().trafficIv(next));
        if (request == 1) {
            queueKeyUpdate(false);
        }
    }

    /** The key schedule's derivations stay available after the handshake for KeyUpdate. */
    private KeySchedule schedule() {
        return schedule;
    }

    /**
     * Queues a KeyUpdate under the current application keys; the keys change once it is written. At
     * most one is queued at a time: a second request is answered by the one already waiting.
     */
    void queueKeyUpdate(boolean requestPeerUpdate) {
        if (keyUpdateQueued) {
            return;
        }
        keyUpdateQueued = true;
        byte[] message = {(byte) KEY_UPDATE, 0, 0, 1, (byte) (requestPeerUpdate ? 1 : 0)};
        out.add(OutboundQueue.APPLICATION_KEYS, HANDSHAKE, message, () -> {
            byte[] next = schedule.nextTrafficSecret(serverApplicationSecret);
            KeySchedule.wipe(serverApplicationSecret);
            serverApplicationSecret = next;
            keys.applicationWrite.rekey(schedule.trafficKey(next, suite.keyLength), schedule.trafficIv(next));
            keyUpdateQueued = false;
        });
    }

    /** Wipes the secrets this handshake still holds. */
    void destroy() {
        KeySchedule.wipe(resumptionMasterSecret);
        if (resumption != null) {
            resumption.wipe();
        }
        KeySchedule.wipe(clientHandshakeSecret);
        KeySchedule.wipe(serverHandshakeSecret);
        KeySchedule.wipe(clientApplicationSecret);
        KeySchedule.wipe(serverApplicationSecret);
    }
}
