package dev.asyncjsse.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.AsyncStatus;
import dev.asyncjsse.engine.FakeProtocolEngine.FakeWait;
import dev.asyncjsse.nio.ClientHelloExplorer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import org.junit.jupiter.api.Test;

/**
 * The front against a scripted protocol engine: when a server's engine is created and which one,
 * what it is given, and how its waits become offload pending, the callback and the delegated task.
 */
class FrontSeamTest {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final FakeProtocolEngine.Factory fake = new FakeProtocolEngine.Factory();

    private AsyncEngine server() throws Exception {
        return FrontFixtures.server(FrontFixtures.services(fake));
    }

    @Test
    void serverEngineIsCreatedOnceTheClientHelloIsComplete() throws Exception {
        AsyncEngine server = server();
        byte[] hello = FrontFixtures.clientHello("TLSv1.3", "TLSv1.2");
        ByteBuffer app = ByteBuffer.allocate(1 << 15);

        ByteBuffer part = ByteBuffer.wrap(hello, 0, 10);
        SSLEngineResult r = server.unwrap(part, app);
        assertEquals(Status.BUFFER_UNDERFLOW, r.getStatus());
        assertEquals(0, r.bytesConsumed(), "a partial record stays with the caller");
        assertEquals(HandshakeStatus.NEED_UNWRAP, server.getHandshakeStatus());
        assertTrue(fake.setups.isEmpty(), "no engine before the ClientHello is complete");
        assertEquals("SSL_NULL_WITH_NULL_NULL", server.getSession().getCipherSuite());

        ByteBuffer all = ByteBuffer.wrap(hello);
        r = server.unwrap(all, app);
        assertEquals(hello.length, r.bytesConsumed());
        assertEquals(1, fake.setups.size());
        EngineSetup setup = fake.setups.get(0);
        assertSame(server, setup.engine(), "the engine key managers and trust managers are called with");
        assertFalse(setup.clientMode());
        assertTrue(setup.clientHello().isComplete());
        assertEquals("www.example.com", setup.clientHello().serverName());
        assertArrayEquals(hello, fake.only().receivedBytes(), "the engine gets the ClientHello's bytes");
    }

    @Test
    void tls12OnlyClientHelloTakesTheBcjssePath() throws Exception {
        AsyncEngine server = server();
        byte[] hello = FrontFixtures.clientHello("TLSv1.2");
        assertTrue(ClientHelloExplorer.explore(ByteBuffer.wrap(hello)).isComplete());
        runUntilFailureOrResult(server, hello);
        assertTrue(fake.setups.isEmpty(), "a ClientHello without TLS 1.3 goes to BCJSSE");
    }

    @Test
    void tls13DisabledOnTheServerTakesTheBcjssePath() throws Exception {
        AsyncEngine server = server();
        server.setEnabledProtocols(new String[] {"TLSv1.2"});
        runUntilFailureOrResult(server, FrontFixtures.clientHello("TLSv1.3", "TLSv1.2"));
        assertTrue(fake.setups.isEmpty(), "TLSv1.3 is not enabled: BCJSSE serves");
    }

    /** The BCJSSE engine of these fixtures has no key: it fails the handshake, which is all these tests need. */
    private static void runUntilFailureOrResult(AsyncEngine server, byte[] hello) {
        try {
            server.unwrap(ByteBuffer.wrap(hello), ByteBuffer.allocate(1 << 15));
        } catch (javax.net.ssl.SSLException expected) {
            // BCJSSE without a key refuses the handshake
        }
    }

    @Test
    void clientsAndContextsWithoutANativeEngineTakeTheBcjssePath() throws Exception {
        ContextServices services = FrontFixtures.services(fake);
        javax.net.ssl.SSLParameters p = services.defaults().parameters(true);
        javax.net.ssl.SSLParameters server = services.defaults().parameters(false);
        dev.asyncjsse.nio.ClientHello tls13 = ClientHelloExplorer.explore(ByteBuffer.wrap(FrontFixtures.clientHello("TLSv1.3")));
        assertSame(services.bcjsse(), EngineChoice.choose(services, true, tls13, p), "a client");
        assertSame(fake, EngineChoice.choose(services, false, tls13, server), "a TLS 1.3 server with a native engine");
        ContextServices withoutNative = FrontFixtures.services(null);
        assertSame(withoutNative.bcjsse(), EngineChoice.choose(withoutNative, false, tls13, server), "no native engine");
    }

    @Test
    void aWaitBecomesOffloadPendingAndOneCallback() throws Exception {
        FakeWait wait = new FakeWait(AsyncStatus.EAGAIN);
        fake.script(wait);
        AsyncEngine server = server();
        List<Thread> callbackThreads = new CopyOnWriteArrayList<>();
        List<Object> callbackArgs = new CopyOnWriteArrayList<>();
        server.setOffloadCallback((engine, arg) -> {
            assertSame(server, engine);
            callbackThreads.add(Thread.currentThread());
            callbackArgs.add(arg);
        }, "the arg");
        byte[] hello = FrontFixtures.clientHello("TLSv1.3");
        ByteBuffer app = ByteBuffer.allocate(1 << 15);

        SSLEngineResult r = server.unwrap(ByteBuffer.wrap(hello), app);
        assertTrue(AsyncSSLEngine.isOffloadPending(r), r.toString());
        assertEquals(hello.length, r.bytesConsumed(), "the input taken into the step");
        assertEquals(0, r.bytesProduced());
        assertTrue(server.isOffloadPending());
        assertEquals(HandshakeStatus.NEED_TASK, server.getHandshakeStatus());
        assertEquals(AsyncStatus.EAGAIN, server.getAsyncStatus());

        ByteBuffer more = ByteBuffer.wrap(new byte[] {22, 3, 3, 0, 1, 1});
        r = server.unwrap(more, app);
        assertTrue(AsyncSSLEngine.isOffloadPending(r));
        assertEquals(0, r.bytesConsumed());
        assertEquals(0, more.position(), "nothing consumed while pending");
        assertTrue(AsyncSSLEngine.isOffloadPending(server.wrap(EMPTY, ByteBuffer.allocate(1 << 15))));
        assertTrue(callbackThreads.isEmpty(), "no callback before the wait ends");

        Thread ender = new Thread(wait::end, "ender");
        ender.start();
        ender.join();
        assertEquals(List.of(ender), callbackThreads, "one callback, on the thread that ended the wait");
        assertEquals(List.of("the arg"), callbackArgs);

        FakeProtocolEngine engine = fake.only();
        assertFalse(server.isOffloadPending());
        assertEquals(HandshakeStatus.NEED_UNWRAP, server.getHandshakeStatus(), "the engine's status once the wait ended");
        assertEquals(1, engine.unwrapCalls.get(), "getters never call into the engine's driving methods");

        r = server.unwrap(more, app);
        assertFalse(AsyncSSLEngine.isOffloadPending(r));
        assertEquals(6, r.bytesConsumed());
        assertEquals(2, engine.unwrapCalls.get());
        assertEquals(1, callbackThreads.size());
    }

    @Test
    void aWaitThatEndedBeforeItWasReportedWakesFromAnotherThread() throws Exception {
        FakeWait ended = new FakeWait(AsyncStatus.OK);
        ended.end();
        fake.script(ended, HandshakeStatus.NEED_WRAP);
        AsyncEngine server = server();
        java.util.concurrent.LinkedBlockingQueue<Thread> callbacks = new java.util.concurrent.LinkedBlockingQueue<>();
        server.setOffloadCallback((engine, arg) -> callbacks.add(Thread.currentThread()), null);
        byte[] hello = FrontFixtures.clientHello("TLSv1.3");

        SSLEngineResult r = server.unwrap(ByteBuffer.wrap(hello), ByteBuffer.allocate(1 << 15));
        assertTrue(AsyncSSLEngine.isOffloadPending(r), r.toString());
        assertEquals(hello.length, r.bytesConsumed());
        Thread callbackThread = callbacks.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertNotNull(callbackThread, "the callback came");
        assertFalse(callbackThread == Thread.currentThread(), "never on the thread inside unwrap");
        assertFalse(server.isOffloadPending());
        r = server.unwrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 15));
        assertEquals(HandshakeStatus.NEED_WRAP, r.getHandshakeStatus(), "the engine goes on");
        assertEquals(2, fake.only().unwrapCalls.get());
        assertEquals(null, callbacks.poll(), "one callback");
    }

    /**
     * A loop that saw NEED_TASK asks for the task after the wait has already ended (a key operation of
     * about a millisecond, close to the wait budget). It must still get the episode's one task: Netty's
     * SslHandler, given null there, assumes another thread ran the task, never resumes, and the
     * handshake hangs until Netty's handshake timeout.
     */
    @Test
    void aTaskAskedForAfterTheWaitEndedIsStillHandedOut() throws Exception {
        FakeWait wait = new FakeWait(AsyncStatus.OK);
        fake.script(wait, HandshakeStatus.NEED_WRAP);
        AsyncEngine server = server();
        SSLEngineResult r = server.unwrap(ByteBuffer.wrap(FrontFixtures.clientHello("TLSv1.3")), ByteBuffer.allocate(1 << 15));
        assertTrue(AsyncSSLEngine.isOffloadPending(r), r.toString());
        assertEquals(HandshakeStatus.NEED_TASK, r.getHandshakeStatus());

        wait.end();
        Runnable task = server.getDelegatedTask();
        assertNotNull(task, "the task of the episode the loop was told about");
        java.util.concurrent.CompletableFuture.runAsync(task).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(null, server.getDelegatedTask(), "one task per episode");
        r = server.unwrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 15));
        assertEquals(HandshakeStatus.NEED_WRAP, r.getHandshakeStatus(), "the engine goes on");
    }

    @Test
    void finishedIsReportedExactlyOnce() throws Exception {
        fake.script(HandshakeStatus.FINISHED, HandshakeStatus.FINISHED);
        AsyncEngine server = server();
        SSLEngineResult r = server.unwrap(ByteBuffer.wrap(FrontFixtures.clientHello("TLSv1.3")), ByteBuffer.allocate(1 << 15));
        assertEquals(HandshakeStatus.FINISHED, r.getHandshakeStatus());
        fake.only().status = HandshakeStatus.NOT_HANDSHAKING;
        r = server.unwrap(ByteBuffer.wrap(new byte[] {23, 3, 3, 0, 1, 1}), ByteBuffer.allocate(1 << 15));
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, r.getHandshakeStatus(), "a repeated FINISHED is dropped");
    }

    /** Waits belong to the handshake: the front's transition table refuses one after FINISHED. */
    @Test
    void aWaitAfterTheHandshakeFinishedIsRefused() throws Exception {
        fake.script(HandshakeStatus.FINISHED, new FakeWait(AsyncStatus.OK));
        AsyncEngine server = server();
        SSLEngineResult r = server.unwrap(ByteBuffer.wrap(FrontFixtures.clientHello("TLSv1.3")), ByteBuffer.allocate(1 << 15));
        assertEquals(HandshakeStatus.FINISHED, r.getHandshakeStatus());
        fake.only().status = HandshakeStatus.NOT_HANDSHAKING;

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> server.unwrap(ByteBuffer.wrap(new byte[] {23, 3, 3, 0, 1, 1}), ByteBuffer.allocate(1 << 15)));
        assertTrue(refused.getMessage().contains("ESTABLISHED cannot move to WAITING"), refused.getMessage());
        assertFalse(server.isOffloadPending());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, server.getHandshakeStatus());
    }

    @Test
    void afterTheClosingRecordsAWrapProducesNothing() throws Exception {
        fake.script(HandshakeStatus.FINISHED);
        AsyncEngine server = server();
        server.unwrap(ByteBuffer.wrap(FrontFixtures.clientHello("TLSv1.3")), ByteBuffer.allocate(1 << 15));
        FakeProtocolEngine engine = fake.only();
        engine.status = HandshakeStatus.NOT_HANDSHAKING;
        server.closeOutbound();

        SSLEngineResult r = server.wrap(EMPTY, ByteBuffer.allocate(1 << 15));
        assertEquals(Status.CLOSED, r.getStatus());
        assertEquals(7, r.bytesProduced(), "the engine's close_notify");
        assertTrue(server.isOutboundDone());
        r = server.wrap(EMPTY, ByteBuffer.allocate(1 << 15));
        assertEquals(Status.CLOSED, r.getStatus());
        assertEquals(0, r.bytesProduced(), "one close_notify, however often the application wraps");
        assertEquals(1, engine.wrapCalls.get(), "the engine is not asked again");
    }

    @Test
    void closeWhilePendingCancelsTheWaitAndNoCallbackFollows() throws Exception {
        FakeWait wait = new FakeWait(AsyncStatus.OK);
        fake.script(wait);
        AsyncEngine server = server();
        AtomicInteger callbacks = new AtomicInteger();
        server.setOffloadCallback((engine, arg) -> callbacks.incrementAndGet(), null);
        assertTrue(AsyncSSLEngine.isOffloadPending(
                server.unwrap(ByteBuffer.wrap(FrontFixtures.clientHello("TLSv1.3")), ByteBuffer.allocate(1 << 15))));

        server.closeOutbound();
        assertTrue(wait.future.isCancelled(), "the stage was cancelled");
        assertTrue(wait.wait.cancelReason().contains("closed"), wait.wait.cancelReason());
        assertFalse(server.isOffloadPending());
        assertTrue(fake.only().outboundClosed, "the engine was closed once its wait ended");
        assertEquals(0, callbacks.get(), "no callback after close");
        assertEquals(null, server.getDelegatedTask());
    }

    @Test
    void aCloseWhoseWaitDoesNotEndDropsTheEngineInsteadOfLeavingItPending() throws Exception {
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        List<String> cancelReasons = new CopyOnWriteArrayList<>();
        EngineWait ignoresCancel = new EngineWait() {
            @Override
            public boolean isDone() {
                return stuck.isDone();
            }

            @Override
            public void whenDone(Runnable action) {
                stuck.thenRun(action);
            }

            @Override
            public void awaitDone() throws InterruptedException {
                awaitDone(TimeUnit.SECONDS.toNanos(10));
            }

            @Override
            public boolean awaitDone(long nanos) throws InterruptedException {
                try {
                    stuck.get(nanos, TimeUnit.NANOSECONDS);
                    return true;
                } catch (TimeoutException e) {
                    return false;
                } catch (ExecutionException e) {
                    return true;
                }
            }

            @Override
            public void cancel(String reason) {
                // like a trust manager busy in I/O on the job's thread: a cancel cannot stop it
                cancelReasons.add(reason);
            }

            @Override
            public AsyncStatus status() {
                return AsyncStatus.OK;
            }
        };
        fake.script(ignoresCancel);
        AsyncEngine server = new AsyncEngine(FrontFixtures.services(fake), null, -1, TimeUnit.MILLISECONDS.toNanos(50));
        server.setUseClientMode(false);
        AtomicInteger callbacks = new AtomicInteger();
        server.setOffloadCallback((engine, arg) -> callbacks.incrementAndGet(), null);
        assertTrue(AsyncSSLEngine.isOffloadPending(
                server.unwrap(ByteBuffer.wrap(FrontFixtures.clientHello("TLSv1.3")), ByteBuffer.allocate(1 << 15))));

        server.closeOutbound();
        assertEquals(1, cancelReasons.size(), "the wait was cancelled");
        assertFalse(server.isOffloadPending(), "a closed engine is not left pending");
        assertTrue(server.isOutboundDone());
        assertTrue(server.isInboundDone());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, server.getHandshakeStatus());
        SSLEngineResult r = server.wrap(EMPTY, ByteBuffer.allocate(1 << 15));
        assertEquals(Status.CLOSED, r.getStatus());
        assertEquals(0, r.bytesProduced(), "no closing records: the engine cannot be asked for them");
        assertEquals(Status.CLOSED, server.unwrap(ByteBuffer.wrap(new byte[] {21, 3, 3, 0, 2, 1, 0}),
                ByteBuffer.allocate(1 << 15)).getStatus());
        FakeProtocolEngine engine = fake.only();
        assertFalse(engine.outboundClosed, "the busy engine is never called again");
        assertEquals(0, engine.wrapCalls.get());
        assertEquals(1, engine.unwrapCalls.get());

        stuck.complete(null);
        assertEquals(0, callbacks.get(), "no callback when the wait ends after the close");
        assertEquals(null, server.getDelegatedTask());
    }
}
