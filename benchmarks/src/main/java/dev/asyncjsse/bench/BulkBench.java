package dev.asyncjsse.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
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

/**
 * Bulk application data: the client engine wraps 16 KiB (one full record) and the server engine
 * unwraps it, both of the implementation under test, TLS 1.3 with one pinned cipher suite (BoringSSL's
 * AES-256-GCM and ChaCha20-Poly1305 trials run over TLS 1.2: see {@link #setup}). The
 * auxiliary counters: {@code mbPerS}, the plaintext rate in MB/s (10^6 bytes) of wrap+unwrap, and
 * {@code mbPerCpuS}, the same per second of the thread's CPU time.
 *
 * <p>{@link #serverSide} isolates the server's record layer, for engines whose client side is another
 * implementation (AsyncJSSE's client mode is BCJSSE's): the client wraps {@link #BATCH} records that the
 * server unwraps, then the server wraps {@link #BATCH} records that the client unwraps, and only the
 * server's calls are timed, in thread CPU, once per batch. Its counter {@code serverMbPerCpuS} is the
 * plaintext the server sealed and opened per second of its CPU time.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Djdk.tls.namedGroups=x25519,secp256r1,secp384r1", "-Xms512m", "-Xmx512m"})
public class BulkBench {

    static final int SIZE = 16 * 1024;
    /** Records per direction between two CPU-time readings in {@link #serverSide}. */
    static final int BATCH = 8;

    /** The TLS 1.2 suite with the same AEAD as a TLS 1.3 suite. */
    private static final java.util.Map<String, String> TLS12_EQUIVALENT = java.util.Map.of(
            "TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

    @Param({"SUNJSSE", "BCJSSE_JDK", "BCJSSE_BC", "ASYNC_SYNC", "BORINGSSL"})
    public Impl impl;

    @Param({"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"})
    public String suite;

    private SSLEngine client;
    private SSLEngine server;
    private ByteBuffer plain;
    private ByteBuffer wire;
    private ByteBuffer received;
    private ByteBuffer plainBatch;
    private ByteBuffer wireBatch;
    private ByteBuffer receivedBatch;

    /** Plaintext megabytes moved, normalised to time by JMH: MB/s of wall time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public double mbPerS;

        @Setup(Level.Iteration)
        public void reset() {
            mbPerS = 0;
        }
    }

    /**
     * Megabytes per second of the benchmark thread's CPU time: robust against other processes taking
     * the CPU on a busy machine, where wall-clock MB/s mostly measures the scheduler.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuRate {
        public double mbPerCpuS;
        long start;
        long ops;

        @Setup(Level.Iteration)
        public void reset() {
            mbPerCpuS = 0;
            ops = 0;
            start = MemoryPair.THREADS.getCurrentThreadCpuTime();
        }

        void add() {
            ops++;
            if ((ops & 15) == 0) {
                long cpu = MemoryPair.THREADS.getCurrentThreadCpuTime() - start;
                mbPerCpuS = ops * (SIZE / 1e6) / (cpu / 1e9);
            }
        }
    }

    /** Megabytes the server sealed and opened per second of the CPU time spent in its calls. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class ServerCpuRate {
        public double serverMbPerCpuS;
        long serverNanos;
        long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            serverMbPerCpuS = 0;
            serverNanos = 0;
            bytes = 0;
        }

        void add(long nanos, long n) {
            serverNanos += nanos;
            bytes += n;
            serverMbPerCpuS = bytes / 1e6 / (serverNanos / 1e9);
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Impl.pinNamedGroups();
        var id = Impl.Pki.EC;
        // BoringSSL cannot be limited to one TLS 1.3 suite (it picks AES-128-GCM on CPUs with AES
        // instructions): its other trials run the TLS 1.2 ECDHE-ECDSA suite with the same AEAD, whose
        // records differ only in nonce construction and the inner content type byte
        String negotiate = impl == Impl.BORINGSSL && !suite.equals("TLS_AES_128_GCM_SHA256") ? TLS12_EQUIVALENT.get(suite) : suite;
        String protocol = negotiate.startsWith("TLS_ECDHE") ? "TLSv1.2" : "TLSv1.3";
        client = impl.client(protocol).create("bulk.bench", 1);
        client.setUseClientMode(true);
        client.setEnabledProtocols(new String[] {protocol});
        client.setEnabledCipherSuites(new String[] {negotiate});
        server = impl.server(protocol, id).create(null, 0);
        server.setUseClientMode(false);
        // Netty's default server suites leave out ChaCha20-Poly1305 for TLS 1.2
        server.setEnabledCipherSuites(new String[] {negotiate});
        new MemoryPair(Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize()), 64 * 1024)
                .handshake(client, server);
        if (!negotiate.equals(server.getSession().getCipherSuite()) || !negotiate.equals(client.getSession().getCipherSuite())) {
            throw new IllegalStateException(impl + " negotiated " + server.getSession().getCipherSuite() + ", not " + negotiate);
        }
        byte[] data = new byte[SIZE];
        ThreadLocalRandom.current().nextBytes(data);
        plain = ByteBuffer.allocate(SIZE);
        plain.put(data).flip();
        wire = ByteBuffer.allocate(Math.max(client.getSession().getPacketBufferSize(), SIZE + 1024) * 2);
        received = ByteBuffer.allocate(Math.max(server.getSession().getApplicationBufferSize(), SIZE) * 2);
        plainBatch = ByteBuffer.allocate(SIZE * BATCH);
        for (int i = 0; i < BATCH; i++) {
            plainBatch.put(data);
        }
        plainBatch.flip();
        wireBatch = ByteBuffer.allocate(Math.max(client.getSession().getPacketBufferSize(), SIZE + 1024) * (BATCH + 1));
        receivedBatch = ByteBuffer.allocate(Math.max(server.getSession().getApplicationBufferSize(), SIZE) * (BATCH + 1));
        // Flush post-handshake messages (tickets) and check the data round-trips.
        wrapUnwrap(new Bytes(), new CpuRate());
        received.flip();
        byte[] back = new byte[received.remaining()];
        received.get(back);
        if (!java.util.Arrays.equals(back, data)) {
            throw new IllegalStateException("data corrupted: " + back.length + " bytes");
        }
        serverSide(new ServerCpuRate());
        receivedBatch.flip();
        if (!receivedBatch.equals(plainBatch.rewind())) {
            throw new IllegalStateException("server-side batch corrupted: " + receivedBatch.remaining() + " bytes back");
        }
    }

    @Benchmark
    public int serverSide(ServerCpuRate cpu) throws SSLException {
        plainBatch.rewind();
        wireBatch.clear();
        while (plainBatch.hasRemaining()) {
            check(client.wrap(plainBatch, wireBatch), "client wrap");
        }
        wireBatch.flip();
        receivedBatch.clear();
        long c0 = MemoryPair.THREADS.getCurrentThreadCpuTime();
        while (wireBatch.hasRemaining()) {
            check(server.unwrap(wireBatch, receivedBatch), "server unwrap");
        }
        long opened = receivedBatch.position();
        plainBatch.rewind();
        wireBatch.clear();
        while (plainBatch.hasRemaining()) {
            check(server.wrap(plainBatch, wireBatch), "server wrap");
        }
        long c1 = MemoryPair.THREADS.getCurrentThreadCpuTime();
        wireBatch.flip();
        receivedBatch.clear();
        while (wireBatch.hasRemaining()) {
            check(client.unwrap(wireBatch, receivedBatch), "client unwrap");
        }
        if (opened != (long) SIZE * BATCH || receivedBatch.position() != SIZE * BATCH) {
            throw new SSLException("server opened " + opened + ", client received " + receivedBatch.position());
        }
        cpu.add(c1 - c0, 2L * SIZE * BATCH);
        return receivedBatch.position();
    }

    private static void check(SSLEngineResult r, String what) throws SSLException {
        if (r.getStatus() != SSLEngineResult.Status.OK) {
            throw new SSLException(what + ": " + r);
        }
    }

    @Benchmark
    public int wrapUnwrap(Bytes bytes, CpuRate cpu) throws SSLException {
        plain.rewind();
        wire.clear();
        received.clear();
        while (plain.hasRemaining()) {
            SSLEngineResult r = client.wrap(plain, wire);
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                throw new SSLException("wrap: " + r);
            }
        }
        wire.flip();
        while (wire.hasRemaining()) {
            SSLEngineResult r = server.unwrap(wire, received);
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                throw new SSLException("unwrap: " + r);
            }
        }
        if (received.position() != SIZE) {
            throw new SSLException("received " + received.position());
        }
        bytes.mbPerS += SIZE / 1e6;
        cpu.add();
        return received.position();
    }
}
