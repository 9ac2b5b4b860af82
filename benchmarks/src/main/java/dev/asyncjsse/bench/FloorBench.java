package dev.asyncjsse.bench;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
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
 * The "physical floor" of one TLS 1.3 ECDSA P-256 + X25519 server handshake: one X25519 key-share
 * generation, one X25519 agreement and one ECDSA P-256 signature over a CertificateVerify-sized
 * message (130 bytes), per JCA implementation ({@code JDK} = the JDK's default providers,
 * {@code BC} = Bouncy Castle's provider). Also the single primitives, and RSA-2048 PSS signing for
 * the RSA handshakes. Score: µs per operation (wall); auxiliary {@code cpuUs}: thread CPU per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class FloorBench {

    @Param({"JDK", "BC"})
    public String jca;

    private Provider provider;
    private KeyPairGenerator x25519;
    private PublicKey peer;
    private PrivateKey ecKey;
    private PrivateKey rsaKey;
    private final byte[] message = new byte[130];

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        public double cpuUs;
        long ops;
        long start;

        @Setup(Level.Iteration)
        public void reset() {
            ops = 0;
            cpuUs = 0;
            start = MemoryPair.THREADS.getCurrentThreadCpuTime();
        }

        void op() {
            ops++;
            cpuUs = (MemoryPair.THREADS.getCurrentThreadCpuTime() - start) / 1000.0 / ops;
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        provider = jca.equals("BC") ? new BouncyCastleProvider() : null;
        x25519 = provider == null ? KeyPairGenerator.getInstance("X25519") : KeyPairGenerator.getInstance("X25519", provider);
        peer = x25519.generateKeyPair().getPublic();
        KeyPairGenerator ec = provider == null ? KeyPairGenerator.getInstance("EC") : KeyPairGenerator.getInstance("EC", provider);
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        ecKey = ec.generateKeyPair().getPrivate();
        KeyPairGenerator rsa = provider == null ? KeyPairGenerator.getInstance("RSA") : KeyPairGenerator.getInstance("RSA", provider);
        rsa.initialize(2048);
        rsaKey = rsa.generateKeyPair().getPrivate();
        ThreadLocalRandom.current().nextBytes(message);
    }

    private Signature signature(String name) throws Exception {
        return provider == null ? Signature.getInstance(name) : Signature.getInstance(name, provider);
    }

    @Benchmark
    public byte[] floorEcdsaX25519(Cpu cpu) throws Exception {
        KeyPair share = x25519.generateKeyPair();
        KeyAgreement ka = provider == null ? KeyAgreement.getInstance("X25519") : KeyAgreement.getInstance("X25519", provider);
        ka.init(share.getPrivate());
        ka.doPhase(peer, true);
        byte[] secret = ka.generateSecret();
        Signature s = signature("SHA256withECDSA");
        s.initSign(ecKey);
        s.update(message);
        s.update(secret, 0, 1);
        byte[] sig = s.sign();
        cpu.op();
        return sig;
    }

    @Benchmark
    public KeyPair x25519KeyGen(Cpu cpu) {
        KeyPair kp = x25519.generateKeyPair();
        cpu.op();
        return kp;
    }

    @Benchmark
    public byte[] x25519Agree(Cpu cpu) throws Exception {
        KeyAgreement ka = provider == null ? KeyAgreement.getInstance("X25519") : KeyAgreement.getInstance("X25519", provider);
        ka.init(ecKeyShare());
        ka.doPhase(peer, true);
        byte[] secret = ka.generateSecret();
        cpu.op();
        return secret;
    }

    private PrivateKey share;

    private PrivateKey ecKeyShare() {
        if (share == null) {
            share = x25519.generateKeyPair().getPrivate();
        }
        return share;
    }

    @Benchmark
    public byte[] ecdsaP256Sign(Cpu cpu) throws Exception {
        Signature s = signature("SHA256withECDSA");
        s.initSign(ecKey);
        s.update(message);
        byte[] sig = s.sign();
        cpu.op();
        return sig;
    }

    @Benchmark
    public byte[] rsa2048PssSign(Cpu cpu) throws Exception {
        Signature s;
        if (provider == null) {
            s = Signature.getInstance("RSASSA-PSS");
            s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        } else {
            s = signature("SHA256withRSAandMGF1");
        }
        s.initSign(rsaKey);
        s.update(message);
        byte[] sig = s.sign();
        cpu.op();
        return sig;
    }
}
