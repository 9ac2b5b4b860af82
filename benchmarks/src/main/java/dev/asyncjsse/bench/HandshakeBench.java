package dev.asyncjsse.bench;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * TLS handshakes, one client and one server engine in memory: full ones, or with {@code resumed=true}
 * resumed ones. The server runs on the benchmark thread; the client on a thread of its own
 * ({@code threading=own}: each flight is handed over and the benchmark thread waits for the
 * answer, as a server meets its clients in production) or on the benchmark thread between the
 * server's steps ({@code threading=same}, the figure of earlier runs; the client's work then
 * evicts the server's caches between its steps, which makes every server's primitives slower than in
 * a tight loop).
 *
 * <p>The client is always SunJSSE (so only the server differs) with the cipher suite pinned
 * (TLS_AES_128_GCM_SHA256 for 1.3, ECDHE_{ECDSA,RSA}_WITH_AES_128_GCM_SHA256 for 1.2) and X25519 as
 * the key share ({@code jdk.tls.namedGroups}). A full handshake uses a fresh peer host/port and is
 * checked to be full: the client's trust manager must have validated the server's chain again, and
 * the server's session id (when it has one) must be new. A resumed handshake reconnects to the same
 * host/port with the session (TLS 1.3: the ticket) of the one before, and is checked to be resumed:
 * the client validated no chain. After each handshake the server writes one byte to the client
 * ({@link MemoryPair}), which carries the tickets of servers that send them lazily (BoringSSL). A
 * server that does not resume fails the trial at setup with a message saying so (AsyncJSSE until it
 * issues TLS 1.3 tickets).
 *
 * <p>Primary score: handshake pairs per second (client + server taking turns). Auxiliary counters,
 * per handshake:
 * <ul>
 * <li>{@code serverCpuUs}: server-side CPU. With {@code threading=same}: the CPU time of all Java
 *     threads during the handshake (benchmark thread, offload pool, job threads) minus the time spent
 *     in the client engine's calls and in creating the client engine, so the harness's own work on the
 *     benchmark thread counts as the server's. With {@code threading=own}: the benchmark thread's
 *     CPU inside the server engine's calls plus all Java threads other than the benchmark's and the
 *     client's (offload pool, job threads); the harness's hand-overs and checks are left out. JIT
 *     compiler and GC threads are not Java threads and are not counted in either.
 * <li>{@code loopCpuUs}: the CPU time the calling thread (an event loop) spent inside the server
 *     engine's calls: equal to {@code serverCpuUs} for synchronous engines, smaller when the work
 *     runs on job or offload threads.
 * <li>{@code processCpuUs}: the whole JVM's CPU time (both sides, JIT and GC included).
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Djdk.tls.namedGroups=x25519,secp256r1,secp384r1", "-Xms512m", "-Xmx512m"})
public class HandshakeBench {

    @Param({"SUNJSSE", "BCJSSE_JDK", "BCJSSE_BC", "ASYNC_SYNC", "ASYNC_OFFLOAD", "ASYNC_OFFLOAD_INLINE", "BORINGSSL"})
    public Impl impl;

    @Param({"TLSv1.3", "TLSv1.2"})
    public String protocol;

    @Param({"EC_P256", "RSA_2048"})
    public String key;

    @Param({"false"})
    public boolean resumed;

    /**
     * Where the SunJSSE client runs: {@code own} = on a thread of its own, handed each step while the
     * server's thread waits, as a server meets its clients in production; {@code same} = on the
     * benchmark thread between the server's steps (the figure of earlier runs), where the client's
     * work evicts the server's caches (Bouncy Castle's precomputed point tables among them) between
     * every two server steps. (Named to sort after the other parameters: JMH varies the last name
     * fastest, so the two placements of one server run back to back and share the machine's drift.)
     */
    @Param({"own", "same"})
    public String threading;

    private Impl.Engines servers;
    private boolean primed;
    private SSLContext clientContext;
    private CountingTrustManager clientTrust;
    private MemoryPair pair;
    private PeerThread clientSide;
    private String[] suites;
    private int port;
    private final Set<String> serverSessionIds = new HashSet<>();
    private static boolean clientWarmed;

    /** Counters reported per handshake. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        public double serverCpuUs;
        public double loopCpuUs;
        public double processCpuUs;
        long handshakes;
        long serverNanos;
        long loopNanos;
        long processStart;

        @Setup(Level.Iteration)
        public void reset() {
            handshakes = 0;
            serverNanos = 0;
            loopNanos = 0;
            loopCpuUs = 0;
            serverCpuUs = 0;
            processCpuUs = 0;
            processStart = processCpuNanos();
        }

        void add(long serverDelta, long loopDelta) {
            handshakes++;
            serverNanos += serverDelta;
            loopNanos += loopDelta;
            serverCpuUs = serverNanos / 1000.0 / handshakes;
            loopCpuUs = loopNanos / 1000.0 / handshakes;
            processCpuUs = (processCpuNanos() - processStart) / 1000.0 / handshakes;
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Impl.pinNamedGroups();
        var id = Impl.Pki.identity(key);
        servers = impl.server(protocol, id);
        clientTrust = new CountingTrustManager((X509ExtendedTrustManager) Impl.Pki.CA.trustManagers()[0]);
        clientContext = Impl.SUNJSSE.context("TLS", null, new TrustManager[] {clientTrust});
        clientContext.getClientSessionContext().setSessionCacheSize(1);
        if (protocol.equals("TLSv1.3")) {
            suites = new String[] {"TLS_AES_128_GCM_SHA256"};
        } else {
            suites = new String[] {key.startsWith("EC") ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"};
        }
        SSLEngine probe = clientContext.createSSLEngine();
        switch (threading) {
            case "own":
                clientSide = new PeerThread("bench-client");
                break;
            case "same":
                clientSide = null;
                break;
            default:
                throw new IllegalArgumentException("threading must be own or same, not " + threading);
        }
        pair = new MemoryPair(Math.max(probe.getSession().getPacketBufferSize(), 17 * 1024 + 512), 64 * 1024, clientSide);
        if (resumed) {
            // the full handshake whose session (ticket) every measured handshake resumes
            servers.release(handshakeOnce(new Cpu()));
            primed = true;
        }
        // Handshakes up front: fail the trial at once if this configuration cannot handshake, and warm
        // the JIT by count (about 1000 handshakes reach steady state; time-based warm-up on a busy
        // 2-core machine does far fewer).
        int prewarm = Integer.getInteger("bench.prewarm", 600);
        if (!clientWarmed) {
            // In a shared JVM (-f 0) the first trial would also pay for warming the SunJSSE client.
            clientWarmed = true;
            for (int i = 0; i < prewarm; i++) {
                handshake(new Cpu());
            }
        }
        Cpu scratch = new Cpu();
        for (int i = 0; i < Math.max(1, prewarm); i++) {
            handshake(scratch);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (clientSide != null) {
            clientSide.close();
        }
    }

    @Benchmark
    public SSLEngine handshake(Cpu cpu) throws SSLException {
        SSLEngine server = handshakeOnce(cpu);
        servers.release(server);
        return server;
    }

    private SSLEngine handshakeOnce(Cpu cpu) throws SSLException {
        if (!resumed) {
            port++;
        }
        long self = Thread.currentThread().getId();
        Map<Long, Long> threads0 = MemoryPair.threadCpuNanos();
        long clientBefore = pair.clientCpuNanos;
        SSLEngine client = pair.onClient(() -> {
            SSLEngine c = resumed ? clientContext.createSSLEngine("resume.bench", 443)
                    : clientContext.createSSLEngine("peer" + (port >>> 16) + ".bench", port & 0xffff);
            c.setUseClientMode(true);
            c.setEnabledProtocols(new String[] {protocol});
            c.setEnabledCipherSuites(suites);
            return c;
        });
        long before = pair.serverCpuNanos;
        long c0 = MemoryPair.THREADS.getCurrentThreadCpuTime();
        SSLEngine server = servers.create(null, 0);
        server.setUseClientMode(false);
        server.setEnabledProtocols(new String[] {protocol});
        pair.serverCpuNanos += MemoryPair.THREADS.getCurrentThreadCpuTime() - c0;
        long validated = clientTrust.count.get();
        pair.handshake(client, server);
        long chains = clientTrust.count.get() - validated;
        if (resumed && primed && chains != 0) {
            throw new IllegalStateException(impl + " did not resume the " + protocol + " session: the client validated the server's chain again");
        }
        if (!resumed && chains != 1) {
            throw new IllegalStateException("not a full handshake: the client did not validate the server's chain");
        }
        byte[] id = server.getSession().getId();
        if (!resumed && id != null && id.length > 0) {
            if (serverSessionIds.size() > 100_000) {
                serverSessionIds.clear();
            }
            if (!serverSessionIds.add(Base64.getEncoder().encodeToString(id))) {
                throw new IllegalStateException("server session id reused");
            }
        }
        if (!protocol.equals(server.getSession().getProtocol())) {
            throw new IllegalStateException("negotiated " + server.getSession().getProtocol());
        }
        long inServerCalls = pair.serverCpuNanos - before;
        if (clientSide == null) {
            long all = MemoryPair.cpuNanosSince(threads0, MemoryPair.threadCpuNanos(), -1, -1);
            cpu.add(all - (pair.clientCpuNanos - clientBefore), inServerCalls);
        } else {
            // the server's calls plus the threads that are neither the benchmark's nor the client's
            // (offload pool, job threads); the benchmark thread's waits for the client are the harness's
            long others = MemoryPair.cpuNanosSince(threads0, MemoryPair.threadCpuNanos(), self, clientSide.id());
            cpu.add(inServerCalls + others, inServerCalls);
        }
        return server;
    }

    /** Delegates to the PKIX trust manager and counts the server chains it validates. */
    static final class CountingTrustManager extends X509ExtendedTrustManager {
        final X509ExtendedTrustManager delegate;
        final AtomicLong count = new AtomicLong();

        CountingTrustManager(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            count.incrementAndGet();
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            count.incrementAndGet();
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            count.incrementAndGet();
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
