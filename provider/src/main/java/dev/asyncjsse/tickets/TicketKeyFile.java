package dev.asyncjsse.tickets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyManagementException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A ticket key file that several servers share, in the convention of nginx's and HAProxy's: one
 * Base64 key per line (48 or 80 bytes once decoded, the first 16 being the key's name), blank lines
 * and lines starting with {@code #} ignored; the first key seals new tickets, all open.
 *
 * <p>It is read once when loaded, which fails with a {@code KeyManagementException} naming the file
 * and line. Afterwards {@link #poll} looks at it at most once per {@link #CHECK_INTERVAL_MILLIS}
 * (from the ring's {@code seal} and {@code open}: no thread) and returns its keys when its content
 * changed. A changed file that is malformed or unreadable is logged once as a WARNING and the ring
 * keeps the keys it had. A file readable by group or others is logged once as a WARNING: its
 * reader can forge tickets the server accepts (claiming any client certificate) and open the ones
 * it issued, so it is worth the server's private key. No message ever shows key bytes or the text
 * of a line.
 *
 * <p>Internal. Thread-safe: one caller at a time checks the file ({@code tryLock}); the others go on
 * with the keys they have.
 */
final class TicketKeyFile {

    /** How often the file is looked at, at most. */
    static final long CHECK_INTERVAL_MILLIS = 1000;
    /** A key file is a few lines; anything this long is not one. */
    static final int MAX_BYTES = 1 << 20;

    private static final System.Logger LOG = System.getLogger("dev.asyncjsse.tickets");

    private final Path path;
    private final ReentrantLock checking = new ReentrantLock();
    private volatile long nextCheck;
    /** SHA-256 of the content last read, whether it parsed or not (guarded by {@link #checking}). */
    private byte[] lastDigest;
    /** Whether the file's permissions were last seen too open (guarded by {@link #checking}). */
    private boolean warnedPermissions;
    /** Whether the file was last seen unreadable (guarded by {@link #checking}). */
    private boolean warnedUnreadable;
    private final TicketKey[] initialKeys;

    private TicketKeyFile(Path path, byte[] digest, TicketKey[] keys, long now) {
        this.path = path;
        this.lastDigest = digest;
        this.initialKeys = keys;
        this.nextCheck = now + CHECK_INTERVAL_MILLIS;
    }

    /**
     * Reads and parses {@code path}.
     *
     * @param now the ring's clock, in epoch milliseconds
     * @throws KeyManagementException if the file cannot be read or is malformed, naming the file and
     *     the line
     */
    static TicketKeyFile load(Path path, long now) throws KeyManagementException {
        byte[] content;
        try {
            content = read(path);
        } catch (IOException e) {
            throw new KeyManagementException("cannot read the ticket key file " + path + ": " + e, e);
        }
        try {
            TicketKeyFile file = new TicketKeyFile(path, digest(content), parse(content), now);
            file.checkPermissions();
            return file;
        } catch (IllegalArgumentException e) {
            throw new KeyManagementException("ticket key file " + path + ", " + e.getMessage());
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    Path path() {
        return path;
    }

    /** The keys read by {@link #load}. */
    TicketKey[] initialKeys() {
        return initialKeys;
    }

    /**
     * The file's keys if it changed since it was last read and parses, else {@code null}. Looks at the
     * file only when {@link #CHECK_INTERVAL_MILLIS} have passed since the last look and no other
     * thread is looking.
     *
     * @param now the ring's clock, in epoch milliseconds
     */
    TicketKey[] poll(long now) {
        if (now < nextCheck || !checking.tryLock()) {
            return null;
        }
        try {
            if (now < nextCheck) {
                return null;
            }
            nextCheck = now + CHECK_INTERVAL_MILLIS;
            return reread();
        } finally {
            checking.unlock();
        }
    }

    private TicketKey[] reread() {
        byte[] content;
        try {
            content = read(path);
        } catch (IOException e) {
            if (!warnedUnreadable) {
                warnedUnreadable = true;
                LOG.log(System.Logger.Level.WARNING, "cannot read the ticket key file {0} ({1}): keeping the ticket keys it had",
                        path, e.toString());
            }
            return null;
        }
        warnedUnreadable = false;
        try {
            byte[] digest = digest(content);
            if (MessageDigest.isEqual(digest, lastDigest)) {
                return null;
            }
            lastDigest = digest;
            checkPermissions();
            try {
                return parse(content);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "ticket key file {0}, {1}: keeping the ticket keys it had",
                        path, e.getMessage());
                return null;
            }
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    private static byte[] read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] content = in.readNBytes(MAX_BYTES + 1);
            if (content.length > MAX_BYTES) {
                throw new IOException("longer than " + MAX_BYTES + " bytes: not a ticket key file");
            }
            return content;
        }
    }

    /**
     * The keys of {@code content}, one Base64 key a line.
     *
     * @throws IllegalArgumentException naming the line and the problem, never its text
     */
    static TicketKey[] parse(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        List<byte[]> materials = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        try {
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                try {
                    materials.add(Base64.getDecoder().decode(line));
                } catch (IllegalArgumentException e) {
                    // the decoder's message quotes a character of the key: it is not repeated
                    throw new IllegalArgumentException("line " + (i + 1) + ": not Base64");
                }
                lineNumbers.add(i + 1);
            }
            if (materials.isEmpty()) {
                throw new IllegalArgumentException("no key: one Base64 key per line is needed");
            }
            return TicketKey.ofAll(materials, i -> "line " + lineNumbers.get(i));
        } finally {
            for (byte[] m : materials) {
                Arrays.fill(m, (byte) 0);
            }
        }
    }

    /** Warns, once until it is fixed, when the file is readable by group or others. */
    private void checkPermissions() {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(path);
        } catch (UnsupportedOperationException | IOException e) {
            return; // not a POSIX file system: nothing to judge by
        }
        boolean open = permissions.contains(PosixFilePermission.GROUP_READ)
                || permissions.contains(PosixFilePermission.OTHERS_READ);
        if (open && !warnedPermissions) {
            LOG.log(System.Logger.Level.WARNING, "the ticket key file {0} is readable by group or others: whoever reads it"
                    + " can forge session tickets this server accepts and open the ones it issued; make it readable"
                    + " only by the user the server runs as"
                    + " (chmod 600)", path);
        }
        warnedPermissions = open;
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
