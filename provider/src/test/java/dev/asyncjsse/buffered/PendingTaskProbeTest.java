package dev.asyncjsse.buffered;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** After the one delegated task of a pending episode has run, the engine must not stay in NEED_TASK. */
@Timeout(30)
class PendingTaskProbeTest {

    @Test
    void afterTheDelegatedTaskTheStatusMovesOn() throws Exception {
        SSLEngine client = BufferedHandshakeTest.sunClient(null);
        AsyncSSLEngine server = BufferedHandshakeTest.asyncServer(BufferedHandshakeTest.serverContext(20));
        byte[] hello = BufferedHandshakeTest.clientHello(client);
        SSLEngineResult r = server.unwrap(ByteBuffer.wrap(hello), ByteBuffer.allocate(1 << 17));
        runTheTaskAndExpectTheStatusToMoveOn(server, r);
    }

    @Test
    void afterTheDelegatedTaskTheStatusMovesOnWithBufferedHello() throws Exception {
        SSLEngine client = BufferedHandshakeTest.sunClient(null);
        AsyncSSLEngine server = BufferedHandshakeTest.asyncServer(BufferedHandshakeTest.serverContext(20));
        byte[] hello = BufferedHandshakeTest.clientHello(client);
        server.beginHandshake(ByteBuffer.wrap(hello));
        SSLEngineResult r = server.unwrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 17));
        runTheTaskAndExpectTheStatusToMoveOn(server, r);
    }

    /** Runs the episode's one delegated task, then waits (5 s at most) for the status to leave NEED_TASK. */
    private static void runTheTaskAndExpectTheStatusToMoveOn(AsyncSSLEngine server, SSLEngineResult pending) {
        assertTrue(AsyncSSLEngine.isOffloadPending(pending), String.valueOf(pending));
        Runnable task = server.getDelegatedTask();
        assertTrue(task != null);
        task.run();
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            HandshakeStatus hs = server.getHandshakeStatus();
            seen.append(hs).append(" pending=").append(server.isOffloadPending()).append("; ");
            if (hs != HandshakeStatus.NEED_TASK) {
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertNotEquals(HandshakeStatus.NEED_TASK, server.getHandshakeStatus(), seen.toString());
    }

    /** Nobody runs the delegated task: the step must finish on its own and the callback must fire. */
    @Test
    void callbackFiresWhenNobodyWaits() throws Exception {
        SSLEngine client = BufferedHandshakeTest.sunClient(null);
        AsyncSSLEngine server = BufferedHandshakeTest.asyncServer(BufferedHandshakeTest.serverContext(50));
        java.util.concurrent.CountDownLatch woken = new java.util.concurrent.CountDownLatch(1);
        server.setOffloadCallback((e, arg) -> woken.countDown(), null);
        byte[] hello = BufferedHandshakeTest.clientHello(client);
        SSLEngineResult r = server.unwrap(ByteBuffer.wrap(hello), ByteBuffer.allocate(1 << 17));
        assertTrue(AsyncSSLEngine.isOffloadPending(r), String.valueOf(r));
        assertTrue(woken.await(5, java.util.concurrent.TimeUnit.SECONDS), "no offload callback within 5 s; pending="
                + server.isOffloadPending() + " status=" + server.getAsyncStatus());
        BufferedHandshakeTest.complete(client, server, ByteBuffer.allocate(1 << 16));
    }

    /** The same with the hello taken by the buffered handshake and the step started by an empty unwrap. */
    @Test
    void callbackFiresWhenNobodyWaitsBuffered() throws Exception {
        SSLEngine client = BufferedHandshakeTest.sunClient(null);
        AsyncSSLEngine server = BufferedHandshakeTest.asyncServer(BufferedHandshakeTest.serverContext(50));
        java.util.concurrent.CountDownLatch woken = new java.util.concurrent.CountDownLatch(1);
        server.setOffloadCallback((e, arg) -> woken.countDown(), null);
        byte[] hello = BufferedHandshakeTest.clientHello(client);
        server.beginHandshake(ByteBuffer.wrap(hello));
        SSLEngineResult r = server.unwrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 17));
        assertTrue(AsyncSSLEngine.isOffloadPending(r), String.valueOf(r));
        assertTrue(woken.await(5, java.util.concurrent.TimeUnit.SECONDS), "no offload callback within 5 s; pending="
                + server.isOffloadPending() + " status=" + server.getAsyncStatus());
        BufferedHandshakeTest.complete(client, server, ByteBuffer.allocate(1 << 16));
    }
}
