package dev.asyncjsse.tls13;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.Security;
import java.util.HexFormat;

/**
 * Writes NSS key-log lines ({@code SSLKEYLOGFILE}, the format Wireshark reads) for connections of the
 * native engine, to the file named by {@value #PROPERTY}. Off unless that system or security property
 * is set; the secrets go to that file and nowhere else.
 *
 * <p>Internal. Thread-safe: each line is one append, under this object's monitor. Only handshakes of a
 * JVM that opted in to key logging take it.
 */
final class KeyLog {

    static final String PROPERTY = "dev.asyncjsse.keylog";
    private static final System.Logger LOG = System.getLogger(KeyLog.class.getName());
    private static final HexFormat HEX = HexFormat.of();

    private final Path file;
    private FileChannel channel;

    private KeyLog(Path file) {
        this.file = file;
    }

    /** The key log the properties ask for, or {@code null} when key logging is off. */
    static KeyLog fromProperties() {
        String name = System.getProperty(PROPERTY);
        if (name == null) {
            name = Security.getProperty(PROPERTY);
        }
        if (name == null || name.isBlank()) {
            return null;
        }
        LOG.log(System.Logger.Level.WARNING, PROPERTY + " is set: TLS 1.3 secrets of this JVM's connections are written to "
                + name + "; anyone who reads that file can decrypt them");
        return new KeyLog(Path.of(name.trim()));
    }

    /** Appends {@code label clientRandom secret}; a write failure is logged once per attempt and otherwise ignored. */
    synchronized void write(String label, byte[] clientRandom, byte[] secret) {
        String line = label + ' ' + HEX.formatHex(clientRandom) + ' ' + HEX.formatHex(secret) + '\n';
        try {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the key log " + file + ": " + e.getMessage());
        }
    }
}
