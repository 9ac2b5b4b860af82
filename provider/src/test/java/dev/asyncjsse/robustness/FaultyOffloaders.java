package dev.asyncjsse.robustness;

import dev.asyncjsse.KeyOffloader;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import javax.crypto.Cipher;

/** Key offloaders that misbehave in one specific way each, for fault injection. */
final class FaultyOffloaders {

    private FaultyOffloaders() {}

    /** How an offloader misbehaves. */
    enum Fault {
        /** The stage fails with an IOException. */
        FAIL,
        /** The stage never completes: the offload timeout must end it. */
        HANG,
        /** sign/decrypt throw instead of returning a stage. */
        THROW,
        /** The stage completes with random bytes instead of a signature: the peer must reject it. */
        GARBAGE,
        /** The stage completes with null. */
        NULL_RESULT,
        /** A stage (not a CompletableFuture) that calls its whenComplete actions twice: result, then garbage. */
        COMPLETE_TWICE,
        /** The real operation, run synchronously on the caller's (job) thread. */
        CALLER_THREAD
    }

    static final AtomicInteger INJECTED = new AtomicInteger();

    static KeyOffloader of(Fault fault, Executor pool) {
        return new KeyOffloader() {
            @Override
            public CompletionStage<byte[]> sign(PrivateKey key, String algorithm, AlgorithmParameterSpec params, byte[] message) {
                return apply(fault, pool, () -> {
                    Signature s = Signature.getInstance(algorithm);
                    s.initSign(key);
                    if (params != null) {
                        s.setParameter(params);
                    }
                    s.update(message);
                    return s.sign();
                });
            }

            @Override
            public CompletionStage<byte[]> decrypt(PrivateKey key, String transformation, byte[] ciphertext) {
                return apply(fault, pool, () -> {
                    Cipher c = Cipher.getInstance(transformation);
                    c.init(Cipher.DECRYPT_MODE, key);
                    return c.doFinal(ciphertext);
                });
            }
        };
    }

    interface Op {
        byte[] run() throws GeneralSecurityException;
    }

    private static CompletionStage<byte[]> apply(Fault fault, Executor pool, Op real) {
        INJECTED.incrementAndGet();
        switch (fault) {
            case FAIL:
                return CompletableFuture.failedFuture(new IOException("HSM unavailable (injected fault)"));
            case HANG:
                return new CompletableFuture<>();
            case THROW:
                throw new IllegalStateException("sign exploded (injected fault)");
            case GARBAGE: {
                byte[] junk = new byte[72];
                new Random().nextBytes(junk);
                junk[0] = 0x30; // looks like DER, is not a valid signature
                junk[1] = 70;
                return CompletableFuture.supplyAsync(() -> junk, CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS, pool));
            }
            case NULL_RESULT:
                return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS, pool));
            case COMPLETE_TWICE:
                return new TwiceStage(pool, real);
            case CALLER_THREAD:
                try {
                    return CompletableFuture.completedFuture(real.run());
                } catch (GeneralSecurityException e) {
                    return CompletableFuture.failedFuture(e);
                }
            default:
                throw new AssertionError(fault);
        }
    }

    /**
     * A stage that is not a CompletableFuture to its consumer ({@code toCompletableFuture()} is
     * unsupported, as for many third-party stages) and reports completion twice: first the real result,
     * then a failure.
     */
    static final class TwiceStage extends CompletableFuture<byte[]> {
        private final Executor pool;
        private final Op real;

        TwiceStage(Executor pool, Op real) {
            this.pool = pool;
            this.real = real;
        }

        @Override
        public CompletableFuture<byte[]> toCompletableFuture() {
            throw new UnsupportedOperationException("not a CompletableFuture");
        }

        @Override
        public CompletableFuture<byte[]> whenComplete(BiConsumer<? super byte[], ? super Throwable> action) {
            pool.execute(() -> {
                byte[] result;
                try {
                    result = real.run();
                } catch (GeneralSecurityException e) {
                    action.accept(null, e);
                    return;
                }
                action.accept(result, null);
                action.accept(null, new IOException("second completion (injected fault)"));
                action.accept(new byte[] {1, 2, 3}, null);
            });
            return this;
        }
    }
}
