package dev.asyncjsse.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import javax.net.ssl.SNIHostName;
import org.junit.jupiter.api.Test;

class HostNamesTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void anAcceptedNameIsTheJdksAndIsReused() {
        byte[] bytes = ascii("www.example.test");
        SNIHostName first = HostNames.of(bytes);
        assertEquals(new SNIHostName(bytes), first);
        bytes[0] = 'x';
        assertEquals("www.example.test", first.getAsciiName(), "the caller's array is not kept");
        assertSame(first, HostNames.of(ascii("www.example.test")));
    }

    @Test
    void illegalNamesAreRefusedAsTheJdkRefusesThemEveryTime() {
        for (String illegal : new String[] {"trailing.dot.", "under_score.test", "a..b", "-dash.test"}) {
            IllegalArgumentException jdk = assertThrows(IllegalArgumentException.class, () -> new SNIHostName(ascii(illegal)));
            for (int i = 0; i < 2; i++) {
                IllegalArgumentException ours = assertThrows(IllegalArgumentException.class, () -> HostNames.of(ascii(illegal)), illegal);
                assertEquals(jdk.getMessage(), ours.getMessage());
            }
        }
    }

    @Test
    void manyDistinctNamesAreForgottenNotRefused() {
        SNIHostName early = HostNames.of(ascii("early.example.test"));
        for (int i = 0; i <= HostNames.REMEMBERED; i++) {
            assertEquals("n" + i + ".example.test", HostNames.of(ascii("n" + i + ".example.test")).getAsciiName());
        }
        SNIHostName again = HostNames.of(ascii("early.example.test"));
        assertEquals(early, again);
        assertNotSame(early, again, "the early name was forgotten when the table filled");
    }
}
