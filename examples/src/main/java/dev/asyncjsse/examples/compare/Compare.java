package dev.asyncjsse.examples.compare;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.examples.loop.ClassicLoopServer;
import dev.asyncjsse.examples.loop.OffloadAwareLoopServer;
import dev.asyncjsse.testkit.SlowKeys;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The {@code compare} mode: starts a one-thread selector-loop HTTPS server in process, drives N
 * concurrent clients through a fixed number of full handshakes, and prints handshakes per second and
 * the worst event-loop stall for
 * <ol>
 * <li>SunJSSE in a classic loop, its key taking the chosen latency on the loop thread;
 * <li>AsyncJSSE in the same classic loop, unchanged (the delegated task waits for the key);
 * <li>AsyncJSSE in the offload-aware loop (the minimal change), the key offloaded with the same latency.
 * </ol>
 *
 * <p>Run with {@code ./demo.sh compare [--offload-latency-ms 5] [--clients 32] [--handshakes 1000]}.
 */
public final class Compare {

    /** One measured row. */
    public static final class Result {
        public final String label;
        public final int handshakes;
        public final int errors;
        public final double seconds;
        public final double worstStallMs;

        Result(String label, int handshakes, int errors, double seconds, double worstStallMs) {
            this.label = label;
            this.handshakes = handshakes;
            this.errors = errors;
            this.seconds = seconds;
            this.worstStallMs = worstStallMs;
        }

        public double perSecond() {
            return handshakes / seconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-52s %6d handshakes in %6.2f s = %7.1f /s   worst loop stall %7.2f ms%s",
                    label, handshakes, seconds, perSecond(), worstStallMs, errors > 0 ? "   (" + errors + " errors)" : "");
        }
    }

    private final int latencyMs;
    private final int clients;
    private final int handshakes;
    private final PrintStream out;
    private final TestPki.Identity identity = TestPki.selfSigned(KeyKind.EC_P256, "localhost", "localhost", "127.0.0.1");
    private final SSLSocketFactory clientFactory;
    private final AtomicLong hostSeq = new AtomicLong();

    public Compare(int latencyMs, int clients, int handshakes, PrintStream out) throws Exception {
        this.latencyMs = latencyMs;
        this.clients = clients;
        this.handshakes = handshakes;
        this.out = out;
        SSLContext client = SSLContext.getInstance("TLS", "SunJSSE");
        client.init(null, TestPki.trustManagers(identity.certificate()), null);
        this.clientFactory = client.getSocketFactory();
    }

    public List<Result> run() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<Result> results = new ArrayList<>();
        out.printf(Locale.ROOT, "compare: %d clients, %d full handshakes each run, key operation +%d ms, TLSv1.3 ECDSA P-256, one loop thread%n",
                clients, handshakes, latencyMs);
        out.printf(Locale.ROOT, "         JDK %s, %d CPUs, load average %.1f%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        SSLContext sun = SSLContext.getInstance("TLS", "SunJSSE");
        sun.init(new javax.net.ssl.KeyManager[] {SlowKeys.slow((X509ExtendedKeyManager) TestPki.keyManagers(identity)[0], java.time.Duration.ofMillis(latencyMs))}, null, null);
        try (ClassicLoopServer s = new ClassicLoopServer(sun, any)) {
            results.add(measure("SunJSSE, classic loop (key on the loop thread)", s.port(), s.worstTurnNanos));
        }
        SSLContext async = asyncContext();
        try (ClassicLoopServer s = new ClassicLoopServer(async, any)) {
            results.add(measure("AsyncJSSE, same classic loop, unchanged", s.port(), s.worstTurnNanos));
        }
        try (OffloadAwareLoopServer s = new OffloadAwareLoopServer(async, any)) {
            results.add(measure("AsyncJSSE, offload-aware loop (minimal change)", s.port(), s.worstTurnNanos));
        }
        out.println();
        for (Result r : results) {
            out.println(r);
        }
        return results;
    }

    private SSLContext asyncContext() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        ctx.init(TestPki.keyManagers(identity), null, null);
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "compare-key-offload");
            t.setDaemon(true);
            return t;
        });
        AsyncJsse.setKeyOffloader(ctx, KeyOffloaders.withLatency(KeyOffloaders.executor(pool), Duration.ofMillis(latencyMs)));
        return ctx;
    }

    private Result measure(String label, int port, AtomicLong worstTurnNanos) throws Exception {
        drive(label + " (warm-up)", port, Math.min(handshakes, Math.max(20, handshakes / 10)), () -> 0);
        worstTurnNanos.set(0);
        long start = System.nanoTime();
        int[] counts = drive(label, port, handshakes, worstTurnNanos::get);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(label, counts[0], counts[1], seconds, worstTurnNanos.get() / 1e6);
    }

    /** Runs {@code total} handshakes with {@code clients} threads; returns {done, errors}. */
    private int[] drive(String label, int port, int total, LongSupplier stall) throws Exception {
        AtomicInteger remaining = new AtomicInteger(total);
        AtomicInteger done = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            futures.add(threads.submit(() -> {
                while (remaining.getAndDecrement() > 0) {
                    try {
                        oneRequest(port);
                        done.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        long start = System.nanoTime();
        threads.shutdown();
        while (!threads.awaitTermination(250, TimeUnit.MILLISECONDS)) {
            progress(label, done.get(), total, start, stall.getAsLong());
        }
        progress(label, done.get(), total, start, stall.getAsLong());
        out.println();
        for (Future<?> f : futures) {
            f.get();
        }
        return new int[] {done.get(), errors.get()};
    }

    private void progress(String label, int done, int total, long start, long stallNanos) {
        double s = (System.nanoTime() - start) / 1e9;
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        out.printf(Locale.ROOT, "\r  %-60s [%s%s] %5d/%d %7.1f /s  stall %6.2f ms", label, "#".repeat(filled),
                " ".repeat(width - filled), done, total, s > 0 ? done / s : 0.0, stallNanos / 1e6);
        out.flush();
    }

    /** One connection, one full handshake (a fresh host name defeats client session resumption), one request. */
    private void oneRequest(int port) throws Exception {
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), port)) {
            raw.setSoTimeout(30_000);
            String host = "hs" + hostSeq.incrementAndGet() + ".invalid";
            try (SSLSocket s = (SSLSocket) clientFactory.createSocket(raw, host, port, true)) {
                s.setEnabledProtocols(new String[] {"TLSv1.3"});
                s.startHandshake();
                OutputStream o = s.getOutputStream();
                o.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[512];
                int n;
                int got = 0;
                while ((n = in.read(buf)) > 0) {
                    got += n;
                }
                if (got == 0) {
                    throw new java.io.EOFException("no response");
                }
            }
        }
    }
}
