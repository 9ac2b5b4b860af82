package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncjsse.jca.TlsStack;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.junit.jupiter.api.Test;

/**
 * The key schedule and record protection checked against RFC 8448, section 3 ("Simple 1-RTT
 * Handshake"): every secret, key and IV of the trace, and records of both directions. The values are
 * the trace's, typed in; the shared secret and the transcript hashes are computed here from the
 * trace's key pairs and messages, so the chain from the wire to the keys is checked end to end.
 */
class Rfc8448KeyScheduleTest {

    private static final TlsCrypto CRYPTO = TlsStack.crypto(new SecureRandom());

    // {client} create an ephemeral x25519 key pair / {server} create an ephemeral x25519 key pair
    private static final byte[] CLIENT_PUBLIC = Hex.bytes(
            "99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c");
    private static final byte[] SERVER_PRIVATE = Hex.bytes(
            "b1 58 0e ea df 6d d5 89 b8 ef 4f 2d 56 52 57 8c c8 10 e9 98 01 91 ec 8d 05 83 08 ce a2 16 a2 1e");

    // {client} construct a ClientHello handshake message
    private static final byte[] CLIENT_HELLO = Hex.bytes(
            "01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62"
            + "83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65"
            + "72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23"
            + "00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51"
            + "c1 3c ae 4d 54 13 69 1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02"
            + "03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00"
            + "02 40 01");

    // {server} construct a ServerHello handshake message
    private static final byte[] SERVER_HELLO = Hex.bytes(
            "02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55"
            + "77 2e d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db"
            + "f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04");

    private static final byte[] SHARED_SECRET = Hex.bytes(
            "8b d4 05 4f b5 5b 9d 63 fd fb ac f9 f0 4b 9f 0d 35 e6 d6 3f 53 75 63 ef d4 62 72 90 0f 89 49 2d");
    private static final byte[] EARLY_SECRET = Hex.bytes(
            "33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c e2 10 ad f3 00 aa 1f 26 60 e1 b2 2e 10 f1 70 f9 2a");
    private static final byte[] DERIVED_FOR_HANDSHAKE = Hex.bytes(
            "6f 26 15 a1 08 c7 02 c5 67 8f 54 fc 9d ba b6 97 16 c0 76 18 9c 48 25 0c eb ea c3 57 6c 36 11 ba");
    private static final byte[] HANDSHAKE_SECRET = Hex.bytes(
            "1d c8 26 e9 36 06 aa 6f dc 0a ad c1 2f 74 1b 01 04 6a a6 b9 9f 69 1e d2 21 a9 f0 ca 04 3f be ac");
    private static final byte[] HELLO_HASH = Hex.bytes(
            "86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8");
    private static final byte[] CLIENT_HS_TRAFFIC = Hex.bytes(
            "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21");
    private static final byte[] SERVER_HS_TRAFFIC = Hex.bytes(
            "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38");
    private static final byte[] DERIVED_FOR_MASTER = Hex.bytes(
            "43 de 77 e0 c7 77 13 85 9a 94 4d b9 db 25 90 b5 31 90 a6 5b 3e e2 e4 f1 2d d7 a0 bb 7c e2 54 b4");
    private static final byte[] MASTER_SECRET = Hex.bytes(
            "18 df 06 84 3d 13 a0 8b f2 a4 49 84 4c 5f 8a 47 80 01 bc 4d 4c 62 79 84 d5 a4 1d a8 d0 40 29 19");
    private static final byte[] SERVER_FINISHED_HASH = Hex.bytes(
            "96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a 00 0e aa da 3d aa e4 77 7a 76 86 c9 ff 83 df 13");
    private static final byte[] CLIENT_FINISHED_HASH = Hex.bytes(
            "20 91 45 a9 6e e8 e2 a1 22 ff 81 00 47 cc 95 26 84 65 8d 60 49 e8 64 29 42 6d b8 7c 54 ad 14 3d");
    private static final byte[] CLIENT_AP_TRAFFIC = Hex.bytes(
            "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5");
    private static final byte[] SERVER_AP_TRAFFIC = Hex.bytes(
            "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43");
    private static final byte[] EXPORTER_MASTER = Hex.bytes(
            "fe 22 f8 81 17 6e da 18 eb 8f 44 52 9e 67 92 c5 0c 9a 3f 89 45 2f 68 d8 ae 31 1b 43 09 d3 cf 50");
    private static final byte[] RESUMPTION_MASTER = Hex.bytes(
            "7d f2 35 f2 03 1d 2a 05 12 87 d0 2b 02 41 b0 bf da f8 6c c8 56 23 1f 2d 5a ba 46 c4 34 ec 19 6c");

    // {client} send handshake record (the client's Finished), and its plaintext
    private static final byte[] CLIENT_FINISHED = Hex.bytes(
            "14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2"
            + "ed d5 ce 61");
    private static final byte[] CLIENT_FINISHED_RECORD = Hex.bytes(
            "17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b fc"
            + "44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46");
    // {client} send application_data record: 50 octets 00 01 .. 31
    private static final byte[] CLIENT_APP_RECORD = Hex.bytes(
            "17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f"
            + "2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6"
            + "3a ee bb 21 69 49 15 e4");
    // {server} send application_data record: the same 50 octets, after the NewSessionTicket (sequence 1)
    private static final byte[] SERVER_APP_RECORD = Hex.bytes(
            "17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36"
            + "e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54"
            + "0d d0 32 e1 67 c2 95 5d");

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (byte[] part : parts) {
            digest.update(part);
        }
        return digest.digest();
    }

    private static byte[] appData50() {
        byte[] data = new byte[50];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        return data;
    }

    @Test
    void sharedSecretAndHelloTranscript() throws Exception {
        byte[] shared = new byte[32];
        X25519.calculateAgreement(SERVER_PRIVATE, 0, CLIENT_PUBLIC, 0, shared, 0);
        assertArrayEquals(SHARED_SECRET, shared);
        assertArrayEquals(HELLO_HASH, sha256(CLIENT_HELLO, SERVER_HELLO));
    }

    @Test
    void extractSteps() {
        KeySchedule ks = new KeySchedule(CRYPTO, CipherSuite.Hash.SHA256);
        byte[] early = ks.extract(new byte[32], new byte[32]);
        assertArrayEquals(EARLY_SECRET, early);
        byte[] derived = ks.expandLabel(early, "derived", emptySha256(), 32);
        assertArrayEquals(DERIVED_FOR_HANDSHAKE, derived);
        assertArrayEquals(HANDSHAKE_SECRET, ks.extract(derived, SHARED_SECRET.clone()));
        byte[] derivedMaster = ks.expandLabel(HANDSHAKE_SECRET, "derived", emptySha256(), 32);
        assertArrayEquals(DERIVED_FOR_MASTER, derivedMaster);
        assertArrayEquals(MASTER_SECRET, ks.extract(derivedMaster, new byte[32]));
    }

    private static byte[] emptySha256() {
        try {
            return sha256();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void wholeScheduleInOrder() {
        KeySchedule ks = new KeySchedule(CRYPTO, CipherSuite.Hash.SHA256);
        ks.startEarly(null);
        ks.startHandshake(SHARED_SECRET.clone());
        byte[] clientHs = ks.deriveSecret("c hs traffic", HELLO_HASH);
        byte[] serverHs = ks.deriveSecret("s hs traffic", HELLO_HASH);
        assertArrayEquals(CLIENT_HS_TRAFFIC, clientHs);
        assertArrayEquals(SERVER_HS_TRAFFIC, serverHs);

        // {server} derive write traffic keys for handshake data; {server} derive read traffic keys for handshake data
        assertEquals("3fce516009c21727d0f2e4e86ee403bc", Hex.string(ks.trafficKey(serverHs, 16)));
        assertEquals("5d313eb2671276ee13000b30", Hex.string(ks.trafficIv(serverHs)));
        assertEquals("dbfaa693d1762c5b666af5d950258d01", Hex.string(ks.trafficKey(clientHs, 16)));
        assertEquals("5bd3c71b836e0b76bb73265f", Hex.string(ks.trafficIv(clientHs)));

        // {server} calculate finished "tls13 finished" / {client} calculate finished "tls13 finished"
        assertEquals("008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8",
                Hex.string(ks.expandLabel(serverHs, "finished", Bytes.EMPTY, 32)));
        assertEquals("b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4",
                Hex.string(ks.expandLabel(clientHs, "finished", Bytes.EMPTY, 32)));
        // the client's Finished covers the transcript up to the server's Finished
        byte[] clientVerifyData = new byte[32];
        System.arraycopy(CLIENT_FINISHED, 4, clientVerifyData, 0, 32);
        assertArrayEquals(clientVerifyData, ks.finishedVerifyData(clientHs, SERVER_FINISHED_HASH));

        ks.startMaster();
        assertArrayEquals(CLIENT_AP_TRAFFIC, ks.deriveSecret("c ap traffic", SERVER_FINISHED_HASH));
        assertArrayEquals(SERVER_AP_TRAFFIC, ks.deriveSecret("s ap traffic", SERVER_FINISHED_HASH));
        assertArrayEquals(EXPORTER_MASTER, ks.deriveSecret("exp master", SERVER_FINISHED_HASH));
        assertArrayEquals(RESUMPTION_MASTER, ks.deriveSecret("res master", CLIENT_FINISHED_HASH));

        // {server} derive write traffic keys for application data; {server} derive read traffic keys for application data
        assertEquals("9f02283b6c9c07efc26bb9f2ac92e356", Hex.string(ks.trafficKey(SERVER_AP_TRAFFIC, 16)));
        assertEquals("cf782b88dd83549aadf1e984", Hex.string(ks.trafficIv(SERVER_AP_TRAFFIC)));
        assertEquals("17422dda596ed5d9acd890e3c63f5051", Hex.string(ks.trafficKey(CLIENT_AP_TRAFFIC, 16)));
        assertEquals("5b78923dee08579033e523d9", Hex.string(ks.trafficIv(CLIENT_AP_TRAFFIC)));
    }

    @Test
    void opensTheClientsFinishedAndApplicationRecords() throws Exception {
        KeySchedule ks = new KeySchedule(CRYPTO, CipherSuite.Hash.SHA256);
        RecordCipher handshake = RecordCipher.opening(CipherSuite.TLS_AES_128_GCM_SHA256,
                ks.trafficKey(CLIENT_HS_TRAFFIC, 16), ks.trafficIv(CLIENT_HS_TRAFFIC));
        ByteBuffer out = ByteBuffer.allocate(100);
        int n = handshake.open(ByteBuffer.wrap(CLIENT_FINISHED_RECORD), CLIENT_FINISHED_RECORD.length, out);
        assertEquals(CLIENT_FINISHED.length + 1, n);
        assertArrayEquals(concat(CLIENT_FINISHED, new byte[] {22}), java.util.Arrays.copyOf(out.array(), n));

        RecordCipher application = RecordCipher.opening(CipherSuite.TLS_AES_128_GCM_SHA256,
                ks.trafficKey(CLIENT_AP_TRAFFIC, 16), ks.trafficIv(CLIENT_AP_TRAFFIC));
        out.clear();
        n = application.open(ByteBuffer.wrap(CLIENT_APP_RECORD), CLIENT_APP_RECORD.length, out);
        assertArrayEquals(concat(appData50(), new byte[] {23}), java.util.Arrays.copyOf(out.array(), n));
    }

    @Test
    void sealsTheServersApplicationRecord() throws Exception {
        KeySchedule ks = new KeySchedule(CRYPTO, CipherSuite.Hash.SHA256);
        RecordCipher sealer = RecordCipher.sealing(CipherSuite.TLS_AES_128_GCM_SHA256,
                ks.trafficKey(SERVER_AP_TRAFFIC, 16), ks.trafficIv(SERVER_AP_TRAFFIC));
        ByteBuffer wire = ByteBuffer.allocate(400);
        // sequence 0 carried the NewSessionTicket in the trace; any record takes its place here
        sealer.begin(0, 0, wire);
        sealer.finish(22, 0, wire);
        wire.clear();
        ByteBuffer data = ByteBuffer.wrap(appData50());
        sealer.begin(50, 0, wire);
        sealer.update(data, 50, wire);
        sealer.finish(23, 0, wire);
        wire.flip();
        byte[] record = new byte[wire.remaining()];
        wire.get(record);
        assertArrayEquals(SERVER_APP_RECORD, record);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
