package dev.asyncjsse.engine;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;

/**
 * Server names from ClientHellos as {@link SNIHostName}s, which apply SunJSSE's rules (LDH labels of
 * at most 63 characters, no trailing dot, IDNA; RFC 6066 section 3). A server sees the same few names
 * in handshake after handshake, and each {@code SNIHostName} runs IDNA processing that cost a few
 * microseconds per handshake, twice (the front checks the name, the native engine keeps it), so the
 * names accepted are remembered by their bytes: at most {@value #REMEMBERED} of them, all forgotten at
 * once when a client sends that many distinct names. Refused names are never remembered.
 *
 * <p>Internal. Thread-safe; the returned objects are immutable and may be shared.
 */
public final class HostNames {

    static final int REMEMBERED = 256;
    private static final Map<ByteBuffer, SNIHostName> ACCEPTED = new ConcurrentHashMap<>();

    private HostNames() {}

    /**
     * The host name {@code encoded} (ASCII, as it travels in the server_name extension).
     *
     * @throws IllegalArgumentException as {@code new SNIHostName(encoded)} does for an illegal name
     */
    public static SNIHostName of(byte[] encoded) {
        SNIHostName known = ACCEPTED.get(ByteBuffer.wrap(encoded));
        if (known != null) {
            return known;
        }
        SNIHostName name = new SNIHostName(encoded);
        if (ACCEPTED.size() >= REMEMBERED) {
            ACCEPTED.clear();
        }
        ACCEPTED.put(ByteBuffer.wrap(encoded.clone()), name);
        return name;
    }
}
