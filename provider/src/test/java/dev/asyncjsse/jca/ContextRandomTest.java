package dev.asyncjsse.jca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ContextRandomTest {

    @Test
    void stripesAreTwiceTheProcessorsAsAPowerOfTwo() {
        assertEquals(2, ContextRandom.stripeCount(1));
        assertEquals(4, ContextRandom.stripeCount(2));
        assertEquals(8, ContextRandom.stripeCount(3));
        assertEquals(16, ContextRandom.stripeCount(8));
        assertEquals(64, ContextRandom.stripeCount(48));
        assertEquals(64, ContextRandom.stripeCount(1024));
    }

    /** The context's random is drawn on once per stripe used, then only at reseeds. */
    @Test
    void theContextsRandomSeedsEachStripeAndAfterwardsOnlyReseeds() {
        CountingSecureRandom seed = CountingSecureRandom.create();
        ContextRandom random = ContextRandom.create(seed, "test");
        byte[] out = new byte[32];
        random.nextBytes(out);
        assertEquals(1, seed.calls.get(), "one stripe instantiated");
        for (int i = 1; i < ContextRandom.RESEED_REQUESTS; i++) {
            random.nextBytes(out);
        }
        assertEquals(1, seed.calls.get(), "no draw on the context's random between reseeds");
        random.nextBytes(out);
        assertEquals(2, seed.calls.get(), "the reseed after " + ContextRandom.RESEED_REQUESTS + " requests draws again");
    }

    @Test
    void outputsDifferAcrossCallsInstancesAndSeeds() {
        ContextRandom a = ContextRandom.create(null, "a");
        ContextRandom b = ContextRandom.create(null, "b");
        Set<ByteBuffer> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(seen.add(ByteBuffer.wrap(bytes(a, 16))), "repeated output from a");
            assertTrue(seen.add(ByteBuffer.wrap(bytes(b, 16))), "repeated output from b");
            assertTrue(seen.add(ByteBuffer.wrap(a.generateSeed(16))), "repeated seed from a");
        }
        a.setSeed("mixed in".getBytes(StandardCharsets.US_ASCII));
        assertTrue(seen.add(ByteBuffer.wrap(bytes(a, 16))), "repeated output after setSeed");
        assertEquals(0, a.generateSeed(0).length);
    }

    /** A large request (1 MiB) is filled to its last byte. */
    @Test
    void aLargeRequestIsFilled() {
        byte[] big = bytes(ContextRandom.create(null, "big"), 1 << 20);
        int zeros = 0;
        for (byte x : big) {
            zeros += x == 0 ? 1 : 0;
        }
        // about 1/256 of uniformly random bytes are zero; an unwritten tail would be all zeros
        assertTrue(zeros < (1 << 20) / 128, zeros + " zero bytes in 1 MiB");
    }

    /** Many threads at once: no failure, no repeated output, and every stripe ends up in use. */
    @Test
    void concurrentCallersGetDistinctOutput() throws Exception {
        CountingSecureRandom seed = CountingSecureRandom.create();
        ContextRandom random = ContextRandom.create(seed, "concurrent");
        int threads = 4 * random.stripes();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<ByteBuffer>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<ByteBuffer> mine = new ArrayList<>();
                    for (int i = 0; i < 2000; i++) {
                        mine.add(ByteBuffer.wrap(bytes(random, 16)));
                    }
                    return mine;
                }));
            }
            start.countDown();
            Set<ByteBuffer> all = new HashSet<>();
            for (Future<List<ByteBuffer>> f : results) {
                for (ByteBuffer b : f.get(60, TimeUnit.SECONDS)) {
                    assertTrue(all.add(b), "repeated output across threads");
                }
            }
            assertEquals(threads * 2000, all.size());
            assertTrue(seed.calls.get() <= random.stripes(), "at most one instantiation per stripe: " + seed.calls.get());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Handshakes (TLS 1.3 and 1.2, ECDSA, RSA signatures and RSA key exchange, inline and offloaded)
     * never use the JVM's default SecureRandom, so no handshake waits on its JVM-wide lock: checked in
     * a child JVM whose default SecureRandom counts its callers.
     */
    @Test
    void handshakesNeverUseTheJvmDefaultSecureRandom() throws Exception {
        String output = runHandshakeSideEffects();
        assertTrue(output.contains("HANDSHAKES 60"), output);
        assertTrue(output.contains("DEFAULT-RANDOM-CALLS-DURING-HANDSHAKES 0"), output);
        assertFalse(output.contains("FIRST-CALLER"), output);
        System.out.println(output);
    }

    /** Runs {@link HandshakeSideEffectsMain} in a fresh JVM and returns its output. */
    static String runHandshakeSideEffects() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.config.file=" + Path.of("src", "test", "resources", "quiet-logging.properties"),
                "-cp", System.getProperty("java.class.path"), HandshakeSideEffectsMain.class.getName())
                .redirectErrorStream(true).start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        return output;
    }

    private static byte[] bytes(ContextRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
