package dev.asyncjsse.bench;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;

/**
 * Memory held by parked handshakes: N TLS 1.3 server handshakes (ECDSA P-256) each parked on a key
 * operation that has not completed (an offloader whose stages complete only at the end). Reports the
 * heap growth per parked handshake after GC, the live thread count and the process RSS, then
 * completes every operation and counts the handshakes that reach the server Finished flight.
 * The server engine is the one {@code -Ddev.asyncjsse.tls13=bc|native} selects (checked, and named
 * in the output). Usage: {@code ParkedMemory [--count N]} (default 10000).
 */
public final class ParkedMemory {

    public static void main(String[] args) throws Exception {
        int count = 10_000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--count")) {
                count = Integer.parseInt(args[++i]);
            }
        }
        Impl.pinNamedGroups();
        EngineCheck.requireRequested();
        String engine = EngineCheck.served().name().toLowerCase(Locale.ROOT);
        ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
        KeyOffloader real = KeyOffloaders.executor(Executors.newFixedThreadPool(2, LoadHarness.daemon("key-ops")));
        KeyOffloader held = new KeyOffloader() {
            @Override
            public CompletionStage<byte[]> sign(PrivateKey key, String alg, AlgorithmParameterSpec params, byte[] message) {
                CompletableFuture<byte[]> f = new CompletableFuture<>();
                completions.add(() -> real.sign(key, alg, params, message).whenComplete((r, e) -> {
                    if (e != null) {
                        f.completeExceptionally(e);
                    } else {
                        f.complete(r);
                    }
                }));
                return f;
            }

            @Override
            public CompletionStage<byte[]> decrypt(PrivateKey key, String transformation, byte[] ciphertext) {
                return real.decrypt(key, transformation, ciphertext);
            }
        };
        SSLContext server = SSLContext.getInstance("TLSv1.3", new dev.asyncjsse.AsyncJsseProvider());
        server.init(dev.asyncjsse.testkit.TestPki.keyManagers(Impl.Pki.EC), null, new java.security.SecureRandom());
        AsyncJsse.setKeyOffloader(server, held);
        AsyncJsse.setOffloadTimeout(server, Duration.ofMinutes(10));
        SSLContext client = Impl.SUNJSSE.context("TLS", null, Impl.Pki.CA.trustManagers());

        // Client side first: N ClientHellos, ready to feed.
        List<SSLEngine> clients = new ArrayList<>(count);
        List<ByteBuffer> hellos = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SSLEngine c = client.createSSLEngine("p" + i + ".bench", i);
            c.setUseClientMode(true);
            c.setEnabledProtocols(new String[] {"TLSv1.3"});
            ByteBuffer out = ByteBuffer.allocate(c.getSession().getPacketBufferSize());
            c.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            clients.add(c);
            hellos.add(out);
        }
        long heap0 = usedHeapAfterGc();
        int threads0 = ManagementFactory.getThreadMXBean().getThreadCount();
        long rss0 = rssKiB();
        List<SSLEngine> servers = new ArrayList<>(count);
        int parked = 0;
        int eagain = 0;
        int other = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            SSLEngine s = server.createSSLEngine();
            s.setUseClientMode(false);
            ByteBuffer app = ByteBuffer.allocate(s.getSession().getApplicationBufferSize());
            SSLEngineResult r = s.unwrap(hellos.get(i), app);
            AsyncSSLEngine a = (AsyncSSLEngine) s;
            if (AsyncSSLEngine.isOffloadPending(r) || a.isOffloadPending()) {
                if (a.getAsyncStatus() == AsyncStatus.EAGAIN) {
                    eagain++;
                } else {
                    parked++;
                }
            } else {
                other++;
            }
            servers.add(s);
        }
        double parkMs = (System.nanoTime() - t0) / 1e6;
        Thread.sleep(500);
        long heap1 = usedHeapAfterGc();
        int threads1 = ManagementFactory.getThreadMXBean().getThreadCount();
        long rss1 = rssKiB();
        System.out.printf(Locale.ROOT, "java %s, TLS 1.3 server engine %s: %d server handshakes started in %.0f ms: %d parked, %d EAGAIN, %d not pending%n",
                System.getProperty("java.version"), engine, count, parkMs, parked, eagain, other);
        System.out.printf(Locale.ROOT, "heap +%.1f MiB = %.1f KiB per started handshake; threads %d -> %d; RSS +%.1f MiB = %.1f KiB per started handshake%n",
                (heap1 - heap0) / 1048576.0, (heap1 - heap0) / 1024.0 / count, threads0, threads1,
                (rss1 - rss0) / 1024.0, (rss1 - rss0) / (double) count);
        if (parked > 0) {
            System.out.printf(Locale.ROOT, "per parked handshake (all growth charged to the %d parked): heap %.1f KiB, RSS %.1f KiB%n",
                    parked, (heap1 - heap0) / 1024.0 / parked, (rss1 - rss0) / (double) parked);
        }
        // Complete every held operation and finish the server flights.
        Runnable r;
        int released = 0;
        while ((r = completions.poll()) != null) {
            r.run();
            released++;
        }
        int finished = 0;
        long deadline = System.currentTimeMillis() + 120_000;
        boolean[] done = new boolean[count];
        while (finished < count && System.currentTimeMillis() < deadline) {
            while ((r = completions.poll()) != null) {
                r.run();
                released++;
            }
            boolean progress = false;
            for (int i = 0; i < count; i++) {
                if (done[i]) {
                    continue;
                }
                AsyncSSLEngine s = (AsyncSSLEngine) servers.get(i);
                if (s.isOffloadPending()) {
                    if (s.getAsyncStatus() != AsyncStatus.EAGAIN) {
                        continue;
                    }
                    // EAGAIN: retry the step (a loop would do this on the callback).
                    s.unwrap(ByteBuffer.allocate(0), ByteBuffer.allocate(s.getSession().getApplicationBufferSize()));
                    continue;
                }
                ByteBuffer out = ByteBuffer.allocate(s.getSession().getPacketBufferSize() * 4);
                SSLEngineResult w = s.wrap(ByteBuffer.allocate(0), out);
                if (AsyncSSLEngine.isOffloadPending(w)) {
                    continue;
                }
                if (out.position() > 0 || s.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
                    done[i] = true;
                    finished++;
                    progress = true;
                }
            }
            if (!progress) {
                Thread.sleep(10);
            }
        }
        System.out.printf(Locale.ROOT, "released %d operations; %d of %d servers produced their flight%n", released, finished, count);
        System.exit(0);
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return 0;
    }
}
