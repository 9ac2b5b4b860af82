package dev.asyncjsse.tickets;

import dev.asyncjsse.offload.OffloadSettings;
import java.nio.file.Path;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The session ticket keys of one {@code SSLContext}: {@link #seal} makes a ticket from a body under
 * the first key, {@link #open} gives the body of a ticket any current key sealed.
 *
 * <p>A ticket is: key name (16 bytes) ‖ nonce (12 bytes) ‖ AES-256-GCM ciphertext and tag, with the
 * key name as associated data ({@link TicketKey}).
 *
 * <p>Keys come from one {@link Source} at a time:
 * <ul>
 * <li>{@code RANDOM} (the default): a random key, made on first use and replaced after one ticket
 *     lifetime (the supplier given to the constructor: the server session context's timeout, at
 *     most {@link #MAX_LIFETIME}); the key it replaces still opens tickets for one more lifetime.
 *     The rotation happens inside {@code seal} or {@code open} when due: no thread.</li>
 * <li>{@code GIVEN}: keys set in code ({@link #setKeys}); no rotation.</li>
 * <li>{@code FILE}: the keys of a file ({@link TicketKeyFile}), named in code ({@link #useKeyFile})
 *     or by the {@value #KEY_FILE_PROPERTY} property when the context is initialized
 *     ({@link #initialize}); re-read from {@code seal} and {@code open} when it changes.</li>
 * </ul>
 * Keys set in code win over the property, as the other AsyncJSSE settings do.
 *
 * <p>Internal: not public API (applications use {@code AsyncJsse.setTicketKeys} and
 * {@code AsyncJsse.setTicketKeyFile}). Thread-safe: the keys are an immutable snapshot in a volatile
 * field, replaced whole in {@link #install} under a lock; {@code seal} and {@code open} take no lock
 * unless they rotate or install a changed file. Input arrays are not kept; returned arrays are new.
 */
public final class TicketKeyRing {

    /** The longest ticket lifetime RFC 8446 allows (section 4.6.1), and so the longest rotation period. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(7);
    /** The system (or security) property naming a ticket key file, read when a context is initialized. */
    public static final String KEY_FILE_PROPERTY = "dev.asyncjsse.tickets.keyFile";

    /** Where the keys of a ring come from. */
    enum Source {
        RANDOM,
        GIVEN,
        FILE
    }

    /** The keys at one moment; never changed, replaced as a whole. */
    private static final class Keys {
        static final Keys NONE = new Keys(Source.RANDOM, new TicketKey[0], null, Long.MIN_VALUE, Long.MIN_VALUE);

        final Source source;
        /** The first seals; all open (for {@code RANDOM}, the second only until {@link #previousUntil}). */
        final TicketKey[] keys;
        /** {@code FILE}: the file, watched for changes. */
        final TicketKeyFile file;
        /** {@code RANDOM}: when the first key began to seal (epoch milliseconds). */
        final long sealingSince;
        /** {@code RANDOM}: the second key opens tickets before this time (epoch milliseconds). */
        final long previousUntil;

        Keys(Source source, TicketKey[] keys, TicketKeyFile file, long sealingSince, long previousUntil) {
            this.source = source;
            this.keys = keys;
            this.file = file;
            this.sealingSince = sealingSince;
            this.previousUntil = previousUntil;
        }

        boolean opensWith(int index, long now) {
            return index == 0 || source != Source.RANDOM || now < previousUntil;
        }
    }

    private final SecureRandom random;
    private final Supplier<Duration> lifetime;
    private final Clock clock;
    private final Object lock = new Object();
    private volatile Keys keys = Keys.NONE;
    /** Whether code chose the keys ({@link #setKeys}, {@link #useKeyFile}): the property is then ignored. */
    private volatile boolean chosenInCode;

    /**
     * A ring with a random key, rotated every {@code lifetime}.
     *
     * @param random the source of keys and nonces
     * @param lifetime the ticket lifetime, read at each rotation check; {@code null}, zero or more
     *     than {@link #MAX_LIFETIME} means {@code MAX_LIFETIME}
     */
    public TicketKeyRing(SecureRandom random, Supplier<Duration> lifetime) {
        this(random, lifetime, Clock.systemUTC());
    }

    TicketKeyRing(SecureRandom random, Supplier<Duration> lifetime, Clock clock) {
        this.random = random;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /**
     * Seals {@code body} into a ticket under the first key.
     *
     * @param body the resumption state; not kept
     * @return the ticket, {@value TicketKey#OVERHEAD} bytes longer than {@code body}
     */
    public byte[] seal(byte[] body) {
        return current(clock.millis()).keys[0].seal(body, random);
    }

    /**
     * The body sealed in {@code ticket}, or {@code null} if no key of the ring opens it (unknown key
     * name, expired key, bad tag, too short, {@code null}). Never throws for the content of
     * {@code ticket}.
     *
     * @param ticket a ticket as a client presented it; not kept
     * @return the body, or {@code null}
     */
    public byte[] open(byte[] ticket) {
        if (ticket == null || ticket.length < TicketKey.OVERHEAD) {
            return null;
        }
        long now = clock.millis();
        Keys k = current(now);
        for (int i = 0; i < k.keys.length; i++) {
            if (k.keys[i].names(ticket) && k.opensWith(i, now)) {
                return k.keys[i].open(ticket);
            }
        }
        return null;
    }

    /**
     * Replaces the keys with {@code materials}, stopping any rotation or file watching: the first
     * seals, all open.
     *
     * @param materials keys of {@value TicketKey#SHORT_LENGTH} or {@value TicketKey#LONG_LENGTH}
     *     bytes, the first 16 of each being its name; copied
     * @throws IllegalArgumentException if the list is {@code null} or empty, a key has another length,
     *     or two keys share a name; the message never shows key bytes
     */
    public void setKeys(List<byte[]> materials) {
        if (materials == null || materials.isEmpty()) {
            throw new IllegalArgumentException("at least one ticket key is needed");
        }
        int n = materials.size();
        TicketKey[] parsed = TicketKey.ofAll(materials, i -> "ticket key " + (i + 1) + " of " + n);
        install(new Keys(Source.GIVEN, parsed, null, 0, 0), true);
    }

    /**
     * Takes the keys from {@code file} now, and again whenever it changes.
     *
     * @param file a ticket key file ({@link TicketKeyFile})
     * @throws KeyManagementException if it cannot be read or is malformed, naming the file and line;
     *     the keys are then unchanged
     */
    public void useKeyFile(Path file) throws KeyManagementException {
        if (file == null) {
            throw new IllegalArgumentException("the ticket key file must not be null");
        }
        install(fileKeys(TicketKeyFile.load(file, clock.millis())), true);
    }

    /**
     * Applies {@value #KEY_FILE_PROPERTY} when the context is initialized, unless code chose the
     * keys: the file it names, or random keys when it is not set.
     *
     * @throws KeyManagementException if the file cannot be read or is malformed, naming the file and line
     */
    public void initialize() throws KeyManagementException {
        if (chosenInCode) {
            return;
        }
        String name = OffloadSettings.property(KEY_FILE_PROPERTY);
        if (name != null && !name.isEmpty()) {
            install(fileKeys(TicketKeyFile.load(Path.of(name), clock.millis())), false);
        } else if (keys.source == Source.FILE) {
            install(Keys.NONE, false);
        }
    }

    /** The source of the current keys. */
    Source source() {
        return keys.source;
    }

    private static Keys fileKeys(TicketKeyFile file) {
        return new Keys(Source.FILE, file.initialKeys(), file, 0, 0);
    }

    /** The one place the keys change source: code or the property sets them. */
    private void install(Keys next, boolean fromCode) {
        synchronized (lock) {
            if (!fromCode && chosenInCode) {
                return;
            }
            keys = next;
            chosenInCode |= fromCode;
        }
    }

    /** The keys at {@code now}, after a rotation or a file change if one is due. */
    private Keys current(long now) {
        Keys k = keys;
        if (k.source == Source.RANDOM && rotationDue(k, now)) {
            synchronized (lock) {
                k = keys;
                if (k.source == Source.RANDOM && rotationDue(k, now)) {
                    k = rotated(k, now);
                    keys = k;
                }
            }
        } else if (k.source == Source.FILE) {
            TicketKey[] changed = k.file.poll(now);
            if (changed != null) {
                synchronized (lock) {
                    if (keys.file == k.file) {
                        keys = new Keys(Source.FILE, changed, k.file, 0, 0);
                    }
                    k = keys;
                }
            }
        }
        return k;
    }

    private boolean rotationDue(Keys k, long now) {
        return k.keys.length == 0 || now - k.sealingSince >= lifetimeMillis();
    }

    /**
     * A new random key seals from {@code now}. The one it replaces sealed its last ticket before its
     * rotation was due, one lifetime after it began, so it opens for one lifetime more; if that time is
     * already past (nothing called the ring for long), it is dropped.
     */
    private Keys rotated(Keys old, long now) {
        TicketKey fresh = TicketKey.random(random);
        long previousUntil = old.keys.length == 0 ? Long.MIN_VALUE : old.sealingSince + 2 * lifetimeMillis();
        if (previousUntil <= now) {
            return new Keys(Source.RANDOM, new TicketKey[] {fresh}, null, now, Long.MIN_VALUE);
        }
        return new Keys(Source.RANDOM, new TicketKey[] {fresh, old.keys[0]}, null, now, previousUntil);
    }

    private long lifetimeMillis() {
        Duration d = lifetime.get();
        if (d == null || d.isZero() || d.isNegative() || d.compareTo(MAX_LIFETIME) > 0) {
            d = MAX_LIFETIME;
        }
        return d.toMillis();
    }
}
