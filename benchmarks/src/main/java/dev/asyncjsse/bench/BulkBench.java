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
 * unwraps it, both of the implementation under test, TLS 1.3 with one pinned cipher suite (BoringSSL
 * cannot be pinned: its trials for the suites it does not choose fail at setup, saying so). The
 * auxiliary counters: {@code mbPerS}, the plaintext rate in MB/s (10^6 bytes) of wrap+unwrap, and
 * {@code mbPerCpuS}, the same per second of the thread's CPU time.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Djdk.tls.namedGroups=x25519,secp256r1,secp384r1", "-Xms512m", "-Xmx512m"})
public class BulkBench {

    static final int SIZE = 16 * 1024;

    @Param({"SUNJSSE", "BCJSSE_JDK", "BCJSSE_BC", "ASYNC_SYNC", "BORINGSSL"})
    public Impl impl;

    @Param({"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"})
    public String suite;

    private SSLEngine client;
    private SSLEngine server;
    private ByteBuffer plain;
    private ByteBuffer wire;
    private ByteBuffer received;

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

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Impl.pinNamedGroups();
        var id = Impl.Pki.EC;
        client = impl.client("TLSv1.3").create("bulk.bench", 1);
        client.setUseClientMode(true);
        client.setEnabledProtocols(new String[] {"TLSv1.3"});
        if (impl != Impl.BORINGSSL) {
            client.setEnabledCipherSuites(new String[] {suite});
        }
        server = impl.server("TLSv1.3", id).create(null, 0);
        server.setUseClientMode(false);
        new MemoryPair(Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize()), 64 * 1024)
                .handshake(client, server);
        if (!suite.equals(server.getSession().getCipherSuite()) || !suite.equals(client.getSession().getCipherSuite())) {
            // BoringSSL offers no way to limit its TLS 1.3 suites: it negotiates AES-128-GCM on CPUs with AES instructions
            throw new IllegalStateException(impl + " negotiated " + server.getSession().getCipherSuite() + ", not " + suite
                    + (impl == Impl.BORINGSSL ? " (BoringSSL chooses its TLS 1.3 suite itself)" : ""));
        }
        byte[] data = new byte[SIZE];
        ThreadLocalRandom.current().nextBytes(data);
        plain = ByteBuffer.allocate(SIZE);
        plain.put(data).flip();
        wire = ByteBuffer.allocate(Math.max(client.getSession().getPacketBufferSize(), SIZE + 1024) * 2);
        received = ByteBuffer.allocate(Math.max(server.getSession().getApplicationBufferSize(), SIZE) * 2);
        // Flush post-handshake messages (tickets) and check the data round-trips.
        wrapUnwrap(new Bytes(), new CpuRate());
        received.flip();
        byte[] back = new byte[received.remaining()];
        received.get(back);
        if (!java.util.Arrays.equals(back, data)) {
            throw new IllegalStateException("data corrupted: " + back.length + " bytes");
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
