package dev.asyncjsse.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LatencyWindowTest {

    private final AtomicLong clock = new AtomicLong(TimeUnit.DAYS.toNanos(3));
    private final LatencyWindow window = new LatencyWindow(clock::get);

    private static long micros(long n) {
        return TimeUnit.MICROSECONDS.toNanos(n);
    }

    @Test
    void bucketsCoverEveryValueWithinOneSixteenth() {
        int previous = -1;
        for (long v = 0; v < (1L << 35); v = v < 100 ? v + 1 : v + v / 7 + 1) {
            int index = LatencyWindow.index(v);
            assertTrue(index >= previous, "buckets never go back: " + v);
            assertTrue(index < LatencyWindow.BUCKETS, "in range: " + v);
            long upper = LatencyWindow.upperBound(index);
            assertTrue(upper >= v, v + " <= upper bound " + upper);
            assertTrue(upper - v <= Math.max(0, v / 16), v + ": upper bound " + upper + " is more than 1/16 above");
            previous = index;
        }
    }

    @Test
    void emptyWindowReportsZeros() {
        LatencyWindow.Summary s = window.summary();
        assertEquals(0, s.count);
        assertEquals(0, s.p50Micros);
        assertEquals(0, s.maxMicros);
    }

    @Test
    void percentilesAndExactMaximum() {
        for (int i = 1; i <= 1000; i++) {
            window.record(micros(i * 10L)); // 10 us .. 10 ms
        }
        LatencyWindow.Summary s = window.summary();
        assertEquals(1000, s.count);
        assertTrue(s.p50Micros >= 5000 && s.p50Micros <= 5000 + 5000 / 16, "p50 " + s.p50Micros);
        assertTrue(s.p99Micros >= 9900 && s.p99Micros <= 9900 + 9900 / 16, "p99 " + s.p99Micros);
        assertEquals(10_000, s.maxMicros);
    }

    @Test
    void aPercentileNeverExceedsTheMaximum() {
        window.record(micros(1000));
        LatencyWindow.Summary s = window.summary();
        assertEquals(1000, s.p50Micros);
        assertEquals(1000, s.p99Micros);
        assertEquals(1000, s.maxMicros);
    }

    @Test
    void oldSamplesLeaveTheWindow() {
        window.record(micros(50_000));
        clock.addAndGet(TimeUnit.SECONDS.toNanos(30));
        window.record(micros(100));
        LatencyWindow.Summary both = window.summary();
        assertEquals(2, both.count);
        assertEquals(50_000, both.maxMicros);

        clock.addAndGet(TimeUnit.SECONDS.toNanos(40)); // the first sample is 70 s old, the second 40 s
        LatencyWindow.Summary recent = window.summary();
        assertEquals(1, recent.count);
        assertEquals(100, recent.maxMicros);

        clock.addAndGet(TimeUnit.SECONDS.toNanos(61));
        assertEquals(0, window.summary().count);
    }

    @Test
    void aReusedSlotStartsEmpty() {
        window.record(micros(7_000));
        clock.addAndGet(TimeUnit.SECONDS.toNanos(LatencyWindow.SLOTS * LatencyWindow.SLOT_SECONDS));
        window.record(micros(3));
        LatencyWindow.Summary s = window.summary();
        assertEquals(1, s.count);
        assertEquals(3, s.maxMicros);
    }
}
