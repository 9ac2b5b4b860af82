package dev.asyncjsse.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The rule that no offload callback runs after a close, shown step by step rather than by racing: a
 * close that meets a running callback waits for it to return, and a callback due after the close
 * never starts. (The race itself is run in {@link FrontConcurrencyTest}.)
 */
class CallbackGateTest {

    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    @Test
    void closeReturnsOnlyAfterARunningCallbackHasReturned() throws Exception {
        CallbackGate gate = new CallbackGate(CallbackGate.Binding.NONE);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        gate.set((engine, arg) -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, null);
        Thread firer = new Thread(() -> gate.fire(null), "firer");
        firer.start();
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the callback started");

        Thread closer = new Thread(gate::close, "closer");
        closer.start();
        awaitBlocked(closer);
        assertTrue(closer.isAlive(), "close returned while a callback was still running");

        release.countDown();
        closer.join(TimeUnit.NANOSECONDS.toMillis(DEADLINE_NANOS));
        assertFalse(closer.isAlive(), "close returned once the callback had");
        firer.join(TimeUnit.NANOSECONDS.toMillis(DEADLINE_NANOS));
    }

    @Test
    void aCallbackDueAfterCloseNeverStarts() {
        CallbackGate gate = new CallbackGate(CallbackGate.Binding.NONE);
        AtomicInteger calls = new AtomicInteger();
        gate.set((engine, arg) -> calls.incrementAndGet(), null);
        gate.fire(null);
        assertEquals(1, calls.get(), "an open gate runs the callback");
        gate.close();
        gate.fire(null);
        assertEquals(1, calls.get(), "no callback after close");
    }

    @Test
    void aCallbackThatThrowsDoesNotReachTheThreadThatFiredIt() {
        CallbackGate gate = new CallbackGate(CallbackGate.Binding.NONE);
        AtomicInteger calls = new AtomicInteger();
        gate.set((engine, arg) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("a broken callback");
        }, null);
        gate.fire(null);
        gate.fire(null);
        assertEquals(2, calls.get(), "the gate stays usable after a callback threw");
    }

    /** Polls, with a deadline, until {@code t} waits for a lock (or has ended, which the caller checks). */
    private static void awaitBlocked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (t.isAlive() && t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                fail("the closing thread neither blocked nor returned: " + t.getState());
            }
            Thread.onSpinWait();
        }
    }
}
