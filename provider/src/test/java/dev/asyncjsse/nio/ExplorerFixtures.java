package dev.asyncjsse.nio;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** A ClientHello recorded from the first wrap of a SunJSSE (JDK 17) client engine. */
final class ExplorerFixtures {

    /**
     * SunJSSE client, peer host {@code a.example}, ALPN {@code h2, http/1.1}, default protocols: one
     * handshake record of 458 bytes (5 + 453), record version 0x0303.
     */
    static final String RECORDED_HEX = ""
            + "16030301c5010001c10303ccd60397897b2b2ce7b3fc991734cc6c25918a13c999c058e5ec64680032fed5201dabc2d4"
            + "344bf6529a8ae23c2dd955f6ab52fd7fb954511e2c8bc81b704e9be3003e130213011303c02cc02bcca9c030cca8c02f"
            + "009fccaa00a3009e00a2c024c028c023c027006b006a00670040c00ac014c009c013003900380033003200ff0100013a"
            + "0000000e000c000009612e6578616d706c65000500050100000000000a00160014001d001700180019001e0100010101"
            + "0201030104000b000201000010000e000c02683208687474702f312e3100110009000702000400000000001700000023"
            + "0000000d00260024040305030603080708080804080508060809080a080b0401050106010402030303010302002b0005"
            + "0403040303002d000201010032002c002a040305030603080708080804080508060809080a080b040105010601040203"
            + "03030103020203020102020033006b0069001d00201c7b5a8df41340770858b8963b03f17e401e435f0099a80547e0f9"
            + "3cbe3ee7450017004104ef501b8b0dbb2e6d7aa7748eea53746b372544eb99c76140210e81031e8cdcb3b340fff2aaa4"
            + "577b88c341f0848eb7e168a0ff84e8cfb5dd8c8af36ba735d819";

    private ExplorerFixtures() {}

    static byte[] recordedClientHello() {
        return HexFormat.of().parseHex(RECORDED_HEX);
    }

    /** The handshake message (header included) of the recorded hello, without its record header. */
    static byte[] recordedMessage() {
        byte[] all = recordedClientHello();
        byte[] m = new byte[all.length - 5];
        System.arraycopy(all, 5, m, 0, m.length);
        return m;
    }

    /** Puts {@code message} into handshake records cut at {@code cuts} (offsets into the message). */
    static byte[] records(byte[] message, int... cuts) {
        ByteBuffer out = ByteBuffer.allocate(message.length + 5 * (cuts.length + 1));
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : message.length;
            out.put((byte) 22).put((byte) 3).put((byte) 3).putShort((short) (to - from)).put(message, from, to - from);
            from = to;
        }
        return out.array();
    }
}
