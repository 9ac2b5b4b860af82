package dev.asyncjsse.tickets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.engine.ContextHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyManagementException;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code AsyncJsse.setTicketKeys}, {@code setTicketKeyFile} and the key file property, on real contexts. */
class TicketKeysApiTest {

    private static final byte[] BODY = "state".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(TicketKeyRing.KEY_FILE_PROPERTY);
    }

    private static SSLContext context() throws Exception {
        return SSLContext.getInstance("TLS", new AsyncJsseProvider());
    }

    /** The ring the context's native engines seal and open with. */
    private static TicketKeyRing ring(SSLContext ctx) {
        return ((ContextHandle) ctx.getServerSessionContext()).config().ticketKeys();
    }

    private Path file(String content) throws Exception {
        Path f = dir.resolve("keys-" + System.nanoTime());
        Files.writeString(f, content, StandardCharsets.US_ASCII);
        f.toFile().setReadable(false, false);
        f.toFile().setReadable(true, true);
        return f;
    }

    private static byte[] name(byte[] ticket) {
        return Arrays.copyOf(ticket, 16);
    }

    @Test
    void keysSetInCodeSealTheContextsTickets() throws Exception {
        byte[] key = TicketKeyFileTest.key(80);
        SSLContext ctx = context();
        AsyncJsse.setTicketKeys(ctx, List.of(key));
        ctx.init(null, null, null);
        byte[] ticket = ring(ctx).seal(BODY);
        assertArrayEquals(Arrays.copyOf(key, 16), name(ticket));
        SSLContext other = context();
        other.init(null, null, null);
        AsyncJsse.setTicketKeys(other, List.of(TicketKeyFileTest.key(48), key));
        assertArrayEquals(BODY, ring(other).open(ticket), "a second context holding the key opens it");
    }

    /**
     * The context's random key lives one server session timeout: with a timeout of three seconds it
     * is replaced after them, and the replaced key still opens (for three more). The rotation itself
     * is TicketRotationTest's, on a manual clock; this is the wiring to the session context.
     */
    @Test
    void theRandomKeyRotatesWithTheServerSessionTimeout() throws Exception {
        SSLContext ctx = context();
        ctx.init(null, null, null);
        ctx.getServerSessionContext().setSessionTimeout(3);
        byte[] first = ring(ctx).seal(BODY);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        byte[] later = ring(ctx).seal(BODY);
        while (Arrays.equals(name(first), name(later))) {
            assertTrue(System.nanoTime() < deadline, "the key of a context with a 3 s session timeout was not replaced in 10 s");
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50));
            later = ring(ctx).seal(BODY);
        }
        assertArrayEquals(BODY, ring(ctx).open(first), "the replaced key opens for one more lifetime");
    }

    @Test
    void badKeysAndForeignContextsAreRefused() throws Exception {
        SSLContext ctx = context();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AsyncJsse.setTicketKeys(ctx, List.of(new byte[47])));
        assertTrue(e.getMessage().contains("ticket key 1 of 1") && e.getMessage().contains("not 47"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AsyncJsse.setTicketKeys(ctx, List.of()));
        assertEquals(TicketKeyRing.Source.RANDOM, ring(ctx).source());

        SSLContext sun = SSLContext.getInstance("TLS", "SunJSSE");
        e = assertThrows(IllegalArgumentException.class, () -> AsyncJsse.setTicketKeys(sun, List.of(new byte[48])));
        assertTrue(e.getMessage().contains("SunJSSE"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AsyncJsse.setTicketKeyFile(sun, dir.resolve("k")));
        assertThrows(IllegalArgumentException.class, () -> AsyncJsse.setTicketKeys(null, List.of(new byte[48])));
    }

    @Test
    void thePropertyNamesTheKeyFileAtInit() throws Exception {
        byte[] key = TicketKeyFileTest.key(48);
        System.setProperty(TicketKeyRing.KEY_FILE_PROPERTY, file(TicketKeyFileTest.b64(key) + "\n").toString());
        SSLContext ctx = context();
        ctx.init(null, null, null);
        assertEquals(TicketKeyRing.Source.FILE, ring(ctx).source());
        assertArrayEquals(Arrays.copyOf(key, 16), name(ring(ctx).seal(BODY)));
    }

    @Test
    void aMalformedKeyFileFailsInitNamingFileAndLine() throws Exception {
        Path bad = file("# keys\n" + TicketKeyFileTest.b64(TicketKeyFileTest.key(48)) + "\n%%%\n");
        System.setProperty(TicketKeyRing.KEY_FILE_PROPERTY, bad.toString());
        SSLContext ctx = context();
        KeyManagementException e = assertThrows(KeyManagementException.class, () -> ctx.init(null, null, null));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("line 3"), e.getMessage());
        assertThrows(IllegalStateException.class, ctx::createSSLEngine, "the context stayed uninitialized");

        System.clearProperty(TicketKeyRing.KEY_FILE_PROPERTY);
        ctx.init(null, null, null);
        assertEquals(TicketKeyRing.Source.RANDOM, ring(ctx).source(), "without the property, a random key");
    }

    @Test
    void keysChosenInCodeWinOverTheProperty() throws Exception {
        System.setProperty(TicketKeyRing.KEY_FILE_PROPERTY, dir.resolve("does-not-exist").toString());
        SSLContext given = context();
        AsyncJsse.setTicketKeys(given, List.of(TicketKeyFileTest.key(48)));
        given.init(null, null, null);
        assertEquals(TicketKeyRing.Source.GIVEN, ring(given).source());

        byte[] key = TicketKeyFileTest.key(80);
        SSLContext fromFile = context();
        AsyncJsse.setTicketKeyFile(fromFile, file(TicketKeyFileTest.b64(key) + "\n"));
        fromFile.init(null, null, null);
        assertArrayEquals(Arrays.copyOf(key, 16), name(ring(fromFile).seal(BODY)));
    }

    @Test
    void aMalformedFileSetInCodeIsRefusedAndTheKeysStay() throws Exception {
        SSLContext ctx = context();
        ctx.init(null, null, null);
        byte[] before = ring(ctx).seal(BODY);
        Path bad = file("\n\n");
        KeyManagementException e = assertThrows(KeyManagementException.class, () -> AsyncJsse.setTicketKeyFile(ctx, bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("no key"), e.getMessage());
        assertArrayEquals(BODY, ring(ctx).open(before));
        assertFalse(ring(ctx).source() == TicketKeyRing.Source.FILE);
    }
}
