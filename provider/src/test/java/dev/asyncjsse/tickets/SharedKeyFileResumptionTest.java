package dev.asyncjsse.tickets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.engine.ContextHandle;
import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.ForwardingKeyManager;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers (two AsyncJSSE contexts) given one ticket key file by the property resume each other's
 * TLS 1.3 sessions for a SunJSSE client, keep resuming old tickets after a rotation in the file (new
 * key first, old key second), and fall back to a full handshake once the old key is gone.
 */
class SharedKeyFileResumptionTest {

    private static final TestPki PKI = TestPki.create("shared ticket keys CA");
    private static final TestPki.Identity SERVER = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");
    private static final byte[] REPLY = "served".getBytes(StandardCharsets.US_ASCII);
    private static final Duration PICK_UP = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(TicketKeyRing.KEY_FILE_PROPERTY);
    }

    /** A server of the fleet: its signatures counted. */
    private static final class Server {
        final AtomicInteger signatures = new AtomicInteger();
        final SSLContext context;

        Server() throws Exception {
            this(TestPki.keyManagers(SERVER));
        }

        Server(KeyManager[] keyManagers) throws Exception {
            context = SSLContext.getInstance("TLS", new AsyncJsseProvider());
            context.init(keyManagers, null, null);
            ((ContextHandle) context.getServerSessionContext()).config().setNativeTls13(true);
            KeyOffloader direct = KeyOffloaders.executor(Runnable::run);
            AsyncJsse.setKeyOffloader(context, new KeyOffloader() {
                @Override
                public CompletionStage<byte[]> sign(PrivateKey key, String algorithm, AlgorithmParameterSpec params, byte[] message) {
                    signatures.incrementAndGet();
                    return direct.sign(key, algorithm, params, message);
                }

                @Override
                public CompletionStage<byte[]> decrypt(PrivateKey key, String transformation, byte[] ciphertext) {
                    return direct.decrypt(key, transformation, ciphertext);
                }
            });
        }

        TicketKeyRing ring() {
            return ((ContextHandle) context.getServerSessionContext()).config().ticketKeys();
        }

        /** One connection from {@code client} for {@code localhost:port}: handshake, then a reply carrying the tickets. */
        SSLSession serve(SSLContext client, int port) throws Exception {
            SSLEngine s = context.createSSLEngine();
            s.setUseClientMode(false);
            SSLEngine c = client.createSSLEngine("localhost", port);
            c.setUseClientMode(true);
            c.setEnabledProtocols(new String[] {"TLSv1.3"});
            EnginePair pair = new EnginePair(c, s);
            pair.handshake();
            assertArrayEquals(REPLY, pair.send(false, REPLY));
            assertEquals("TLSv1.3", s.getSession().getProtocol());
            return s.getSession();
        }
    }

    private Path writeKeys(byte[]... keys) throws Exception {
        Path file = dir.resolve("ticket.keys");
        StringBuilder text = new StringBuilder("# newest first\n");
        for (byte[] k : keys) {
            text.append(TicketKeyFileTest.b64(k)).append('\n');
        }
        Path tmp = dir.resolve("ticket.keys.new");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        }
        // the way an operator replaces it: a rename, so a server never reads a half-written file
        return Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits (the file is looked at once a second) until {@code server} seals under {@code key}. */
    private static void awaitSealingWith(Server server, byte[] key) {
        long deadline = System.nanoTime() + PICK_UP.toNanos();
        while (!Arrays.equals(Arrays.copyOf(server.ring().seal(REPLY), 16), Arrays.copyOf(key, 16))) {
            assertTrue(System.nanoTime() < deadline, "the server did not take the rewritten key file within " + PICK_UP);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** Waits until {@code server} no longer opens a ticket sealed under {@code key}. */
    private static void awaitRefusing(Server server, byte[] key) {
        TicketKeyRing holder = new TicketKeyRing(new java.security.SecureRandom(), () -> Duration.ofHours(1));
        holder.setKeys(List.of(key));
        byte[] ticket = holder.seal(REPLY);
        long deadline = System.nanoTime() + PICK_UP.toNanos();
        while (server.ring().open(ticket) != null) {
            assertTrue(System.nanoTime() < deadline, "the server still opens tickets of a retired key after " + PICK_UP);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    @Test
    void serversSharingAKeyFileResumeEachOthersTicketsAcrossARotation() throws Exception {
        byte[] oldKey = TicketKeyFileTest.key(80);
        byte[] newKey = TicketKeyFileTest.key(80);
        Path file = writeKeys(oldKey);
        System.setProperty(TicketKeyRing.KEY_FILE_PROPERTY, file.toString());
        Server a = new Server();
        Server b = new Server();
        System.clearProperty(TicketKeyRing.KEY_FILE_PROPERTY);
        SSLContext client = SSLContext.getInstance("TLS", "SunJSSE");
        client.init(null, PKI.trustManagers(), null);

        // 1. a full handshake on A, resumed on B: no key operation on B
        a.serve(client, 1001);
        assertEquals(1, a.signatures.get(), "A's first handshake signs");
        // B has served no one yet: it resumes from the ticket alone
        b.serve(client, 1001);
        assertEquals(0, b.signatures.get(), "B resumed A's ticket without a key operation");

        // tickets of the old key for later, on two more peers
        a.serve(client, 1002);
        a.serve(client, 1003);
        assertEquals(3, a.signatures.get());

        // 2. rotation in the file: the new key first, the old one second
        writeKeys(newKey, oldKey);
        awaitSealingWith(a, newKey);
        awaitSealingWith(b, newKey);
        b.serve(client, 1002);
        assertEquals(0, b.signatures.get(), "a ticket of the old key resumes after the rotation");
        a.serve(client, 1002);
        assertEquals(3, a.signatures.get(), "B's ticket of the new key resumes on A");

        // 3. the old key retired: its tickets no longer resume, the client gets a full handshake
        writeKeys(newKey);
        awaitRefusing(a, oldKey);
        awaitRefusing(b, oldKey);
        b.serve(client, 1003);
        assertEquals(1, b.signatures.get(), "a ticket of a retired key falls back to a full handshake");
    }

    /**
     * A key manager of the application's own (one that may wait in {@code OffloadPoint.await}) is
     * never asked on the thread driving the engine for the certificate of another server's ticket: the
     * first such ticket gets a full handshake, whose key-manager call runs in a job, and once this
     * server has served its certificate the fleet's tickets resume on it.
     */
    @Test
    void anApplicationKeyManagerIsNotAskedInlineForAnotherServersTicket() throws Exception {
        Path file = writeKeys(TicketKeyFileTest.key(48));
        System.setProperty(TicketKeyRing.KEY_FILE_PROPERTY, file.toString());
        Server a = new Server();
        Set<Thread> askedOn = ConcurrentHashMap.newKeySet();
        Server b = new Server(new KeyManager[] {new ForwardingKeyManager(TestPki.keyManagers(SERVER)[0]) {
            @Override
            public String chooseEngineServerAlias(String keyType, java.security.Principal[] issuers, SSLEngine engine) {
                askedOn.add(Thread.currentThread());
                return super.chooseEngineServerAlias(keyType, issuers, engine);
            }
        }});
        System.clearProperty(TicketKeyRing.KEY_FILE_PROPERTY);
        SSLContext client = SSLContext.getInstance("TLS", "SunJSSE");
        client.init(null, PKI.trustManagers(), null);

        a.serve(client, 2001);
        a.serve(client, 2002);
        b.serve(client, 2001);
        assertEquals(1, b.signatures.get(), "B had not served its certificate: A's ticket got a full handshake");
        assertTrue(!askedOn.isEmpty() && !askedOn.contains(Thread.currentThread()),
                () -> "the application's key manager ran off the engine's thread, in a job: " + askedOn);
        b.serve(client, 2002);
        assertEquals(1, b.signatures.get(), "with its certificate served once, B resumes A's ticket");
    }
}
