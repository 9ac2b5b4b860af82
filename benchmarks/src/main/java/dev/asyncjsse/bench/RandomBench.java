package dev.asyncjsse.bench;

import dev.asyncjsse.jca.ContextRandom;
import java.security.DrbgParameters;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
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
 * What a handshake thread pays for 32 random bytes (a TLS random, a key share's private key) when
 * many threads draw at once, per source:
 * <ul>
 * <li>{@code NATIVE}: one {@code new SecureRandom()} shared by all threads: the JDK's NativePRNG on
 *     Linux, which every instance serialises on JVM-wide locks (what BCJSSE drew from before
 *     {@link ContextRandom});</li>
 * <li>{@code DRBG_SHARED}: one JDK {@code DRBG} instance shared by all threads (its generate step is
 *     synchronized);</li>
 * <li>{@code DRBG_PER_THREAD}: one JDK {@code DRBG} per thread, the lock-free alternative that pays an
 *     instantiation per thread (each handshake job is a new virtual thread on JDK 24+);</li>
 * <li>{@code CONTEXT}: AsyncJSSE's {@link ContextRandom}, one instance shared by all threads.</li>
 * </ul>
 * Run with several threads ({@code -t 8}) on few cores to see contention: the sample mode reports
 * the tail (p99.9, max) where a thread waits for a lock holder that was preempted.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class RandomBench {

    /** The source all threads share (or, for {@code DRBG_PER_THREAD}, the kind each thread makes). */
    @State(Scope.Benchmark)
    public static class Source {
        @Param({"NATIVE", "DRBG_SHARED", "DRBG_PER_THREAD", "CONTEXT"})
        public String source;

        SecureRandom shared;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            switch (source) {
                case "NATIVE":
                    shared = new SecureRandom();
                    break;
                case "DRBG_SHARED":
                    shared = drbg();
                    break;
                case "DRBG_PER_THREAD":
                    shared = null;
                    break;
                case "CONTEXT":
                    shared = ContextRandom.create(new SecureRandom(), "benchmark");
                    break;
                default:
                    throw new IllegalArgumentException(source);
            }
        }
    }

    /** Each thread's view: the shared source, or its own generator. */
    @State(Scope.Thread)
    public static class Mine {
        SecureRandom random;
        final byte[] out = new byte[32];

        @Setup(Level.Trial)
        public void setup(Source source) throws Exception {
            random = source.shared != null ? source.shared : drbg();
        }
    }

    static SecureRandom drbg() throws Exception {
        return SecureRandom.getInstance("DRBG", DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
    }

    @Benchmark
    public byte[] nextBytes32(Mine mine) {
        mine.random.nextBytes(mine.out);
        return mine.out;
    }

    /** What {@code DRBG_PER_THREAD} pays per new thread: one instantiation and its first 32 bytes. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public byte[] instantiateDrbg() throws Exception {
        byte[] out = new byte[32];
        drbg().nextBytes(out);
        return out;
    }
}
