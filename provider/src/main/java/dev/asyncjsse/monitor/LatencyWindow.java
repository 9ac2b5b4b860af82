package dev.asyncjsse.monitor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Durations over a sliding window of time, for percentiles. The window is {@value #SLOTS} slots of
 * {@value #SLOT_SECONDS} seconds; each slot is a log-linear histogram of microseconds (16 buckets per
 * power of two, so a reported percentile is at most 1/16 above the true value) and an exact maximum.
 * A read merges the slots of the last {@code SLOTS} slot periods, so it covers the last 45 to 60
 * seconds.
 *
 * <p>Recording takes no lock and allocates nothing (the slots are allocated on the first record).
 * A slot is cleared by the first record of its next period; samples recorded by other threads in
 * that instant may be lost, which a percentile over thousands of samples does not notice.
 *
 * <p>Internal. Thread-safe.
 */
final class LatencyWindow {

    static final int SLOTS = 4;
    static final long SLOT_SECONDS = 15;
    private static final long SLOT_NANOS = TimeUnit.SECONDS.toNanos(SLOT_SECONDS);
    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;
    /** Values from 2^MAX_EXPONENT microseconds (about 9.5 hours) on share the last bucket. */
    private static final int MAX_EXPONENT = 35;
    static final int BUCKETS = (MAX_EXPONENT - SUB_BITS + 1) * SUB;
    private static final long MAX_MICROS = (1L << MAX_EXPONENT) - 1;

    private final LongSupplier nanoClock;
    private volatile Slot[] slots;

    LatencyWindow(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    private static final class Slot {
        final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
        final AtomicLong max = new AtomicLong();
        volatile long period = Long.MIN_VALUE;
    }

    /** What a read of the window found. */
    static final class Summary {
        final long count;
        final long p50Micros;
        final long p99Micros;
        final long maxMicros;

        Summary(long count, long p50Micros, long p99Micros, long maxMicros) {
            this.count = count;
            this.p50Micros = p50Micros;
            this.p99Micros = p99Micros;
            this.maxMicros = maxMicros;
        }
    }

    void record(long nanos) {
        long micros = Math.min(MAX_MICROS, Math.max(0, nanos / 1000));
        long period = Math.floorDiv(nanoClock.getAsLong(), SLOT_NANOS);
        Slot slot = slots()[(int) Math.floorMod(period, (long) SLOTS)];
        if (slot.period != period) {
            rotate(slot, period);
        }
        slot.counts.incrementAndGet(index(micros));
        slot.max.accumulateAndGet(micros, Math::max);
    }

    private Slot[] slots() {
        Slot[] s = slots;
        if (s == null) {
            synchronized (this) {
                s = slots;
                if (s == null) {
                    s = new Slot[SLOTS];
                    for (int i = 0; i < SLOTS; i++) {
                        s[i] = new Slot();
                    }
                    slots = s;
                }
            }
        }
        return s;
    }

    private static void rotate(Slot slot, long period) {
        synchronized (slot) {
            if (slot.period == period) {
                return;
            }
            for (int i = 0; i < BUCKETS; i++) {
                slot.counts.set(i, 0);
            }
            slot.max.set(0);
            slot.period = period;
        }
    }

    /** The count, p50, p99 and maximum of the samples in the window; zeros if there are none. */
    Summary summary() {
        Slot[] s = slots;
        if (s == null) {
            return new Summary(0, 0, 0, 0);
        }
        long now = Math.floorDiv(nanoClock.getAsLong(), SLOT_NANOS);
        long[] merged = new long[BUCKETS];
        long total = 0;
        long max = 0;
        for (Slot slot : s) {
            long period = slot.period;
            if (period > now || period <= now - SLOTS) {
                continue;
            }
            for (int i = 0; i < BUCKETS; i++) {
                long c = slot.counts.get(i);
                merged[i] += c;
                total += c;
            }
            max = Math.max(max, slot.max.get());
        }
        if (total == 0) {
            return new Summary(0, 0, 0, 0);
        }
        return new Summary(total, Math.min(max, quantile(merged, total, 0.50)), Math.min(max, quantile(merged, total, 0.99)), max);
    }

    private static long quantile(long[] counts, long total, double q) {
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return upperBound(i);
            }
        }
        return upperBound(counts.length - 1);
    }

    /** The bucket of a value: exact below 16, then 16 buckets per power of two. */
    static int index(long micros) {
        if (micros < SUB) {
            return (int) micros;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        int sub = (int) (micros >>> (exponent - SUB_BITS)) & (SUB - 1);
        return (exponent - SUB_BITS + 1) * SUB + sub;
    }

    /** The largest value that falls in bucket {@code index}. */
    static long upperBound(int index) {
        if (index < SUB) {
            return index;
        }
        int exponent = index / SUB + SUB_BITS - 1;
        int sub = index % SUB;
        int shift = exponent - SUB_BITS;
        return ((long) (SUB + sub) << shift) + (1L << shift) - 1;
    }
}
