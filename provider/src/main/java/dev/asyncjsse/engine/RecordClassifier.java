package dev.asyncjsse.engine;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * Decides which peer records the BCJSSE path processes in a handshake job, because processing them may
 * wait for a key operation or a trust-manager lookup, and which run inline with no handoff. One job
 * per handshake, not one per record: a handoff costs far more than the inline work of the others.
 *
 * <p>Internal. A pure function of the record and the facts it is given: it reads, changes nothing,
 * and returns the new value of the one fact it tracks (whether handshake messages span records).
 */
final class RecordClassifier {

    private static final long CLIENT_HELLO = 1L << 1;
    private static final long CERTIFICATE = 1L << 11;
    private static final long SERVER_HELLO_DONE = 1L << 14;
    private static final long CLIENT_KEY_EXCHANGE = 1L << 16;

    private RecordClassifier() {}

    /** What the connection looks like when a record arrives. */
    static final class Facts {
        final boolean clientMode;
        final boolean handshaking;
        final boolean offloader;
        /** The server asks for a client certificate, whose check may wait on a trust-manager lookup. */
        final boolean clientAuth;
        /** TLS 1.2 after the peer's ChangeCipherSpec: its next handshake record is its Finished. */
        final boolean tls12FinishedNext;
        /** The previous handshake record ended inside a message. */
        final boolean fragmentPending;
        /** The handshake's cipher suite, asked only for a ClientKeyExchange; null if not known yet. */
        final Supplier<String> handshakeSuite;

        Facts(boolean clientMode, boolean handshaking, boolean offloader, boolean clientAuth, boolean tls12FinishedNext,
              boolean fragmentPending, Supplier<String> handshakeSuite) {
            this.clientMode = clientMode;
            this.handshaking = handshaking;
            this.offloader = offloader;
            this.clientAuth = clientAuth;
            this.tls12FinishedNext = tls12FinishedNext;
            this.fragmentPending = fragmentPending;
            this.handshakeSuite = handshakeSuite;
        }
    }

    /** The decision for one record. Immutable. */
    static final class Decision {
        static final Decision INLINE_UNCHANGED = new Decision(false, false, null);

        final boolean inJob;
        /** The job may use the offloader, so it waits for the offloader's capacity. */
        final boolean keyStep;
        /** The new fragment fact, or {@code null} if it stays as it was. */
        final Boolean fragmentPending;

        Decision(boolean inJob, boolean keyStep, Boolean fragmentPending) {
            this.inJob = inJob;
            this.keyStep = keyStep;
            this.fragmentPending = fragmentPending;
        }
    }

    /** Classifies the record at {@code input}'s position. */
    static Decision classify(ByteBuffer input, Facts facts) {
        if (!facts.handshaking || !facts.offloader || !TlsRecords.hasCompleteRecord(input)
                || TlsRecords.recordLength(input) > TlsRecords.MAX_RECORD_LENGTH) {
            return Decision.INLINE_UNCHANGED;
        }
        switch (TlsRecords.contentType(input)) {
            case TlsRecords.HANDSHAKE:
                // After the peer's ChangeCipherSpec, a TLS 1.2 handshake record is its Finished: no key
                // operation. (In TLS 1.3 a ChangeCipherSpec is only for middleboxes, and a second
                // ClientHello after a HelloRetryRequest may still follow.)
                return facts.tls12FinishedNext ? Decision.INLINE_UNCHANGED : plaintextHandshake(input, facts);
            case TlsRecords.APPLICATION_DATA:
                // TLS 1.3 hides the handshake in application_data records. A client may have to sign
                // (client auth); a server only checks the client's certificate, which may await a lookup.
                return facts.clientMode || facts.clientAuth
                        ? new Decision(true, facts.clientMode, null) : Decision.INLINE_UNCHANGED;
            default:
                return Decision.INLINE_UNCHANGED;
        }
    }

    /**
     * A plaintext handshake record may wait when it holds a ClientHello (the server signs), a
     * ClientKeyExchange of RSA key exchange (the server decrypts), a ServerHelloDone (a TLS 1.2 client
     * may sign) or a Certificate (the trust manager may look something up); a record that splits a
     * message, or continues one, is not understood here and runs in a job to be safe.
     */
    private static Decision plaintextHandshake(ByteBuffer record, Facts facts) {
        long mask = TlsRecords.handshakeTypeMask(record);
        Boolean fragmentPending = mask == -1;
        if (mask == -1 || facts.fragmentPending) {
            return new Decision(true, true, fragmentPending);
        }
        boolean keyOperation;
        if (facts.clientMode) {
            keyOperation = (mask & SERVER_HELLO_DONE) != 0;
        } else if ((mask & CLIENT_HELLO) != 0) {
            keyOperation = true;
        } else if ((mask & CLIENT_KEY_EXCHANGE) != 0) {
            String suite = facts.handshakeSuite.get();
            keyOperation = suite == null || suite.startsWith("TLS_RSA_");
        } else {
            keyOperation = false;
        }
        if (keyOperation) {
            return new Decision(true, true, fragmentPending);
        }
        if ((mask & CERTIFICATE) != 0) {
            // the trust manager may wait, but there is no key operation: offloader capacity is not needed
            return new Decision(true, false, fragmentPending);
        }
        return new Decision(false, false, fragmentPending);
    }
}
