package dev.asyncjsse.robustness;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded, structure-aware mutations of TLS flights: bit flips, byte sets, truncation, record and
 * handshake length changes, splicing with other recorded flights, duplication, re-fragmentation and
 * huge lengths. Deterministic for a given {@link Random}.
 */
final class Mutator {

    private static final int[] INTERESTING_U8 = {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x14, 0x15, 0x16, 0x17, 0x18};
    private static final int[] INTERESTING_U16 = {0x0000, 0x0001, 0x0002, 0x00FF, 0x0100, 0x3FFF, 0x4000, 0x4001,
            0x4100, 0x4800, 0x4801, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
    private static final int[] INTERESTING_U24 = {0x000000, 0x000001, 0x003FFF, 0x004000, 0x00FFFF, 0x010000,
            0x7FFFFF, 0xFFFFFF};
    private static final int[] VERSIONS = {0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x0305, 0x0203, 0x0002, 0xFEFF,
            0xFEFD, 0x7F1C, 0xFFFF, 0x0000};

    private final Random random;
    private final List<byte[]> pool;

    /** @param pool recorded flights used as material for splicing */
    Mutator(Random random, List<byte[]> pool) {
        this.random = random;
        this.pool = pool;
    }

    /** A mutated copy of {@code flight}; {@code how} receives a short description. */
    byte[] mutate(byte[] flight, StringBuilder how) {
        byte[] out = flight;
        int rounds = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        for (int i = 0; i < rounds; i++) {
            if (i > 0) {
                how.append('+');
            }
            out = mutateOnce(out, how);
        }
        return out;
    }

    private byte[] mutateOnce(byte[] in, StringBuilder how) {
        int kind = random.nextInt(14);
        byte[] b = in.clone();
        switch (kind) {
            case 0: { // bit flips
                int n = 1 + random.nextInt(8);
                for (int i = 0; i < n && b.length > 0; i++) {
                    int p = random.nextInt(b.length);
                    b[p] ^= (byte) (1 << random.nextInt(8));
                }
                how.append("bitflip*").append(n);
                return b;
            }
            case 1: { // byte sets
                int n = 1 + random.nextInt(4);
                for (int i = 0; i < n && b.length > 0; i++) {
                    int p = random.nextInt(b.length);
                    b[p] = (byte) (random.nextBoolean() ? INTERESTING_U8[random.nextInt(INTERESTING_U8.length)] : random.nextInt(256));
                }
                how.append("byteset*").append(n);
                return b;
            }
            case 2: { // truncation
                int len = b.length == 0 ? 0 : random.nextInt(b.length);
                how.append("truncate@").append(len);
                return Arrays.copyOf(b, len);
            }
            case 3: { // record length field
                List<Integer> headers = recordOffsets(b);
                if (headers.isEmpty()) {
                    return bitflipOne(b, how);
                }
                int h = headers.get(random.nextInt(headers.size()));
                int old = u16(b, h + 3);
                int v = pickU16(old);
                put16(b, h + 3, v);
                how.append("reclen@").append(h).append('=').append(v);
                return b;
            }
            case 4: { // handshake message length (first message of a plaintext handshake record)
                List<Integer> headers = recordOffsets(b);
                for (int h : headers) {
                    if ((b[h] & 0xFF) == 22 && h + 9 <= b.length) {
                        int old = u24(b, h + 6);
                        int v = random.nextBoolean() ? INTERESTING_U24[random.nextInt(INTERESTING_U24.length)]
                                : Math.max(0, old + random.nextInt(9) - 4);
                        put24(b, h + 6, v);
                        how.append("hslen@").append(h).append('=').append(v);
                        return b;
                    }
                }
                return bitflipOne(b, how);
            }
            case 5: { // a 16-bit length-looking field anywhere (extension and vector lengths)
                if (b.length < 2) {
                    return bitflipOne(b, how);
                }
                int p = random.nextInt(b.length - 1);
                int v = pickU16(u16(b, p));
                put16(b, p, v);
                how.append("u16@").append(p).append('=').append(v);
                return b;
            }
            case 6: { // splice: our head, another flight's tail
                byte[] other = pool.get(random.nextInt(pool.size()));
                int cut = b.length == 0 ? 0 : random.nextInt(b.length + 1);
                int from = other.length == 0 ? 0 : random.nextInt(other.length + 1);
                byte[] r = concat(Arrays.copyOf(b, cut), Arrays.copyOfRange(other, from, other.length));
                how.append("splice@").append(cut).append('/').append(from);
                return r;
            }
            case 7: { // insert a whole record of another flight between records, or append it
                byte[] other = pool.get(random.nextInt(pool.size()));
                List<Integer> offs = recordOffsets(b);
                int at = offs.isEmpty() ? b.length : (random.nextBoolean() ? b.length : offs.get(random.nextInt(offs.size())));
                byte[] rec = firstRecord(other, random);
                byte[] r = concat(concat(Arrays.copyOf(b, at), rec), Arrays.copyOfRange(b, at, b.length));
                how.append("insertrec@").append(at).append('+').append(rec.length);
                return r;
            }
            case 8: { // duplication: whole flight or one record
                List<Integer> offs = recordOffsets(b);
                if (offs.isEmpty() || random.nextBoolean()) {
                    how.append("dupflight");
                    return concat(b, b);
                }
                int idx = random.nextInt(offs.size());
                int start = offs.get(idx);
                int end = idx + 1 < offs.size() ? offs.get(idx + 1) : b.length;
                byte[] rec = Arrays.copyOfRange(b, start, end);
                how.append("duprec@").append(start);
                return concat(concat(Arrays.copyOf(b, end), rec), Arrays.copyOfRange(b, end, b.length));
            }
            case 9: { // huge length and a large body
                List<Integer> offs = recordOffsets(b);
                int h = offs.isEmpty() ? 0 : offs.get(random.nextInt(offs.size()));
                if (b.length < h + 5) {
                    b = Arrays.copyOf(b, h + 5);
                }
                int v = random.nextBoolean() ? 0xFFFF : 0x4000 + 256 + 1 + random.nextInt(0xFFFF - 0x4101);
                put16(b, h + 3, v);
                int extra = random.nextInt(3) == 0 ? v : random.nextInt(4096);
                byte[] junk = new byte[extra];
                random.nextBytes(junk);
                how.append("huge@").append(h).append('=').append(v).append('+').append(extra);
                return concat(b, junk);
            }
            case 10: { // record-layer type or version
                List<Integer> offs = recordOffsets(b);
                if (offs.isEmpty()) {
                    return bitflipOne(b, how);
                }
                int h = offs.get(random.nextInt(offs.size()));
                if (random.nextBoolean()) {
                    int t = random.nextBoolean() ? INTERESTING_U8[random.nextInt(INTERESTING_U8.length)] : random.nextInt(256);
                    b[h] = (byte) t;
                    how.append("rectype@").append(h).append('=').append(t);
                } else {
                    int v = VERSIONS[random.nextInt(VERSIONS.length)];
                    put16(b, h + 1, v);
                    how.append("recver@").append(h).append('=').append(Integer.toHexString(v));
                }
                return b;
            }
            case 11: { // re-fragment plaintext handshake records into small records
                return refragment(b, how);
            }
            case 12: { // insert or delete a run of bytes
                if (b.length > 0 && random.nextBoolean()) {
                    int p = random.nextInt(b.length);
                    int n = 1 + random.nextInt(Math.min(64, b.length - p));
                    how.append("delete@").append(p).append('*').append(n);
                    return concat(Arrays.copyOf(b, p), Arrays.copyOfRange(b, p + n, b.length));
                }
                int p = b.length == 0 ? 0 : random.nextInt(b.length + 1);
                byte[] junk = new byte[1 + random.nextInt(64)];
                random.nextBytes(junk);
                how.append("insert@").append(p).append('*').append(junk.length);
                return concat(concat(Arrays.copyOf(b, p), junk), Arrays.copyOfRange(b, p, b.length));
            }
            default: { // replace with a random record of random type
                byte[] body = new byte[random.nextInt(300)];
                random.nextBytes(body);
                byte[] rec = new byte[5 + body.length];
                rec[0] = (byte) (20 + random.nextInt(5));
                put16(rec, 1, 0x0303);
                put16(rec, 3, body.length);
                System.arraycopy(body, 0, rec, 5, body.length);
                how.append("randomrec/").append(rec[0]);
                return random.nextBoolean() ? rec : concat(b, rec);
            }
        }
    }

    private byte[] bitflipOne(byte[] b, StringBuilder how) {
        if (b.length == 0) {
            how.append("empty");
            return new byte[] {22};
        }
        int p = random.nextInt(b.length);
        b[p] ^= (byte) (1 << random.nextInt(8));
        how.append("bitflip@").append(p);
        return b;
    }

    private byte[] refragment(byte[] b, StringBuilder how) {
        List<Integer> offs = recordOffsets(b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int size = 1 + random.nextInt(random.nextBoolean() ? 8 : 512);
        boolean any = false;
        for (int i = 0; i < offs.size(); i++) {
            int start = offs.get(i);
            int end = i + 1 < offs.size() ? offs.get(i + 1) : b.length;
            if ((b[start] & 0xFF) == 22 && end - start > 5) {
                any = true;
                for (int p = start + 5; p < end; p += size) {
                    int n = Math.min(size, end - p);
                    out.write(22);
                    out.write(b[start + 1]);
                    out.write(b[start + 2]);
                    out.write(n >>> 8);
                    out.write(n);
                    out.write(b, p, n);
                }
            } else {
                out.write(b, start, end - start);
            }
        }
        if (!any) {
            return bitflipOne(b, how);
        }
        how.append("refragment/").append(size);
        return out.toByteArray();
    }

    private int pickU16(int old) {
        switch (random.nextInt(3)) {
            case 0:
                return INTERESTING_U16[random.nextInt(INTERESTING_U16.length)];
            case 1:
                return Math.max(0, Math.min(0xFFFF, old + random.nextInt(17) - 8));
            default:
                return random.nextInt(0x10000);
        }
    }

    /** Offsets of record headers, following the length fields as long as they stay inside {@code b}. */
    static List<Integer> recordOffsets(byte[] b) {
        List<Integer> offs = new ArrayList<>();
        int p = 0;
        while (p + 5 <= b.length) {
            offs.add(p);
            p += 5 + u16(b, p + 3);
        }
        return offs;
    }

    private static byte[] firstRecord(byte[] b, Random random) {
        List<Integer> offs = recordOffsets(b);
        if (offs.isEmpty()) {
            return b.clone();
        }
        int idx = random.nextInt(offs.size());
        int start = offs.get(idx);
        int end = Math.min(b.length, start + 5 + u16(b, start + 3));
        return Arrays.copyOfRange(b, start, end);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static int u16(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    static int u24(byte[] b, int p) {
        return ((b[p] & 0xFF) << 16) | ((b[p + 1] & 0xFF) << 8) | (b[p + 2] & 0xFF);
    }

    static void put16(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
    }

    static void put24(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 16);
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) v;
    }
}
