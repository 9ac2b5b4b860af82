package dev.asyncjsse.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.engine.FakeProtocolEngine.FakeWait;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two races of a pending step, run many times with the threads released together by a barrier:
 * a close racing the end of the wait never lets a callback start after the close returned, and threads
 * racing for the delegated task get exactly one.
 */
class FrontConcurrencyTest {

    private static final int ROUNDS = 500;

    private final FakeProtocolEngine.Factory fake = new FakeProtocolEngine.Factory();
    private final ExecutorService threads = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    }

    private AsyncEngine pendingServer(ContextServices services, byte[] hello, FakeWait wait) throws Exception {
        fake.script(wait);
        AsyncEngine server = FrontFixtures.server(services);
        assertTrue(AsyncSSLEngine.isOffloadPending(server.unwrap(ByteBuffer.wrap(hello), ByteBuffer.allocate(1 << 15))));
        return server;
    }

    @Test
    void noCallbackStartsAfterCloseReturned() throws Exception {
        ContextServices services = FrontFixtures.services(fake);
        byte[] hello = FrontFixtures.clientHello("TLSv1.3");
        AtomicInteger late = new AtomicInteger();
        AtomicInteger fired = new AtomicInteger();
        for (int round = 0; round < ROUNDS; round++) {
            FakeWait wait = new FakeWait(AsyncStatus.OK);
            AsyncEngine server = pendingServer(services, hello, wait);
            AtomicBoolean closeReturned = new AtomicBoolean();
            server.setOffloadCallback((engine, arg) -> {
                fired.incrementAndGet();
                if (closeReturned.get()) {
                    late.incrementAndGet();
                }
            }, null);
            CyclicBarrier start = new CyclicBarrier(2);
            Future<?> ender = threads.submit(() -> {
                start.await();
                wait.end();
                return null;
            });
            Future<?> closer = threads.submit(() -> {
                start.await();
                server.closeOutbound();
                closeReturned.set(true);
                return null;
            });
            ender.get(10, TimeUnit.SECONDS);
            closer.get(10, TimeUnit.SECONDS);
        }
        assertEquals(0, late.get(), "callbacks that started after closeOutbound returned (" + fired.get() + " fired)");
    }

    @Test
    void oneDelegatedTaskPerEpisode() throws Exception {
        ContextServices services = FrontFixtures.services(fake);
        byte[] hello = FrontFixtures.clientHello("TLSv1.3");
        for (int round = 0; round < ROUNDS; round++) {
            FakeWait wait = new FakeWait(AsyncStatus.OK);
            AsyncEngine server = pendingServer(services, hello, wait);
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<Runnable>> asks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                asks.add(threads.submit(() -> {
                    start.await();
                    return server.getDelegatedTask();
                }));
            }
            List<Runnable> tasks = new ArrayList<>();
            for (Future<Runnable> ask : asks) {
                Runnable task = ask.get(10, TimeUnit.SECONDS);
                if (task != null) {
                    tasks.add(task);
                }
            }
            assertEquals(1, tasks.size(), "round " + round + ": tasks handed out for one pending step");
            wait.end();
            tasks.get(0).run();
            assertEquals(null, server.getDelegatedTask(), "no task once the wait has ended");
        }
    }
}
