package dev.asyncjsse.tls13;

import java.util.HexFormat;

/** Test vectors written as in the RFCs: hex octets, spaces and line breaks ignored. */
final class Hex {

    private Hex() {}

    static byte[] bytes(String octets) {
        return HexFormat.of().parseHex(octets.replaceAll("\\s+", ""));
    }

    static String string(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
