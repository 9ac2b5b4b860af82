package dev.asyncjsse.tickets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ticket keys from a file several servers share: loading, refusing, re-reading, warning. */
class TicketKeyFileTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] BODY = "state".getBytes(StandardCharsets.US_ASCII);
    private static final Duration SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final TicketKeyRing ring = new TicketKeyRing(RANDOM, () -> Duration.ofHours(1), clock);

    static byte[] key(int length) {
        byte[] k = new byte[length];
        RANDOM.nextBytes(k);
        return k;
    }

    static String b64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    private Path write(String content) throws IOException {
        return write(content, "rw-------");
    }

    private Path write(String content, String permissions) throws IOException {
        Path file = dir.resolve("ticket.keys");
        Files.writeString(file, content, StandardCharsets.US_ASCII);
        if (posix()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        }
        return file;
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** A ring holding only {@code key}, as another server of the fleet. */
    private static TicketKeyRing holding(byte[] key) {
        TicketKeyRing other = new TicketKeyRing(RANDOM, () -> Duration.ofHours(1));
        other.setKeys(List.of(key));
        return other;
    }

    private static byte[] name(byte[] ticket) {
        return Arrays.copyOf(ticket, 16);
    }

    @Test
    void theFirstKeySealsAndAllOpenSkippingCommentsAndBlankLines() throws Exception {
        byte[] k1 = key(80);
        byte[] k2 = key(48);
        Path file = write("# fleet ticket keys, newest first\n\n" + b64(k1) + "\r\n   " + b64(k2) + "  \n\n# end\n");
        try (LogCapture log = new LogCapture()) {
            ring.useKeyFile(file);
            assertEquals(List.of(), log.warnings(), "a file only its owner reads loads without a warning");
        }
        assertEquals(TicketKeyRing.Source.FILE, ring.source());
        byte[] ticket = ring.seal(BODY);
        assertArrayEquals(Arrays.copyOf(k1, 16), name(ticket), "the first key seals");
        assertArrayEquals(BODY, holding(k1).open(ticket), "another server with the first key opens it");
        assertArrayEquals(BODY, ring.open(holding(k2).seal(BODY)), "the second key opens");
    }

    @Test
    void malformedFilesAreRefusedNamingTheFileAndLineButNoKey() throws Exception {
        byte[] good = key(48);
        String notBase64 = "this*is#not+base64";
        String shortKey = b64(key(40));
        String[][] cases = {
            {"# header\n" + b64(good) + "\n" + notBase64 + "\n", "line 3: not Base64", notBase64},
            {b64(good) + "\n" + shortKey + "\n", "line 2: a ticket key is 48 or 80 bytes", shortKey},
            {"# only a comment\n\n", "no key", null},
            {"", "no key", null},
        };
        for (String[] c : cases) {
            Path file = write(c[0]);
            KeyManagementException e = assertThrows(KeyManagementException.class, () -> ring.useKeyFile(file), c[1]);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertFalse(e.getMessage().contains(b64(good)), "the message shows a key: " + e.getMessage());
            if (c[2] != null) {
                assertFalse(e.getMessage().contains(c[2]), "the message shows the line: " + e.getMessage());
            }
            assertEquals(TicketKeyRing.Source.RANDOM, ring.source(), "a refused file leaves the keys as they were");
        }
        byte[] twin = key(48);
        System.arraycopy(good, 0, twin, 0, 16);
        Path duplicate = write(b64(good) + "\n\n" + b64(twin) + "\n");
        KeyManagementException e = assertThrows(KeyManagementException.class, () -> ring.useKeyFile(duplicate));
        assertTrue(e.getMessage().contains("line 1 and line 3 have the same name"), e.getMessage());
        Path missing = dir.resolve("absent.keys");
        e = assertThrows(KeyManagementException.class, () -> ring.useKeyFile(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void aChangedFileIsReadAtMostOnceASecond() throws Exception {
        byte[] k1 = key(48);
        byte[] k2 = key(48);
        Path file = write(b64(k1) + "\n");
        ring.useKeyFile(file);
        byte[] old = ring.seal(BODY);

        write(b64(k2) + "\n" + b64(k1) + "\n"); // rotation: the new key first, the old one kept
        clock.advance(SECOND.minusMillis(1));
        assertArrayEquals(Arrays.copyOf(k1, 16), name(ring.seal(BODY)), "the file was read again within a second");
        clock.advance(Duration.ofMillis(1));
        assertArrayEquals(Arrays.copyOf(k2, 16), name(ring.seal(BODY)), "the new first key seals");
        assertArrayEquals(BODY, ring.open(old), "the old key, now second, still opens");

        write(b64(k2) + "\n"); // the old key retired
        clock.advance(SECOND);
        assertNull(ring.open(old), "a ticket of a key no longer in the file opens");
        assertEquals(TicketKeyRing.Source.FILE, ring.source());
    }

    @Test
    void aMalformedRewriteIsLoggedOnceAndTheKeysStay() throws Exception {
        byte[] k1 = key(48);
        Path file = write(b64(k1) + "\n");
        ring.useKeyFile(file);
        byte[] ticket = ring.seal(BODY);
        try (LogCapture log = new LogCapture()) {
            String bad = "half-written!";
            write(b64(k1) + "\n" + bad + "\n");
            clock.advance(SECOND);
            assertArrayEquals(Arrays.copyOf(k1, 16), name(ring.seal(BODY)), "the keys it had seal");
            assertArrayEquals(BODY, ring.open(ticket));
            clock.advance(SECOND);
            ring.seal(BODY);
            List<String> warnings = log.warnings();
            assertEquals(1, warnings.size(), "one warning per bad content: " + warnings);
            String w = warnings.get(0);
            assertTrue(w.contains(file.toString()) && w.contains("line 2: not Base64") && w.contains("keeping"), w);
            assertFalse(w.contains(bad) || w.contains(b64(k1)), "the warning shows the file's text: " + w);

            byte[] k2 = key(80);
            write(b64(k2) + "\n");
            clock.advance(SECOND);
            assertArrayEquals(Arrays.copyOf(k2, 16), name(ring.seal(BODY)), "the repaired file is taken");
            assertEquals(1, log.warnings().size(), log.warnings().toString());
        }
    }

    @Test
    void aVanishedFileIsLoggedOnceAndTheKeysStay() throws Exception {
        byte[] k1 = key(48);
        Path file = write(b64(k1) + "\n");
        ring.useKeyFile(file);
        try (LogCapture log = new LogCapture()) {
            Files.delete(file);
            for (int i = 0; i < 3; i++) {
                clock.advance(SECOND);
                assertArrayEquals(Arrays.copyOf(k1, 16), name(ring.seal(BODY)));
            }
            assertEquals(1, log.warnings().size(), log.warnings().toString());
            assertTrue(log.warnings().get(0).contains("cannot read the ticket key file " + file), log.warnings().get(0));
        }
    }

    @Test
    void aFileOthersCanReadIsLoggedOnce() throws Exception {
        Assumptions.assumeTrue(posix(), "file permissions are POSIX ones");
        try (LogCapture log = new LogCapture()) {
            Path file = write(b64(key(48)) + "\n", "rw-r--r--");
            ring.useKeyFile(file);
            write(b64(key(48)) + "\n", "rw-r--r--");
            clock.advance(SECOND);
            ring.seal(BODY);
            List<String> warnings = log.warnings();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains(file.toString()) && warnings.get(0).contains("readable by group or others")
                    && warnings.get(0).endsWith("(chmod 600)"), warnings.get(0));
        }
        try (LogCapture log = new LogCapture()) {
            Path file = write(b64(key(48)) + "\n", "rw-r-----");
            new TicketKeyRing(RANDOM, () -> Duration.ofHours(1)).useKeyFile(file);
            assertEquals(1, log.warnings().size(), "group-readable: " + log.warnings());
        }
    }

    @Test
    void keysGivenInCodeStopTheWatching() throws Exception {
        Path file = write(b64(key(48)) + "\n");
        ring.useKeyFile(file);
        byte[] given = key(48);
        ring.setKeys(List.of(given));
        write(b64(key(48)) + "\n");
        clock.advance(SECOND);
        assertArrayEquals(Arrays.copyOf(given, 16), name(ring.seal(BODY)));
        assertEquals(TicketKeyRing.Source.GIVEN, ring.source());
    }
}
