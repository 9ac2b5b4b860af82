package dev.asyncjsse.tls13;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {

    private static final int HANDSHAKE = 22;
    private static final int ALERT = 21;

    @Test
    void dataMayFollowOnlyWhatSaysSo() throws Exception {
        OutboundQueue out = new OutboundQueue();
        assertFalse(out.onlyBeforeData(), "nothing queued: nothing for data to follow");
        out.addBeforeData(OutboundQueue.PLAINTEXT, HANDSHAKE, new byte[] {4, 0, 0, 0});
        out.addBeforeData(OutboundQueue.PLAINTEXT, HANDSHAKE, new byte[] {4, 0, 0, 0});
        assertTrue(out.onlyBeforeData());
        out.add(OutboundQueue.PLAINTEXT, ALERT, new byte[] {1, 0});
        assertFalse(out.onlyBeforeData(), "an alert behind the tickets goes out alone");

        ByteBuffer dst = ByteBuffer.allocate(100);
        int written = out.write(dst, epoch -> null);
        assertEquals(3 * 5 + 4 + 4 + 2, written);
        assertFalse(out.onlyBeforeData());
        out.addBeforeData(OutboundQueue.PLAINTEXT, HANDSHAKE, new byte[] {4, 0, 0, 0});
        assertTrue(out.onlyBeforeData(), "decided by what is queued now, not by what went before");
    }
}
