package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The ticket body's encoding: what goes in comes out, and anything else is an unusable ticket. */
class TicketBodyTest {

    private static TicketBody body(X509Certificate[] peer) {
        byte[] psk = new byte[48];
        Arrays.fill(psk, (byte) 7);
        return new TicketBody(CipherSuite.TLS_AES_256_GCM_SHA384, 1_700_000_000_123L, 1_699_999_999_000L, 86_400, 0xfedcba98,
                psk, new byte[] {1, 2, 3, 4}, "a.localhost", "h2", new byte[32], peer);
    }

    @Test
    void aBodyRoundTrips() throws Exception {
        TestPki.Identity client = NativeHandshakeTest.PKI.issue(KeyKind.EC_P256, "ticket client");
        X509Certificate[] chain = {client.certificate(), NativeHandshakeTest.PKI.caCertificate()};
        byte[] encoded = body(chain).encode();
        // the client's chain is inside: a client-auth session's ticket is several hundred bytes
        assertTrue(encoded.length > 600 && encoded.length < 4000, encoded.length + " bytes");
        TicketBody back = TicketBody.decode(encoded);
        assertEquals(CipherSuite.TLS_AES_256_GCM_SHA384, back.suite);
        assertEquals(1_700_000_000_123L, back.issued);
        assertEquals(1_699_999_999_000L, back.sessionCreated);
        assertEquals(86_400, back.lifetimeSeconds);
        assertEquals(0xfedcba98, back.ageAdd);
        assertArrayEquals(body(null).psk, back.psk);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, back.sessionId);
        assertEquals("a.localhost", back.serverName);
        assertEquals("h2", back.applicationProtocol);
        assertArrayEquals(chain, back.peerChain);
        assertNull(TicketBody.decode(body(null).encode()).peerChain);
    }

    @Test
    void anythingElseIsUnusable() throws Exception {
        byte[] good = body(null).encode();
        byte[] otherVersion = good.clone();
        otherVersion[0] = 2;
        assertNull(TicketBody.decode(otherVersion));
        byte[] unknownSuite = good.clone();
        unknownSuite[2] = 0x09;
        assertNull(TicketBody.decode(unknownSuite));
        for (int cut = 0; cut < good.length; cut++) {
            assertNull(TicketBody.decode(Arrays.copyOf(good, cut)), "cut at " + cut);
        }
        assertNull(TicketBody.decode(Arrays.copyOf(good, good.length + 1)), "trailing byte");
        TestPki.Identity client = NativeHandshakeTest.PKI.issue(KeyKind.EC_P256, "c");
        byte[] withChain = body(new X509Certificate[] {client.certificate()}).encode();
        withChain[withChain.length - 20] ^= 0x55;
        assertTrue(TicketBody.decode(withChain) == null || TicketBody.decode(withChain).peerChain.length == 1,
                "a damaged certificate is no ticket or still one certificate, never an exception");
        byte[] wrongPskLength = body(null).encode();
        // the suite's hash is SHA-384: a 32-byte PSK would not fit it
        wrongPskLength[2] = 0x01;
        assertNull(TicketBody.decode(wrongPskLength));
    }
}
