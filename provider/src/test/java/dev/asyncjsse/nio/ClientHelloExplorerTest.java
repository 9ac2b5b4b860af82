package dev.asyncjsse.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.nio.ClientHello.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientHelloExplorerTest {

    static final List<Integer> SUITES = List.of(0x1302, 0x1301, 0x1303, 0xC02C, 0xC02B, 0xCCA9, 0xC030, 0xCCA8,
            0xC02F, 0x009F, 0xCCAA, 0x00A3, 0x009E, 0x00A2, 0xC024, 0xC028, 0xC023, 0xC027, 0x006B, 0x006A, 0x0067,
            0x0040, 0xC00A, 0xC014, 0xC009, 0xC013, 0x0039, 0x0038, 0x0033, 0x0032, 0x00FF);

    /**
     * Explores {@code data[from, to)} inside a larger array so that reading past the limit would hit
     * other bytes; absolute gets beyond the limit throw, so a read past the data fails the test.
     * Checks that position and limit did not move.
     */
    static ClientHello explore(byte[] data, int from, int to) {
        byte[] padded = new byte[data.length + 20];
        Arrays.fill(padded, (byte) 0x16);
        System.arraycopy(data, 0, padded, 7, data.length);
        ByteBuffer b = ByteBuffer.wrap(padded);
        b.limit(7 + to).position(7 + from);
        ClientHello h = ClientHelloExplorer.explore(b);
        assertEquals(7 + from, b.position());
        assertEquals(7 + to, b.limit());
        return h;
    }

    static ClientHello explore(byte[] data) {
        return explore(data, 0, data.length);
    }

    static void assertRecorded(ClientHello h, int length) {
        assertEquals(Status.COMPLETE, h.status(), h.message());
        assertEquals(length, h.length());
        assertEquals(0x0303, h.recordVersion());
        assertEquals(0x0303, h.legacyVersion());
        assertEquals(List.of(0x0304, 0x0303), h.supportedVersions());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), h.offeredProtocols());
        assertEquals(List.of("a.example"), h.serverNames());
        assertEquals("a.example", h.serverName());
        assertEquals(List.of("h2", "http/1.1"), h.applicationProtocols());
        assertEquals(SUITES, h.cipherSuites());
    }

    @Test
    void recordedHelloIsComplete() {
        byte[] hello = ExplorerFixtures.recordedClientHello();
        assertEquals(458, hello.length);
        assertRecorded(explore(hello), 458);
    }

    @Test
    void everyPrefixNeedsExactlyTheMissingBytes() {
        byte[] hello = ExplorerFixtures.recordedClientHello();
        for (int n = 0; n < hello.length; n++) {
            ClientHello h = explore(hello, 0, n);
            assertEquals(Status.NEED_MORE_BYTES, h.status(), "prefix " + n + ": " + h);
            int expected = n < 5 ? 5 - n : hello.length - n;
            assertEquals(expected, h.bytesNeeded(), "prefix " + n);
            assertEquals(0, h.length());
        }
    }

    @Test
    void trailingBytesAreNotPartOfTheHello() {
        byte[] hello = ExplorerFixtures.recordedClientHello();
        byte[] withGarbage = Arrays.copyOf(hello, hello.length + 30);
        byte[] tail = "GET / HTTP/1.1\r\nHost: x\r\n\r\n\0\0\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tail, 0, withGarbage, hello.length, 30);
        assertRecorded(explore(withGarbage), 458);
    }

    @Test
    void helloSplitIntoTwoRecordsAtEverySplitPoint() {
        byte[] message = ExplorerFixtures.recordedMessage();
        assertEquals(453, message.length);
        for (int cut = 1; cut < message.length; cut++) {
            byte[] two = ExplorerFixtures.records(message, cut);
            assertRecorded(explore(two), 463);
        }
    }

    @Test
    void everyPrefixOfSplitHellosNeedsMore() {
        byte[] message = ExplorerFixtures.recordedMessage();
        for (int cut : new int[] {1, 2, 3, 4, 5, 38, 100, 452}) {
            byte[] two = ExplorerFixtures.records(message, cut);
            for (int n = 0; n < two.length; n++) {
                ClientHello h = explore(two, 0, n);
                assertEquals(Status.NEED_MORE_BYTES, h.status(), "cut " + cut + " prefix " + n + ": " + h);
                int expected;
                if (n < 5) {
                    expected = 5 - n;
                } else if (n < 5 + cut) {
                    expected = 5 + cut - n;
                } else if (n < 10 + cut) {
                    expected = 10 + cut - n;
                } else {
                    expected = two.length - n;
                }
                assertEquals(expected, h.bytesNeeded(), "cut " + cut + " prefix " + n);
            }
            assertRecorded(explore(two), two.length);
        }
    }

    @Test
    void helloInOneByteRecords() {
        byte[] message = ExplorerFixtures.recordedMessage();
        int[] cuts = new int[message.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        byte[] many = ExplorerFixtures.records(message, cuts);
        assertEquals(453 * 6, many.length);
        assertRecorded(explore(many), many.length);
        assertEquals(Status.NEED_MORE_BYTES, explore(many, 0, many.length - 1).status());
    }

    @Test
    void notTls() {
        ClientHello http = explore("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(Status.NOT_TLS, http.status());
        assertTrue(http.message().contains("0x47"), http.message());
        assertEquals(Status.NOT_TLS, explore(new byte[] {(byte) 0x80, 0x2e, 0x01, 0x03, 0x01}).status());
        assertEquals(Status.NOT_TLS, explore(new byte[] {0x16, 0x02}).status());
        assertEquals(Status.NOT_TLS, explore(new byte[] {0x17}).status());
        assertEquals(Status.NEED_MORE_BYTES, explore(new byte[] {0x16}).status());
        assertEquals(Status.NEED_MORE_BYTES, explore(new byte[0]).status());
        assertEquals(5, explore(new byte[0]).bytesNeeded());
    }

    static ClientHello malformed(byte[] data, String messagePart) {
        ClientHello h = explore(data);
        assertEquals(Status.MALFORMED, h.status(), h.toString());
        assertTrue(h.message().contains(messagePart), h.message());
        return h;
    }

    @Test
    void malformedRecordLayer() {
        malformed(new byte[] {0x16, 3, 1, 0, 0}, "empty");
        malformed(new byte[] {0x16, 3, 1, 0x40, 0x01}, "at most 16384");
        malformed(new byte[] {0x16, 3, 1, 0, 4, 2, 0, 0, 0}, "not ClientHello");
        byte[] message = ExplorerFixtures.recordedMessage();
        byte[] two = ExplorerFixtures.records(message, 100);
        two[105] = 21; // second record claims to be an alert
        malformed(two, "content type 21");
        two[105] = 22;
        two[106] = 4;
        malformed(two, "major version 4");
    }

    @Test
    void malformedHelloBody() {
        byte[] hello = ExplorerFixtures.recordedClientHello();
        byte[] bad = hello.clone();
        bad[43] = 33; // legacy_session_id length
        malformed(bad, "legacy_session_id is 33 bytes");
        bad = hello.clone();
        bad[77] = 0x3d; // odd cipher_suites length
        malformed(bad, "cipher_suites length 61");
        bad = hello.clone();
        bad[7] = 0; // handshake length 0x0001c1 -> 0x0000c1: record carries more than the hello
        malformed(bad, "after the ClientHello");
        bad = hello.clone();
        bad[8] = (byte) 0xc2; // hello claims one byte more than the record: continues in a record that never is
        ClientHello h = explore(bad);
        assertEquals(Status.NEED_MORE_BYTES, h.status());
        byte[] withAlert = Arrays.copyOf(bad, bad.length + 7);
        System.arraycopy(new byte[] {21, 3, 3, 0, 2, 2, 40}, 0, withAlert, bad.length, 7);
        malformed(withAlert, "content type 21");
        // extensions length off by one
        int extLenAt = 78 + 62 + 2;
        bad = hello.clone();
        bad[extLenAt + 1]++;
        malformed(bad, "extensions length");
    }

    /**
     * The alert each refusal names: decode_error for what cannot be decoded, unexpected_message for a
     * record or message out of place (RFC 8446 sections 5 and 5.1), record_overflow and protocol_version
     * for the record layer, and none for the client's own alert (section 6.2) or bytes not refused.
     */
    @Test
    void eachRefusalNamesTheAlertTheRfcsPrescribe() {
        assertEquals(10, explore("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)).alert(), "plain text");
        assertEquals(10, explore(new byte[] {(byte) 0x80, 0x2e, 0x01, 0x03, 0x01}).alert(), "an SSLv2 hello");
        assertEquals(-1, explore(new byte[] {21, 3, 3, 0, 2, 2, 40}).alert(), "the client's alert is not answered");
        assertEquals(70, explore(new byte[] {0x16, 0x02}).alert(), "a record version that is not TLS");
        assertEquals(50, malformed(new byte[] {0x16, 3, 1, 0, 0}, "empty").alert());
        assertEquals(22, malformed(new byte[] {0x16, 3, 1, 0x40, 0x01}, "at most 16384").alert());
        assertEquals(10, malformed(new byte[] {0x16, 3, 1, 0, 4, 2, 0, 0, 0}, "not ClientHello").alert());

        byte[] message = ExplorerFixtures.recordedMessage();
        byte[] two = ExplorerFixtures.records(message, 100);
        two[105] = 20;
        assertEquals(10, malformed(two, "content type 20").alert(), "a ChangeCipherSpec between the hello's records");
        two[105] = 21;
        assertEquals(-1, malformed(two, "content type 21").alert(), "an alert between them is the client's to send");
        two[105] = 22;
        two[106] = 4;
        assertEquals(70, malformed(two, "major version 4").alert());

        byte[] hello = ExplorerFixtures.recordedClientHello();
        byte[] bad = hello.clone();
        bad[43] = 33;
        assertEquals(50, malformed(bad, "legacy_session_id is 33 bytes").alert());

        byte[] followed = Arrays.copyOf(message, message.length + 4);
        followed[message.length] = 20; // the header of another handshake message in the hello's record
        assertEquals(10, malformed(ExplorerFixtures.records(followed), "must end at a record boundary").alert(),
                "a sound ClientHello that does not end its record");
        bad = hello.clone();
        bad[7] = 0;
        assertEquals(50, malformed(bad, "bad ClientHello").alert(), "a cut-short ClientHello with more bytes in its record");

        assertEquals(-1, explore(hello).alert(), "complete");
        assertEquals(-1, explore(hello, 0, 10).alert(), "incomplete");
    }

    @Test
    void malformedMessagesAreNeverEmpty() {
        byte[] hello = ExplorerFixtures.recordedClientHello();
        // flip every byte of the body in turn: the explorer must answer, never throw
        for (int i = 0; i < hello.length; i++) {
            byte[] bad = hello.clone();
            bad[i] ^= (byte) 0xff;
            ClientHello h = explore(bad);
            assertTrue(h.message() != null && !h.message().isEmpty(), "byte " + i);
        }
    }

    /** Random mutations, insertions, deletions and truncations: always an answer, never an exception. */
    @Test
    void randomMutationsNeverThrow() {
        byte[] hello = ExplorerFixtures.recordedClientHello();
        java.util.Random random = new java.util.Random(1234);
        int complete = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] data = hello.clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(data.length);
                switch (random.nextInt(4)) {
                    case 0:
                        data[at] = (byte) random.nextInt(256);
                        break;
                    case 1:
                        data[at] ^= (byte) (1 << random.nextInt(8));
                        break;
                    case 2:
                        data = Arrays.copyOf(data, Math.max(0, at));
                        break;
                    default:
                        byte[] longer = new byte[data.length + 1];
                        System.arraycopy(data, 0, longer, 0, at);
                        longer[at] = (byte) random.nextInt(256);
                        System.arraycopy(data, at, longer, at + 1, data.length - at);
                        data = longer;
                }
                if (data.length == 0) {
                    break;
                }
            }
            ClientHello h = explore(data);
            assertTrue(h.message() != null && !h.message().isEmpty());
            if (h.status() == Status.NEED_MORE_BYTES) {
                assertTrue(h.bytesNeeded() >= 1, h.toString());
            }
            if (h.isComplete()) {
                complete++;
                assertTrue(h.length() <= data.length);
            }
        }
        assertTrue(complete > 0);
    }
}
