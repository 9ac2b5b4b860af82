package dev.asyncjsse.offload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyKeyOffloaderTest {

    /** A stand-in key service that answers at once with a fixed signature. */
    private static final class Fixed implements KeyOffloader {
        @Override
        public CompletionStage<byte[]> sign(PrivateKey key, String alg, AlgorithmParameterSpec params, byte[] message) {
            return CompletableFuture.completedFuture(new byte[] {1, 2, 3});
        }

        @Override
        public CompletionStage<byte[]> decrypt(PrivateKey key, String transformation, byte[] ciphertext) {
            return CompletableFuture.completedFuture(new byte[] {4});
        }
    }

    /**
     * Failed on JDK 25 before the fix (the delayed start went to the common pool). On JDK 17 with fewer
     * than three CPUs the JDK's default async executor makes a thread per task, so there it passes either way.
     */
    @Test
    void aBlockedCommonPoolDoesNotHoldBackDelayedOperations() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        int parallelism = ForkJoinPool.getCommonPoolParallelism();
        CountDownLatch allBlocked = new CountDownLatch(parallelism);
        for (int i = 0; i < parallelism; i++) {
            CompletableFuture.runAsync(() -> {
                allBlocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try {
            assertTrue(allBlocked.await(10, TimeUnit.SECONDS), "could not occupy the common pool");
            KeyOffloader slow = KeyOffloaders.withLatency(new Fixed(), Duration.ofMillis(20));
            byte[] signature = slow.sign(null, "NONEwithECDSA", null, new byte[32])
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {1, 2, 3}, signature);
        } finally {
            release.countDown();
        }
    }
}
