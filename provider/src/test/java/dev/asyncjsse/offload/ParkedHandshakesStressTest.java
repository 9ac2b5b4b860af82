package dev.asyncjsse.offload;

import static dev.asyncjsse.offload.OffloadTestSupport.PKI;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Stress: many handshakes parked at the same time on a 50 ms key offloader (target: 10,000 on JDK 25
 * with virtual-thread jobs). Runs only with {@code -Dasyncjsse.stress=true}; the count comes from
 * {@code -Dasyncjsse.stress.count} (default 10000).
 *
 * <p>All key operations are held until every handshake is parked, so they really are parked at once;
 * then each completes 50 ms after release and one driver thread finishes every handshake from the
 * callback queue.
 */
@EnabledIfSystemProperty(named = "asyncjsse.stress", matches = "true")
class ParkedHandshakesStressTest {

    static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    static final class Pair {
        final SSLEngine client;
        final AsyncSSLEngine server;
        ByteBuffer toServer = EMPTY;
        ByteBuffer toClient = EMPTY;
        boolean done;

        Pair(SSLEngine client, AsyncSSLEngine server) {
            this.client = client;
            this.server = server;
        }
    }

    private final ByteBuffer scratch = ByteBuffer.allocate(1 << 17);
    private final ByteBuffer app = ByteBuffer.allocate(1 << 17);

    @Test
    void tenThousandParkedHandshakes() throws Exception {
        assumeTrue(JobScheduler.shared().usesVirtualThreads(), "needs virtual-thread jobs (JDK 24+)");
        int n = Integer.getInteger("asyncjsse.stress.count", 10_000);
        TestPki.Identity id = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");
        ExecutorService signers = Executors.newFixedThreadPool(2);
        KeyOffloader slow = KeyOffloaders.withLatency(KeyOffloaders.executor(signers), Duration.ofMillis(50));
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicInteger requested = new AtomicInteger();
        KeyOffloader gated = new KeyOffloader() {
            @Override
            public CompletionStage<byte[]> sign(PrivateKey key, String alg, AlgorithmParameterSpec params, byte[] message) {
                requested.incrementAndGet();
                return gate.thenCompose(v -> slow.sign(key, alg, params, message));
            }

            @Override
            public CompletionStage<byte[]> decrypt(PrivateKey key, String transformation, byte[] ciphertext) {
                return gate.thenCompose(v -> slow.decrypt(key, transformation, ciphertext));
            }
        };
        SSLContext serverCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(id), null, gated);
        // operations are held until all handshakes are parked: allow for that
        dev.asyncjsse.AsyncJsse.setOffloadTimeout(serverCtx, Duration.ofMinutes(20));
        SSLContext clientCtx = OffloadTestSupport.sunContext(null, PKI.trustManagers());
        LinkedBlockingQueue<Pair> ready = new LinkedBlockingQueue<>();

        System.gc();
        long heapBefore = usedHeap();
        int osThreadsBefore = osThreads();
        long t0 = System.nanoTime();
        List<Pair> pairs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SSLEngine c = clientCtx.createSSLEngine();
            c.setUseClientMode(true);
            c.setEnabledProtocols(new String[] {"TLSv1.3"});
            AsyncSSLEngine s = (AsyncSSLEngine) serverCtx.createSSLEngine();
            s.setUseClientMode(false);
            Pair p = new Pair(c, s);
            s.setOffloadCallback((engine, arg) -> ready.add((Pair) arg), p);
            c.beginHandshake();
            s.beginHandshake();
            pairs.add(p);
            advance(p);
        }
        // wait until every server job waits for its key operation
        long deadline = System.currentTimeMillis() + 600_000;
        while (requested.get() < n && System.currentTimeMillis() < deadline) {
            Pair p = ready.poll(10, TimeUnit.MILLISECONDS);
            if (p != null) {
                advance(p);
            }
        }
        int parked = 0;
        for (Pair p : pairs) {
            if (p.server.isOffloadPending()) {
                parked++;
            }
        }
        long parkMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.gc();
        long heapParked = usedHeap();
        int osThreadsParked = osThreads();
        int jobs = JobScheduler.shared().activeJobs();

        long t1 = System.nanoTime();
        gate.complete(null);
        int done = 0;
        int failures = 0;
        String firstFailure = null;
        deadline = System.currentTimeMillis() + 600_000;
        while (done + failures < n && System.currentTimeMillis() < deadline) {
            Pair p = ready.poll(100, TimeUnit.MILLISECONDS);
            if (p == null || p.done) {
                continue;
            }
            try {
                advance(p);
                if (p.done) {
                    done++;
                }
            } catch (SSLException e) {
                p.done = true;
                failures++;
                if (firstFailure == null) {
                    firstFailure = e.toString();
                }
            }
        }
        long finishMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        signers.shutdownNow();
        String report = String.format("STRESS %s: %d handshakes, %d parked at once (%d jobs), parked in %d ms;"
                        + " heap %.1f MiB -> %.1f MiB (%.1f KiB per handshake, both in-memory peers included);"
                        + " OS threads %d -> %d; after release: %d completed, %d failed in %d ms%s",
                Runtime.version(), n, parked, jobs, parkMs, heapBefore / 1048576.0, heapParked / 1048576.0,
                (heapParked - heapBefore) / 1024.0 / n, osThreadsBefore, osThreadsParked, done, failures, finishMs,
                firstFailure != null ? "; first failure: " + firstFailure : "");
        System.out.println(report);
        Files.writeString(Path.of("target", "stress-parked-handshakes.txt"), report + System.lineSeparator());
        assertEquals(n, parked, "parked at once");
        assertEquals(0, failures, firstFailure);
        assertEquals(n, done);
    }

    /** Moves a pair's handshake as far as it goes without waiting. */
    private void advance(Pair p) throws SSLException {
        for (int i = 0; i < 200; i++) {
            boolean progress = side(p, true) | side(p, false);
            if (done(p.client) && done(p.server) && !p.toServer.hasRemaining() && !p.toClient.hasRemaining()) {
                p.done = true;
                return;
            }
            if (!progress) {
                return;
            }
        }
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus hs = e.getHandshakeStatus();
        return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
    }

    private boolean side(Pair p, boolean client) throws SSLException {
        SSLEngine e = client ? p.client : p.server;
        if (!client && p.server.isOffloadPending()) {
            return false;
        }
        HandshakeStatus hs = e.getHandshakeStatus();
        if (hs == HandshakeStatus.NEED_TASK) {
            Runnable t;
            boolean ran = false;
            while ((t = e.getDelegatedTask()) != null) {
                t.run();
                ran = true;
            }
            return ran;
        }
        if (hs == HandshakeStatus.NEED_WRAP) {
            scratch.clear();
            SSLEngineResult r = e.wrap(EMPTY, scratch);
            scratch.flip();
            if (scratch.hasRemaining()) {
                if (client) {
                    p.toServer = append(p.toServer, scratch);
                } else {
                    p.toClient = append(p.toClient, scratch);
                }
            }
            return r.bytesProduced() > 0 || !AsyncSSLEngine.isOffloadPending(r) && r.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
        }
        if (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
            ByteBuffer in = client ? p.toClient : p.toServer;
            if (!in.hasRemaining()) {
                return false;
            }
            app.clear();
            SSLEngineResult r = e.unwrap(in, app);
            return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
        }
        return false;
    }

    private static ByteBuffer append(ByteBuffer existing, ByteBuffer more) {
        ByteBuffer b = ByteBuffer.allocate(existing.remaining() + more.remaining());
        b.put(existing.duplicate()).put(more).flip();
        return b;
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static int osThreads() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return Thread.activeCount();
    }
}
