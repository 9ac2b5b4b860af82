package dev.asyncjsse.tickets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The random key of a context is replaced every ticket lifetime; the one it replaces opens for one more. */
class TicketRotationTest {

    private static final byte[] BODY = "state".getBytes(StandardCharsets.US_ASCII);
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration MS = Duration.ofMillis(1);

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<Duration> lifetime = new AtomicReference<>(HOUR);
    private final TicketKeyRing ring = new TicketKeyRing(new SecureRandom(), lifetime::get, clock);

    private static byte[] name(byte[] ticket) {
        return Arrays.copyOf(ticket, 16);
    }

    @Test
    void theKeyIsReplacedAfterALifetimeAndTheOldOneOpensForOneMore() {
        byte[] first = ring.seal(BODY);
        clock.advance(HOUR.minus(MS));
        byte[] lastOfFirstKey = ring.seal(BODY);
        assertArrayEquals(name(first), name(lastOfFirstKey), "one key seals for a whole lifetime");

        clock.advance(MS); // one lifetime after the first key began
        byte[] second = ring.seal(BODY);
        assertFalse(Arrays.equals(name(first), name(second)), "a new key seals after a lifetime");
        assertArrayEquals(BODY, ring.open(first), "the replaced key still opens");
        assertArrayEquals(BODY, ring.open(lastOfFirstKey));

        clock.advance(HOUR.minus(MS)); // the last ticket of the first key is one lifetime old, less 1 ms
        assertArrayEquals(BODY, ring.open(lastOfFirstKey), "a ticket of the replaced key opens for its whole lifetime");
        clock.advance(MS);
        assertNull(ring.open(lastOfFirstKey), "two lifetimes after it began, the first key is gone");
        assertArrayEquals(BODY, ring.open(second), "the second key, replaced just now, opens");
        byte[] third = ring.seal(BODY);
        assertFalse(Arrays.equals(name(second), name(third)));
    }

    @Test
    void aRingIdleForLongDropsItsOldKey() {
        byte[] ticket = ring.seal(BODY);
        clock.advance(HOUR.multipliedBy(2));
        assertNull(ring.open(ticket), "no key that sealed two lifetimes ago opens");
        byte[] fresh = ring.seal(BODY);
        assertArrayEquals(BODY, ring.open(fresh));
    }

    @Test
    void openingAloneRotates() {
        byte[] ticket = ring.seal(BODY);
        clock.advance(HOUR);
        assertArrayEquals(BODY, ring.open(ticket), "the rotation inside open keeps the old key");
        byte[] next = ring.seal(BODY);
        assertFalse(Arrays.equals(name(ticket), name(next)), "the key open rotated in seals now");
    }

    @Test
    void theLifetimeIsReadAtEachCheck() {
        byte[] ticket = ring.seal(BODY);
        lifetime.set(Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(10));
        assertFalse(Arrays.equals(name(ticket), name(ring.seal(BODY))), "a shorter lifetime rotates sooner");
    }

    @Test
    void noLifetimeOrALongOneIsCappedAtSevenDays() {
        for (Duration d : new Duration[] {null, Duration.ZERO, Duration.ofDays(30)}) {
            lifetime.set(d);
            TicketKeyRing r = new TicketKeyRing(new SecureRandom(), lifetime::get, clock);
            byte[] ticket = r.seal(BODY);
            clock.advance(Duration.ofDays(7).minus(MS));
            assertArrayEquals(name(ticket), name(r.seal(BODY)), "rotated before 7 days with lifetime " + d);
            clock.advance(MS);
            assertFalse(Arrays.equals(name(ticket), name(r.seal(BODY))), "not rotated after 7 days with lifetime " + d);
        }
    }

    @Test
    void givenKeysStopTheRotation() {
        byte[] key = new byte[48];
        new SecureRandom().nextBytes(key);
        ring.seal(BODY);
        ring.setKeys(List.of(key));
        byte[] ticket = ring.seal(BODY);
        clock.advance(Duration.ofDays(30));
        assertArrayEquals(name(ticket), name(ring.seal(BODY)), "given keys are never replaced");
        assertArrayEquals(BODY, ring.open(ticket));
        assertEquals(TicketKeyRing.Source.GIVEN, ring.source());
    }

    @Test
    void clockGoingBackDoesNotRotate() {
        byte[] ticket = ring.seal(BODY);
        clock.advance(Duration.ofMinutes(-30));
        assertArrayEquals(name(ticket), name(ring.seal(BODY)));
        assertArrayEquals(BODY, ring.open(ticket));
    }
}
