package dev.asyncjsse.bench;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.math.ec.rfc7748.X25519;
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
 * message (130 bytes), per implementation ({@code JDK} = the JDK's default providers, {@code BC} =
 * Bouncy Castle's provider, {@code BC_DIRECT} = Bouncy Castle's X25519 functions and ECDSA signer
 * called directly, without the JCA's key objects and encodings: the cheapest way to run the same
 * arithmetic, so that an engine calling them directly is not measured against a higher floor; its
 * RSA row is Bouncy Castle's provider). Also the single primitives, and RSA-2048 PSS signing for the
 * RSA handshakes. Score: µs per operation (wall); auxiliary {@code cpuUs}: thread CPU per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class FloorBench {

    @Param({"JDK", "BC", "BC_DIRECT"})
    public String jca;

    private Provider provider;
    private KeyPairGenerator x25519;
    private PublicKey peer;
    private PrivateKey ecKey;
    private PrivateKey rsaKey;
    private final byte[] message = new byte[130];
    private boolean direct;
    private final SecureRandom random = new SecureRandom();
    private final byte[] directScalar = new byte[X25519.SCALAR_SIZE];
    private final byte[] directPeer = new byte[X25519.POINT_SIZE];
    private ECPrivateKeyParameters directEcKey;

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
        direct = jca.equals("BC_DIRECT");
        provider = jca.startsWith("BC") ? new BouncyCastleProvider() : null;
        x25519 = provider == null ? KeyPairGenerator.getInstance("X25519") : KeyPairGenerator.getInstance("X25519", provider);
        peer = x25519.generateKeyPair().getPublic();
        KeyPairGenerator ec = provider == null ? KeyPairGenerator.getInstance("EC") : KeyPairGenerator.getInstance("EC", provider);
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        ecKey = ec.generateKeyPair().getPrivate();
        KeyPairGenerator rsa = provider == null ? KeyPairGenerator.getInstance("RSA") : KeyPairGenerator.getInstance("RSA", provider);
        rsa.initialize(2048);
        rsaKey = rsa.generateKeyPair().getPrivate();
        ThreadLocalRandom.current().nextBytes(message);
        X25519.generatePrivateKey(random, directScalar);
        X25519.generatePublicKey(directScalar, 0, directPeer, 0);
        directEcKey = (ECPrivateKeyParameters) ECUtil.generatePrivateKeyParameter(ecKey);
    }

    private byte[] directKeyGen() {
        byte[] scalar = new byte[X25519.SCALAR_SIZE];
        X25519.generatePrivateKey(random, scalar);
        byte[] share = new byte[X25519.POINT_SIZE];
        X25519.generatePublicKey(scalar, 0, share, 0);
        return scalar;
    }

    private byte[] directAgree(byte[] scalar) {
        byte[] secret = new byte[X25519.POINT_SIZE];
        if (!X25519.calculateAgreement(scalar, 0, directPeer, 0, secret, 0)) {
            throw new IllegalStateException("all-zero X25519 result");
        }
        return secret;
    }

    private byte[] directSign(byte[] extra) throws Exception {
        SHA256Digest digest = new SHA256Digest();
        digest.update(message, 0, message.length);
        digest.update(extra, 0, extra.length);
        byte[] hash = new byte[32];
        digest.doFinal(hash, 0);
        ECDSASigner signer = new ECDSASigner();
        signer.init(true, new ParametersWithRandom(directEcKey, random));
        BigInteger[] rs = signer.generateSignature(hash);
        return StandardDSAEncoding.INSTANCE.encode(directEcKey.getParameters().getN(), rs[0], rs[1]);
    }

    private Signature signature(String name) throws Exception {
        return provider == null ? Signature.getInstance(name) : Signature.getInstance(name, provider);
    }

    @Benchmark
    public byte[] floorEcdsaX25519(Cpu cpu) throws Exception {
        if (direct) {
            byte[] secret = directAgree(directKeyGen());
            byte[] sig = directSign(new byte[] {secret[0]});
            cpu.op();
            return sig;
        }
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
    public Object x25519KeyGen(Cpu cpu) {
        Object kp = direct ? directKeyGen() : x25519.generateKeyPair();
        cpu.op();
        return kp;
    }

    @Benchmark
    public byte[] x25519Agree(Cpu cpu) throws Exception {
        if (direct) {
            byte[] secret = directAgree(directScalar);
            cpu.op();
            return secret;
        }
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
        if (direct) {
            byte[] sig = directSign(new byte[0]);
            cpu.op();
            return sig;
        }
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
