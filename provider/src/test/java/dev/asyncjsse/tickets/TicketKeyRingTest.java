package dev.asyncjsse.tickets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Sealing and opening tickets, with random keys and keys given in code. */
class TicketKeyRingTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] BODY = "resumption secret, suite, SNI, ALPN, age add".getBytes(StandardCharsets.US_ASCII);

    private static TicketKeyRing ring() {
        return new TicketKeyRing(RANDOM, () -> Duration.ofHours(24));
    }

    private static byte[] key(int length, int fill) {
        byte[] k = new byte[length];
        Arrays.fill(k, (byte) fill);
        return k;
    }

    @Test
    void aSealedTicketOpensToItsBody() {
        TicketKeyRing ring = ring();
        byte[] ticket = ring.seal(BODY);
        assertEquals(BODY.length + 16 + 12 + 16, ticket.length, "name, nonce and tag around the body");
        assertArrayEquals(BODY, ring.open(ticket));
        assertArrayEquals(new byte[0], ring.open(ring.seal(new byte[0])), "an empty body round-trips");
    }

    @Test
    void ticketsOfOneBodyDifferAndShareTheKeyName() {
        TicketKeyRing ring = ring();
        byte[] a = ring.seal(BODY);
        byte[] b = ring.seal(BODY);
        assertFalse(Arrays.equals(a, b), "a fresh nonce per ticket");
        assertArrayEquals(Arrays.copyOf(a, 16), Arrays.copyOf(b, 16), "one key names both");
    }

    @Test
    void everyTamperedByteMakesTheTicketUnusable() {
        TicketKeyRing ring = ring();
        byte[] ticket = ring.seal(BODY);
        for (int i = 0; i < ticket.length; i++) {
            byte[] bad = ticket.clone();
            bad[i] ^= 0x01;
            assertNull(ring.open(bad), "a ticket with byte " + i + " flipped opened");
        }
        assertNull(ring.open(Arrays.copyOf(ticket, ticket.length - 1)), "a truncated ticket opened");
        byte[] longer = Arrays.copyOf(ticket, ticket.length + 1);
        assertNull(ring.open(longer), "a ticket with a byte appended opened");
    }

    @Test
    void anotherRingsTicketIsUnknown() {
        assertNull(ring().open(ring().seal(BODY)), "a random key of another context opened the ticket");
        TicketKeyRing given = ring();
        given.setKeys(List.of(key(48, 7)));
        byte[] foreign = ring().seal(BODY);
        assertNull(given.open(foreign));
    }

    /** A ticket whose name is known but whose secret is not: the tag decides, not the name. */
    @Test
    void aKnownNameWithAnotherSecretDoesNotOpen() {
        byte[] real = key(48, 7);
        byte[] impostor = real.clone();
        impostor[47] ^= 1;
        TicketKeyRing server = ring();
        server.setKeys(List.of(real));
        TicketKeyRing attacker = ring();
        attacker.setKeys(List.of(impostor));
        assertNull(server.open(attacker.seal(BODY)));
    }

    @Test
    void shortAndMissingInputIsUnusableNotAnError() {
        TicketKeyRing ring = ring();
        byte[] ticket = ring.seal(BODY);
        assertNull(ring.open(null));
        assertNull(ring.open(new byte[0]));
        assertNull(ring.open(Arrays.copyOf(ticket, 15)), "shorter than a key name");
        assertNull(ring.open(Arrays.copyOf(ticket, 16)), "a key name alone");
        assertNull(ring.open(Arrays.copyOf(ticket, 16 + 12 + 15)), "shorter than name, nonce and tag");
        assertNull(ring.open(new byte[4096]), "zeros");
    }

    @Test
    void randomGarbageNeverOpensNorThrows() {
        TicketKeyRing ring = ring();
        byte[] name = Arrays.copyOf(ring.seal(BODY), 16);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[RANDOM.nextInt(200)];
            RANDOM.nextBytes(junk);
            if (i % 2 == 0 && junk.length >= 16) {
                System.arraycopy(name, 0, junk, 0, 16);
            }
            assertNull(ring.open(junk), "junk of " + junk.length + " bytes opened");
        }
    }

    @Test
    void givenKeysSealWithTheFirstAndOpenWithAll() {
        byte[] first = key(48, 1);
        byte[] second = key(80, 2);
        TicketKeyRing old = ring();
        old.setKeys(List.of(second));
        byte[] oldTicket = old.seal(BODY);

        TicketKeyRing ring = ring();
        ring.setKeys(List.of(first, second));
        byte[] ticket = ring.seal(BODY);
        assertArrayEquals(Arrays.copyOf(first, 16), Arrays.copyOf(ticket, 16), "the first key seals");
        assertArrayEquals(BODY, ring.open(ticket));
        assertArrayEquals(BODY, ring.open(oldTicket), "the second key opens");
        assertEquals(TicketKeyRing.Source.GIVEN, ring.source());
    }

    /** Two servers given the same key bytes open each other's tickets (a fleet). */
    @Test
    void sameKeyBytesOpenEachOthersTickets() {
        byte[] shared = new byte[80];
        RANDOM.nextBytes(shared);
        TicketKeyRing a = ring();
        TicketKeyRing b = ring();
        a.setKeys(List.of(shared));
        b.setKeys(List.of(shared.clone()));
        assertArrayEquals(BODY, b.open(a.seal(BODY)));
        assertArrayEquals(BODY, a.open(b.seal(BODY)));
    }

    /**
     * The ticket format, checked with an HKDF written here from RFC 5869 over the JDK's HMAC: servers of
     * different versions sharing a key file must keep opening each other's tickets.
     */
    @Test
    void theFormatIsNameNonceAndGcmUnderAnHkdfDerivedKey() throws Exception {
        byte[] material = new byte[48];
        RANDOM.nextBytes(material);
        TicketKeyRing ring = ring();
        ring.setKeys(List.of(material));
        byte[] ticket = ring.seal(BODY);

        byte[] name = Arrays.copyOf(material, 16);
        byte[] info = concat("AES-256-GCM ".getBytes(StandardCharsets.US_ASCII), name);
        byte[] aesKey = hkdfSha256("dev.asyncjsse session ticket key".getBytes(StandardCharsets.US_ASCII),
                Arrays.copyOfRange(material, 16, 48), info, 32);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, ticket, 16, 12));
        gcm.updateAAD(name);
        assertArrayEquals(BODY, gcm.doFinal(ticket, 28, ticket.length - 28));
        assertArrayEquals(name, Arrays.copyOf(ticket, 16));
    }

    @Test
    void badKeyListsAreRefusedNamingTheProblem() {
        TicketKeyRing ring = ring();
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> ring.setKeys(List.of()));
        assertTrue(empty.getMessage().contains("at least one"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ring.setKeys(null));
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> ring.setKeys(List.of(key(48, 1), key(32, 2))));
        assertTrue(length.getMessage().contains("ticket key 2 of 2") && length.getMessage().contains("not 32"),
                length.getMessage());
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> ring.setKeys(Collections.singletonList(null)));
        assertTrue(nul.getMessage().contains("null"), nul.getMessage());
        byte[] a = key(48, 3);
        byte[] b = key(80, 3);
        IllegalArgumentException twins = assertThrows(IllegalArgumentException.class, () -> ring.setKeys(List.of(a, b)));
        assertTrue(twins.getMessage().contains("same name"), twins.getMessage());
        assertEquals(TicketKeyRing.Source.RANDOM, ring.source(), "a refused list leaves the keys as they were");
    }

    @Test
    void keysAreCopiedWhenGiven() {
        byte[] material = key(48, 9);
        TicketKeyRing ring = ring();
        ring.setKeys(List.of(material));
        byte[] ticket = ring.seal(BODY);
        Arrays.fill(material, (byte) 0);
        assertArrayEquals(BODY, ring.open(ticket), "changing the caller's array changed the key");
    }

    @Test
    void threadsSealAndOpenConcurrently() throws Exception {
        TicketKeyRing ring = ring();
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte[] body = ("body of thread " + t).getBytes(StandardCharsets.US_ASCII);
                Callable<Integer> work = () -> {
                    start.await();
                    int opened = 0;
                    for (int i = 0; i < 500; i++) {
                        byte[] back = ring.open(ring.seal(body));
                        assertNotNull(back);
                        assertArrayEquals(body, back);
                        opened++;
                    }
                    return opened;
                };
                results.add(pool.submit(work));
            }
            start.countDown();
            for (Future<Integer> f : results) {
                assertEquals(500, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** HKDF-Extract then HKDF-Expand (RFC 5869 section 2) with HMAC-SHA256, for {@code length} ≤ 32. */
    static byte[] hkdfSha256(byte[] salt, byte[] ikm, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info);
        mac.update((byte) 1);
        return Arrays.copyOf(mac.doFinal(), length);
    }
}
