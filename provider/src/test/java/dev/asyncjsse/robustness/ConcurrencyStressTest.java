package dev.asyncjsse.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.offload.JobScheduler;
import dev.asyncjsse.testkit.PeerPorts;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import dev.asyncjsse.testkit.EnginePair;
import org.junit.jupiter.api.Test;

/**
 * Engines used from several threads the way real servers do: wrap on one thread while another unwraps,
 * an offload callback racing with a close from another thread, and several selector loops sharing one
 * offloader.
 */
class ConcurrencyStressTest {

    @Test
    void wrapAndUnwrapOnDifferentThreads() throws Exception {
        SSLEngine server = Fixtures.asyncServer(Fixtures.latencyOffloader(1), Duration.ofSeconds(5)).createSSLEngine();
        server.setUseClientMode(false);
        SSLEngine client = Fixtures.sunClient().createSSLEngine("localhost", PeerPorts.next());
        client.setUseClientMode(true);
        new EnginePair(client, server).handshake();

        int messages = 2000;
        BlockingQueue<ByteBuffer> toClient = new ArrayBlockingQueue<>(64);
        BlockingQueue<ByteBuffer> toServer = new ArrayBlockingQueue<>(64);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(5, Fixtures.daemonThreads("stress-"));
        // server wraps on one thread, unwraps on another; the client likewise; a fifth thread reads getters
        List<Future<String>> jobs = new ArrayList<>();
        jobs.add(threads.submit(() -> sendAll(server, toClient, "s", messages)));
        jobs.add(threads.submit(() -> sendAll(client, toServer, "c", messages)));
        jobs.add(threads.submit(() -> receiveAll(server, toServer, "c", messages)));
        jobs.add(threads.submit(() -> receiveAll(client, toClient, "s", messages)));
        Future<?> getters = threads.submit(() -> {
            while (!stop.get()) {
                server.getHandshakeStatus();
                server.getSession().getCipherSuite();
                ((AsyncSSLEngine) server).isOffloadPending();
                server.isInboundDone();
            }
            return null;
        });
        for (Future<String> f : jobs) {
            assertEquals("ok", f.get(60, TimeUnit.SECONDS));
        }
        stop.set(true);
        getters.get(5, TimeUnit.SECONDS);
        threads.shutdownNow();
    }

    private static String sendAll(SSLEngine engine, BlockingQueue<ByteBuffer> out, String tag, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            ByteBuffer src = ByteBuffer.wrap((tag + i + ";").getBytes(StandardCharsets.US_ASCII));
            ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            SSLEngineResult r = engine.wrap(src, net);
            if (r.getStatus() != SSLEngineResult.Status.OK || src.hasRemaining()) {
                return "wrap " + i + ": " + r;
            }
            net.flip();
            out.put(net);
        }
        return "ok";
    }

    private static String receiveAll(SSLEngine engine, BlockingQueue<ByteBuffer> in, String tag, int n) throws Exception {
        StringBuilder got = new StringBuilder();
        ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        int count = 0;
        while (count < n) {
            ByteBuffer net = in.poll(30, TimeUnit.SECONDS);
            if (net == null) {
                return "starved after " + count + " messages";
            }
            while (net.hasRemaining()) {
                SSLEngineResult r = engine.unwrap(net, app);
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    return "unwrap after " + count + ": " + r;
                }
            }
            app.flip();
            got.append(StandardCharsets.US_ASCII.decode(app));
            app.clear();
            count++;
        }
        String[] parts = got.toString().split(";");
        for (int i = 0; i < n; i++) {
            if (!parts[i].equals(tag + i)) {
                return "message " + i + " was '" + parts[i] + "'";
            }
        }
        return "ok";
    }

    /**
     * An offload callback racing with closeOutbound() from another thread: the callback must not start
     * well after the close returned, no job may be left, and the engine must produce its closing
     * records. The close lands anywhere from before the key operation starts to after it completes.
     */
    @Test
    void callbackRacingWithClose() throws Exception {
        SSLContext ctx = Fixtures.asyncServer(Fixtures.latencyOffloader(2), Duration.ofSeconds(5));
        SSLContext sun = Fixtures.sunClient();
        int rounds = 300;
        int jobsBefore = JobScheduler.shared().activeJobs();
        AtomicInteger lateCallbacks = new AtomicInteger();
        AtomicInteger narrowRaces = new AtomicInteger();
        AtomicInteger callbacksBeforeClose = new AtomicInteger();
        List<String> problems = new ArrayList<>();
        ExecutorService closer = Executors.newSingleThreadExecutor(Fixtures.daemonThreads("closer-"));
        Random random = new Random(42);
        for (int i = 0; i < rounds; i++) {
            AsyncSSLEngine s = (AsyncSSLEngine) ctx.createSSLEngine();
            s.setUseClientMode(false);
            AtomicLong closedAt = new AtomicLong();
            s.setOffloadCallback((engine, arg) -> {
                long now = System.nanoTime();
                long closed = closedAt.get();
                if (closed == 0) {
                    callbacksBeforeClose.incrementAndGet();
                } else if (now - closed > TimeUnit.MILLISECONDS.toNanos(20)) {
                    lateCallbacks.incrementAndGet();
                } else {
                    narrowRaces.incrementAndGet();
                }
            }, null);
            SSLEngine c = sun.createSSLEngine("localhost", PeerPorts.next());
            c.setUseClientMode(true);
            ByteBuffer hello = ByteBuffer.allocate(c.getSession().getPacketBufferSize());
            c.wrap(ByteBuffer.allocate(0), hello);
            hello.flip();
            int delayMicros = random.nextInt(30_000);
            CountDownLatch go = new CountDownLatch(1);
            Future<?> close = closer.submit(() -> {
                go.await();
                long until = System.nanoTime() + delayMicros * 1000L;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                s.closeOutbound();
                closedAt.set(System.nanoTime());
                return null;
            });
            go.countDown();
            try {
                s.unwrap(hello, ByteBuffer.allocate(s.getSession().getApplicationBufferSize()));
            } catch (SSLException expected) {
                // closed under our feet: fine
            }
            close.get(5, TimeUnit.SECONDS);
            // after the close, wrap must lead to outbound done without hanging
            ByteBuffer out = ByteBuffer.allocate(s.getSession().getPacketBufferSize() * 2);
            for (int k = 0; k < 20 && !s.isOutboundDone(); k++) {
                try {
                    SSLEngineResult r = s.wrap(ByteBuffer.allocate(0), out);
                    if (AsyncSSLEngine.isOffloadPending(r)) {
                        Thread.sleep(1);
                    }
                } catch (SSLException expected) {
                    break;
                }
            }
            if (!s.isOutboundDone() && s.isOffloadPending()) {
                problems.add("round " + i + " (close after " + delayMicros + " us): still pending after close and 20 wraps");
            }
        }
        closer.shutdownNow();
        Thread.sleep(100); // the window in which a callback that escaped the close would still show up
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (JobScheduler.shared().activeJobs() > jobsBefore && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        System.out.printf("callback vs close: %d rounds, %d callbacks before the close, %d within 20 ms after it"
                + " (a callback already on its way), %d late%n", rounds, callbacksBeforeClose.get(), narrowRaces.get(),
                lateCallbacks.get());
        assertEquals(jobsBefore, JobScheduler.shared().activeJobs(), "jobs left behind");
        assertEquals(0, lateCallbacks.get(), "callbacks that started more than 20 ms after the engine was closed");
        assertEquals(List.of(), problems);
    }

    @Test
    void severalSelectorLoopsShareOneOffloader() throws Exception {
        SSLContext shared = Fixtures.asyncServer(Fixtures.latencyOffloader(2), Duration.ofSeconds(10));
        List<NioTlsServer> loops = new ArrayList<>();
        List<NioTlsServer.Listener> listeners = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                NioTlsServer s = new NioTlsServer();
                listeners.add(s.listen("loop" + i, shared, null));
                loops.add(s.start());
            }
            SSLContext sun = Fixtures.sunClient();
            ExecutorService clients = Executors.newFixedThreadPool(6, Fixtures.daemonThreads("shared-client-"));
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                int port = listeners.get(i % 3).port();
                String protocol = i % 2 == 0 ? "TLSv1.3" : "TLSv1.2";
                results.add(clients.submit(() -> SoakTest.handshake(sun, port, protocol, false)));
            }
            int ok = 0;
            List<String> failures = new ArrayList<>();
            for (Future<String> f : results) {
                String r = f.get(60, TimeUnit.SECONDS);
                if (r.equals("ok")) {
                    ok++;
                } else if (failures.size() < 5) {
                    failures.add(r);
                }
            }
            clients.shutdownNow();
            System.out.println("shared offloader: " + ok + " of 150 handshakes over 3 loops");
            assertEquals(List.of(), failures);
            for (NioTlsServer s : loops) {
                assertEquals(List.of(), s.crashes);
            }
            assertTrue(ok == 150);
        } finally {
            for (NioTlsServer s : loops) {
                s.close();
            }
        }
    }
}
