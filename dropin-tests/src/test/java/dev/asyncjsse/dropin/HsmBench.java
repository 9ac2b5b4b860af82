package dev.asyncjsse.dropin;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloaders;
import java.lang.management.ManagementFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Measures one PKCS#11 token as AsyncJSSE uses it: the latency of one signature on one thread and on
 * several threads at once, and the full TLS 1.3 handshakes per second of a Netty server (one event
 * loop) whose signatures go to the token on a pool of offloader threads, against concurrent SunJSSE
 * clients on the same machine.
 * Each phase also reports this JVM's CPU time per operation, which a busy machine distorts less than
 * wall-clock rates, and the last line counts every operation that reached the token, so that the
 * script can divide the token process's CPU time by it. Run by
 * {@code dropin-tests/scripts/hsm-bench.sh} against the in-process token and the same token over
 * p11-kit's socket. Not a test.
 *
 * <p>Usage: {@code HsmBench <sunpkcs11.cfg> <alias> <seconds> <clients> <offloader threads> <signing threads>}
 */
final class HsmBench {

    private static final int HANDSHAKE_WARM_UP_SECONDS = 15;

    private HsmBench() {}

    public static void main(String[] args) throws Exception {
        String cfg = args[0];
        String alias = args[1];
        int seconds = Integer.parseInt(args[2]);
        int clients = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        int signers = Integer.parseInt(args[5]);
        Provider token = Security.getProvider("SunPKCS11").configure(cfg);
        Security.addProvider(token);
        KeyStore store = KeyStore.getInstance("PKCS11", token);
        store.load(null, SoftHsm.PIN.toCharArray());
        PrivateKey key = (PrivateKey) store.getKey(alias, SoftHsm.PIN.toCharArray());
        X509Certificate cert = (X509Certificate) store.getCertificate(alias);
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        System.out.println("token: " + token.getName() + " (" + cfg + "), key " + alias + " " + key.getAlgorithm());

        long signatures = signLatency(token, key, algorithm, seconds, 1)
                + signLatency(token, key, algorithm, seconds, signers);
        long handshakeOperations = handshakes(store, cert, alias, seconds, clients, threads);
        System.out.println("token operations: " + (signatures + handshakeOperations));
    }

    /** CPU time of every thread of this JVM so far, in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * {@code threads} threads signing a 32-byte message over and over, each on its own
     * {@link Signature}: per-signature latency as the token serves that many callers at once.
     *
     * @return the signatures made, warm-up included
     */
    private static long signLatency(Provider token, PrivateKey key, String algorithm, int seconds, int threads)
            throws Exception {
        AtomicLong warmUps = new AtomicLong();
        // the measured window starts when every thread has warmed up, and ends when every one is done
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier stop = new CyclicBarrier(threads + 1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<long[]>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            results.add(pool.submit(() -> {
                try {
                    byte[] message = new byte[32];
                    long warmUpEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (System.nanoTime() < warmUpEnd) {
                        sign(token, key, algorithm, message);
                        warmUps.incrementAndGet();
                    }
                    long[] own = new long[(1 << 20) / threads];
                    int n = 0;
                    start.await();
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                    while (System.nanoTime() < end && n < own.length) {
                        long t0 = System.nanoTime();
                        sign(token, key, algorithm, message);
                        own[n++] = System.nanoTime() - t0;
                    }
                    stop.await();
                    return Arrays.copyOf(own, n);
                } catch (Exception e) {
                    start.reset();   // wakes the main thread and the other signers
                    stop.reset();
                    throw e;
                }
            }));
        }
        pool.shutdown();
        long cpu;
        double elapsed;
        try {
            start.await();
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            stop.await();
            cpu = processCpuNanos() - cpu0;
            elapsed = (System.nanoTime() - t0) / 1e9;
        } catch (BrokenBarrierException e) {
            pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
            for (Future<long[]> f : results) {
                f.get();   // throws the signer's failure
            }
            throw e;
        }
        long[] s = new long[0];
        for (Future<long[]> f : results) {
            long[] own = f.get();
            int at = s.length;
            s = Arrays.copyOf(s, at + own.length);
            System.arraycopy(own, 0, s, at, own.length);
        }
        int n = s.length;
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "sign %s, %d thread%s: %d signatures, p50 %.0f us, p99 %.0f us, max %.0f us, %.0f/s;"
                        + " JVM CPU %.0f us per signature%n",
                algorithm, threads, threads == 1 ? "" : "s", n, s[n / 2] / 1e3, s[(int) (n * 0.99)] / 1e3, s[n - 1] / 1e3,
                n / elapsed, cpu / 1e3 / n);
        return warmUps.get() + n;
    }

    private static void sign(Provider token, PrivateKey key, String algorithm, byte[] message) throws Exception {
        Signature signature = Signature.getInstance(algorithm, token);
        signature.initSign(key);
        signature.update(message);
        signature.sign();
    }

    /**
     * Concurrent clients doing full TLS 1.3 handshakes against a Netty server signing on the token.
     *
     * @return the key operations the server started, warm-up included
     */
    private static long handshakes(KeyStore store, X509Certificate cert, String alias, int seconds, int clients, int threads)
            throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(store, SoftHsm.PIN.toCharArray());
        KeyManager km = new OneAliasKeyManager((X509ExtendedKeyManager) kmf.getKeyManagers()[0], alias);
        SSLContext server = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        server.init(new KeyManager[] {km}, null, null);
        AtomicInteger n = new AtomicInteger();
        ExecutorService offload = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "hsm-bench-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AsyncJsse.setKeyOffloader(server, KeyOffloaders.executor(offload));
        AsyncJsse.setMonitoringName(server, "hsm-bench");
        ExecutorService delegated = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "delegated");
            t.setDaemon(true);
            return t;
        });
        SSLContext client = Support.sunClientContext(cert);
        try (NettyHttpsServer netty = new NettyHttpsServer(server, delegated)) {
            // Until the JIT has compiled both TLS stacks, compilation costs more CPU than the handshakes.
            runClients(client, netty.port(), clients, HANDSHAKE_WARM_UP_SECONDS);
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            long done = runClients(client, netty.port(), clients, seconds);
            long cpu = processCpuNanos() - cpu0;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            ObjectName mbean = new ObjectName("dev.asyncjsse:type=Offload,name=hsm-bench");
            Object p50 = ManagementFactory.getPlatformMBeanServer().getAttribute(mbean, "KeyOperationLatencyP50Micros");
            Object p99 = ManagementFactory.getPlatformMBeanServer().getAttribute(mbean, "KeyOperationLatencyP99Micros");
            System.out.printf(Locale.ROOT, "handshakes, %d clients, %d offloader threads: %d in %.1f s = %.0f/s; key operation p50 %s us,"
                            + " p99 %s us (MBean); JVM CPU %.0f us per handshake (server and clients)%n",
                    clients, threads, done, elapsed, done / elapsed, p50, p99, cpu / 1e3 / Math.max(1, done));
            long started = 0;
            for (String outcome : new String[] {"KeyOperationsOk", "KeyOperationsFailed", "KeyOperationsTimedOut", "KeyOperationsCancelled"}) {
                started += ((Number) ManagementFactory.getPlatformMBeanServer().getAttribute(mbean, outcome)).longValue();
            }
            return started;
        } finally {
            offload.shutdownNow();
            delegated.shutdownNow();
        }
    }

    private static long runClients(SSLContext client, int port, int clients, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int i = 0; i < clients; i++) {
                pool.execute(() -> {
                    while (System.nanoTime() < end) {
                        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("localhost", port)) {
                            s.setEnabledProtocols(new String[] {"TLSv1.3"});
                            s.startHandshake();
                            // full handshakes are measured: the session's ticket must not resume the next one
                            s.getSession().invalidate();
                            done.incrementAndGet();
                        } catch (Exception e) {
                            System.err.println("handshake failed: " + e);
                        }
                    }
                });
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
        }
        return done.get();
    }
}
