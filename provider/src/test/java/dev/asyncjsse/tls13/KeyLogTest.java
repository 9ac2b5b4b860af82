package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dev.asyncjsse.keylog}: NSS key-log lines for native connections, and nothing without it. */
class KeyLogTest {

    @TempDir
    Path dir;

    private static void handshake(NativeContext context, ScriptedClient client, byte[] random) throws Exception {
        TestFront server = new TestFront(context, NativeHandshakeTest.serverParameters(),
                b -> b.keyManager(Peers.keyManager(NativeHandshakeTest.id(KeyKind.EC_P256))));
        ScriptedClient.Hello hello = ScriptedClient.Hello.standard(client);
        hello.random = random;
        ByteBuffer app = ByteBuffer.allocate(1 << 15);
        server.unwrap(ByteBuffer.wrap(client.send(hello)), app);
        ByteBuffer flight = ByteBuffer.allocate(1 << 15);
        server.wrap(ByteBuffer.allocate(0), flight);
        flight.flip();
        client.receiveFlight(flight);
        assertEquals(javax.net.ssl.SSLEngineResult.HandshakeStatus.FINISHED,
                server.unwrap(ByteBuffer.wrap(client.handshakeRecord(22, client.finishedMessage(), 0)), app).getHandshakeStatus());
    }

    @Test
    void secretsGoToTheNamedFileInNssFormat() throws Exception {
        Path file = dir.resolve("keys.log");
        NativeContext context;
        System.setProperty(KeyLog.PROPERTY, file.toString());
        try {
            context = new NativeContext(new SecureRandom());
        } finally {
            System.clearProperty(KeyLog.PROPERTY);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        ScriptedClient client = new ScriptedClient();
        handshake(context, client, random);

        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        Map<String, String[]> byLabel = new HashMap<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            assertEquals(3, parts.length, line);
            byLabel.put(parts[0], parts);
        }
        assertEquals(List.of("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "EXPORTER_SECRET",
                "SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0"), byLabel.keySet().stream().sorted().toList());
        String clientRandom = HexFormat.of().formatHex(random);
        for (String[] parts : byLabel.values()) {
            assertEquals(clientRandom, parts[1]);
        }
        assertEquals(HexFormat.of().formatHex(client.clientHandshakeSecret()), byLabel.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET")[2]);
        assertEquals(HexFormat.of().formatHex(client.clientApplicationSecret()), byLabel.get("CLIENT_TRAFFIC_SECRET_0")[2]);
    }

    @Test
    void offUnlessAsked() throws Exception {
        assertFalse(System.getProperties().containsKey(KeyLog.PROPERTY));
        NativeContext context = new NativeContext(new SecureRandom());
        handshake(context, new ScriptedClient(), new byte[32]);
        try (var files = Files.list(dir)) {
            assertTrue(files.findAny().isEmpty(), "nothing written anywhere we can see");
        }
        assertTrue(context.keyLog() == null);
    }
}
