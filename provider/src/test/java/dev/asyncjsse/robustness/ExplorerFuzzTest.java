package dev.asyncjsse.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.nio.ClientHello;
import dev.asyncjsse.nio.ClientHelloExplorer;
import dev.asyncjsse.testkit.PeerPorts;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of {@link ClientHelloExplorer} over real SunJSSE ClientHellos (TLS 1.3 and
 * 1.2, with SNI and ALPN, re-fragmented over several records). For every input it checks that the
 * explorer throws nothing, returns a consistent status, leaves the buffer's position, limit and content
 * alone, and never reads outside position..limit: the input is explored inside a heap buffer with
 * random bytes around it, twice with different surroundings, and as a direct and a read-only buffer;
 * all answers must agree. Every prefix of a valid ClientHello must ask for more bytes.
 *
 * <p>{@code mvn verify} runs 20,000 inputs; more with {@code -Dasyncjsse.fuzz.explorer.iterations=N}
 * (and {@code -Dasyncjsse.fuzz.seed=S}).
 */
class ExplorerFuzzTest {

    static final List<byte[]> SEEDS = new ArrayList<>();

    @BeforeAll
    static void recordHellos() throws Exception {
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            for (boolean extras : new boolean[] {false, true}) {
                SSLEngine c = Fixtures.sunClient().createSSLEngine("www.example.com", PeerPorts.next());
                c.setUseClientMode(true);
                SSLParameters p = c.getSSLParameters();
                p.setProtocols(new String[] {protocol});
                if (extras) {
                    p.setServerNames(List.of(new SNIHostName("a-rather-long-virtual-host-name.example.org")));
                    p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
                }
                c.setSSLParameters(p);
                ByteBuffer out = ByteBuffer.allocate(c.getSession().getPacketBufferSize());
                c.wrap(ByteBuffer.allocate(0), out);
                SEEDS.add(Arrays.copyOf(out.array(), out.position()));
            }
        }
    }

    @Test
    void everyPrefixOfAValidHelloAsksForMore() {
        for (byte[] hello : SEEDS) {
            ClientHello full = ClientHelloExplorer.explore(ByteBuffer.wrap(hello));
            assertEquals(ClientHello.Status.COMPLETE, full.status(), full.message());
            assertEquals(hello.length, full.length());
            for (int k = 0; k < hello.length; k++) {
                ClientHello h = ClientHelloExplorer.explore(ByteBuffer.wrap(hello, 0, k).slice());
                assertEquals(ClientHello.Status.NEED_MORE_BYTES, h.status(), "prefix of " + k + " bytes: " + h.message());
                assertTrue(h.bytesNeeded() >= 1 && h.bytesNeeded() <= hello.length - k,
                        "prefix of " + k + " of " + hello.length + " bytes: bytesNeeded " + h.bytesNeeded());
            }
        }
    }

    @Test
    void fuzzExplorer() {
        long seed = Fixtures.longProperty("asyncjsse.fuzz.seed", EngineFuzzTest.DEFAULT_SEED);
        int iterations = Fixtures.intProperty("asyncjsse.fuzz.explorer.iterations", 20_000);
        List<byte[]> pool = new ArrayList<>(SEEDS);
        Map<String, Integer> statuses = new TreeMap<>();
        List<String> findings = new ArrayList<>();
        long slowest = 0;
        long start = System.nanoTime();
        for (int i = 0; i < iterations && findings.size() < 20; i++) {
            Random r = new Random(EngineFuzzTest.mix(seed * 31 + i));
            byte[] seedHello = SEEDS.get(r.nextInt(SEEDS.size()));
            StringBuilder how = new StringBuilder();
            byte[] input = new Mutator(r, pool).mutate(seedHello, how);
            if (r.nextInt(4) == 0 && input.length > 0) {
                input = Arrays.copyOf(input, r.nextInt(input.length)); // also a partial read
                how.append("+prefix");
            }
            try {
                long t0 = System.nanoTime();
                ClientHello a = exploreIn(input, r, 0);
                slowest = Math.max(slowest, System.nanoTime() - t0);
                ClientHello b = exploreIn(input, r, 1);
                ClientHello d = exploreDirect(input, true);
                ClientHello ro = exploreDirect(input, false);
                String sa = describe(a);
                if (!sa.equals(describe(b)) || !sa.equals(describe(d)) || !sa.equals(describe(ro))) {
                    findings.add("#" + i + " " + how + ": the answer depends on bytes outside position..limit or on the"
                            + " buffer kind:\n  " + sa + "\n  " + describe(b) + "\n  " + describe(d) + "\n  " + describe(ro));
                }
                String bad = consistency(a, input.length);
                if (bad != null) {
                    findings.add("#" + i + " " + how + ": " + bad + ": " + sa);
                }
                statuses.merge(a.status().toString(), 1, Integer::sum);
                if (a.isComplete() && pool.size() < 200 && r.nextInt(8) == 0) {
                    pool.add(input); // interesting: still a complete hello after mutation
                }
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                findings.add("#" + i + " " + how + ": " + e + " at " + EngineFuzzTest.frame(e));
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("explorer fuzz: seed %d, %d inputs in %.1f s, slowest call %.2f ms, statuses %s, %d findings%n",
                seed, iterations, secs, slowest / 1e6, statuses, findings.size());
        findings.forEach(f -> System.out.println("FINDING " + f));
        assertEquals(List.of(), findings);
    }

    /** Explores {@code input} inside a bigger heap array with random guard bytes; checks the buffer is untouched. */
    private static ClientHello exploreIn(byte[] input, Random r, int salt) {
        int before = 1 + r.nextInt(16);
        int after = 1 + r.nextInt(16);
        byte[] all = new byte[before + input.length + after];
        Random guard = new Random(salt * 7919L + input.length);
        guard.nextBytes(all);
        if (salt == 1) {
            all[before - 1] = 22; // tempting values right outside the window
            all[before + input.length] = 3;
        }
        System.arraycopy(input, 0, all, before, input.length);
        byte[] copy = all.clone();
        ByteBuffer buf = ByteBuffer.wrap(all);
        buf.position(before).limit(before + input.length);
        ClientHello h = ClientHelloExplorer.explore(buf);
        if (buf.position() != before || buf.limit() != before + input.length || !Arrays.equals(all, copy)) {
            throw new IllegalStateException("explore changed the buffer's position, limit or content");
        }
        if (h == null) {
            throw new IllegalStateException("explore returned null");
        }
        return h;
    }

    private static ClientHello exploreDirect(byte[] input, boolean direct) {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(input.length) : ByteBuffer.allocate(input.length);
        buf.put(input).flip();
        if (!direct) {
            buf = buf.asReadOnlyBuffer();
        }
        return ClientHelloExplorer.explore(buf);
    }

    private static String describe(ClientHello h) {
        return h.status() + " needed=" + h.bytesNeeded() + " length=" + h.length() + " rv=" + h.recordVersion() + " lv="
                + h.legacyVersion() + " sv=" + h.supportedVersions() + " cs=" + h.cipherSuites().size() + " sni="
                + h.serverNames() + " alpn=" + h.applicationProtocols() + " msg=" + h.message();
    }

    private static String consistency(ClientHello h, int given) {
        if (h.status() == null || h.message() == null) {
            return "null status or message";
        }
        switch (h.status()) {
            case NEED_MORE_BYTES:
                return h.bytesNeeded() >= 1 ? null : "NEED_MORE_BYTES with bytesNeeded " + h.bytesNeeded();
            case COMPLETE:
                return h.length() > 0 && h.length() <= given ? null : "COMPLETE with length " + h.length() + " of " + given;
            default:
                return h.bytesNeeded() == 0 && h.length() == 0 ? null : "a failure status with bytesNeeded/length set";
        }
    }
}
