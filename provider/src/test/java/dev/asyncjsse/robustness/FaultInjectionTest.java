package dev.asyncjsse.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.offload.JobScheduler;
import dev.asyncjsse.robustness.FaultyOffloaders.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Fault injection across connections in one selector loop: 20 connections, most with a working
 * offloader, some whose offloader fails, hangs past the timeout, throws, returns garbage or null
 * signatures, completes twice, completes on the caller's thread or on the selector loop's own thread;
 * one whose callback throws; one
 * closed from another thread while its offload is pending. Only the faulty ones may fail, each with a
 * clear message; every other connection completes its handshake and echoes data.
 */
class FaultInjectionTest {

    /** One client connection and what we expect of it. */
    static final class Case {
        final String name;
        final String protocol;
        final boolean shouldSucceed;
        final String serverMessage; // a word the server-side failure must contain, or null
        NioTlsServer.Listener listener;
        String clientOutcome;

        Case(String name, String protocol, boolean shouldSucceed, String serverMessage) {
            this.name = name;
            this.protocol = protocol;
            this.shouldSucceed = shouldSucceed;
            this.serverMessage = serverMessage;
        }
    }

    @Test
    void onlyTheFaultyConnectionsFail() throws Exception {
        int jobsBefore = JobScheduler.shared().activeJobs();
        int injectedBefore = FaultyOffloaders.INJECTED.get();
        ExecutorService pool = Fixtures.OFFLOAD_POOL;
        List<Case> cases = new ArrayList<>();
        Map<String, NioTlsServer.Conn> closedFromOutside = new LinkedHashMap<>();
        int[] callbacksAtClose = {-1};
        try (NioTlsServer server = new NioTlsServer()) {
            NioTlsServer.Listener ok = server.listen("ok", Fixtures.asyncServer(Fixtures.latencyOffloader(5), Duration.ofSeconds(2)), null);
            for (int i = 0; i < 9; i++) {
                Case c = new Case("ok-" + i, i % 2 == 0 ? "TLSv1.3" : "TLSv1.2", true, null);
                c.listener = ok;
                cases.add(c);
            }
            addFault(server, cases, Fault.FAIL, "TLSv1.3", false, "HSM unavailable", Duration.ofSeconds(2));
            addFault(server, cases, Fault.HANG, "TLSv1.3", false, "did not complete within", Duration.ofMillis(300));
            addFault(server, cases, Fault.THROW, "TLSv1.3", false, "sign exploded", Duration.ofSeconds(2));
            addFault(server, cases, Fault.GARBAGE, "TLSv1.3", false, null, Duration.ofSeconds(2));
            addFault(server, cases, Fault.GARBAGE, "TLSv1.2", false, null, Duration.ofSeconds(2));
            addFault(server, cases, Fault.NULL_RESULT, "TLSv1.3", false, null, Duration.ofSeconds(2));
            addFault(server, cases, Fault.COMPLETE_TWICE, "TLSv1.3", true, null, Duration.ofSeconds(2));
            addFault(server, cases, Fault.CALLER_THREAD, "TLSv1.2", true, null, Duration.ofSeconds(2));

            // the key service's reply is delivered by the selector loop itself (DESIGN: the wait budget must
            // keep this from deadlocking)
            Case loopCompletes = new Case("reply-on-loop-thread", "TLSv1.2", true, null);
            dev.asyncjsse.KeyOffloader real = dev.asyncjsse.KeyOffloaders.executor(pool);
            loopCompletes.listener = server.listen(loopCompletes.name, Fixtures.asyncServer(new dev.asyncjsse.KeyOffloader() {
                @Override
                public java.util.concurrent.CompletionStage<byte[]> sign(java.security.PrivateKey key, String alg,
                        java.security.spec.AlgorithmParameterSpec params, byte[] message) {
                    java.util.concurrent.CompletableFuture<byte[]> onLoop = new java.util.concurrent.CompletableFuture<>();
                    real.sign(key, alg, params, message).whenComplete((sig, err) -> server.execute(() -> {
                        if (err != null) {
                            onLoop.completeExceptionally(err);
                        } else {
                            onLoop.complete(sig);
                        }
                    }));
                    return onLoop;
                }

                @Override
                public java.util.concurrent.CompletionStage<byte[]> decrypt(java.security.PrivateKey key, String t, byte[] c) {
                    return real.decrypt(key, t, c);
                }
            }, Duration.ofSeconds(2)), null);
            cases.add(loopCompletes);

            Case throwingCallback = new Case("callback-throws", "TLSv1.3", true, null);
            throwingCallback.listener = server.listen("callback-throws",
                    Fixtures.asyncServer(Fixtures.latencyOffloader(5), Duration.ofSeconds(2)), conn ->
                            ((AsyncSSLEngine) conn.engine).setOffloadCallback((engine, arg) -> {
                                conn.wake();
                                throw new IllegalStateException("callback exploded (injected fault)");
                            }, null));
            cases.add(throwingCallback);

            Case closed = new Case("closed-while-pending", "TLSv1.3", false, null);
            closed.listener = server.listen("closed-while-pending",
                    Fixtures.asyncServer(Fixtures.latencyOffloader(400), Duration.ofSeconds(3)), conn -> {
                        Thread closer = new Thread(() -> {
                            AsyncSSLEngine e = (AsyncSSLEngine) conn.engine;
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                            while (!e.isOffloadPending() && System.nanoTime() < deadline) {
                                Thread.onSpinWait();
                            }
                            System.out.println("closer: pending=" + e.isOffloadPending() + " after "
                                    + (System.nanoTime() - deadline + TimeUnit.SECONDS.toNanos(10)) / 1_000_000 + " ms");
                            if (e.isOffloadPending()) {
                                callbacksAtClose[0] = conn.callbacks;
                                closedFromOutside.put("conn", conn);
                                e.closeOutbound(); // from a foreign thread, while pending
                                server.execute(() -> server.drive(conn));
                            }
                        }, "closer");
                        closer.setDaemon(true);
                        closer.start();
                    });
            cases.add(closed);
            assertEquals(20, cases.size());
            server.start();

            ExecutorService clients = Executors.newFixedThreadPool(20, Fixtures.daemonThreads("fault-client-"));
            List<Future<String>> results = new ArrayList<>();
            SSLContext sun = Fixtures.sunClient();
            for (Case c : cases) {
                results.add(clients.submit(() -> runClient(sun, c)));
            }
            for (int i = 0; i < cases.size(); i++) {
                cases.get(i).clientOutcome = results.get(i).get(20, TimeUnit.SECONDS);
            }
            clients.shutdownNow();

            // give the loop a moment to finish closing, then judge
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.open.get() > 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            List<String> problems = new ArrayList<>();
            for (Case c : cases) {
                NioTlsServer.Conn conn = null;
                for (NioTlsServer.Conn k : server.connections) {
                    if (k.listener == c.listener) {
                        conn = k;
                    }
                }
                String line = String.format("%-22s %-8s client: %s | server: %s", c.name, c.protocol, c.clientOutcome,
                        conn == null ? "no connection" : (conn.failure == null ? (conn.handshakeDone ? "ok" : "no failure")
                                : conn.failure.toString()));
                System.out.println(line);
                if (c.shouldSucceed != c.clientOutcome.equals("ok")) {
                    problems.add("expected " + (c.shouldSucceed ? "success" : "failure") + ": " + line);
                }
                if (c.clientOutcome.contains("Timeout") || c.clientOutcome.contains("timed out")) {
                    problems.add("hang: " + line);
                }
                if (c.name.startsWith("garbage") && !c.clientOutcome.toLowerCase().contains("signature")
                        && !c.clientOutcome.contains("decrypt_error")) {
                    problems.add("the SunJSSE client should reject the garbage signature as such: " + line);
                }
                if (c.serverMessage != null && (conn == null || conn.failure == null
                        || !causes(conn.failure).contains(c.serverMessage))) {
                    problems.add("server-side failure should say '" + c.serverMessage + "': " + line);
                }
            }
            NioTlsServer.Conn closedConn = closedFromOutside.get("conn");
            assertNotNull(closedConn, "the closer never saw the offload pending");
            if (closedConn.callbacks != callbacksAtClose[0]) {
                problems.add("a callback fired after the engine was closed (" + callbacksAtClose[0] + " -> "
                        + closedConn.callbacks + ")");
            }
            if (!closedConn.closed) {
                problems.add("the connection closed from another thread never got its closing records written: " + closedConn);
            }
            assertEquals(List.of(), server.crashes, "engine crashes");
            long jobsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (JobScheduler.shared().activeJobs() > jobsBefore && System.nanoTime() < jobsDeadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            if (JobScheduler.shared().activeJobs() > jobsBefore) {
                problems.add("handshake jobs left running: " + JobScheduler.shared().activeJobs());
            }
            System.out.println("faults injected (offloader calls that misbehaved): "
                    + (FaultyOffloaders.INJECTED.get() - injectedBefore) + ", plus a reply delivered on the loop thread, a throwing callback and a foreign close");
            assertEquals(List.of(), problems);
        }
    }

    /**
     * Capacity exhaustion: an offloader that takes one operation at a time, each 20 ms, and 12 clients at
     * once. Connections wait in EAGAIN and are woken when capacity frees; all must complete.
     */
    @Test
    void saturatedOffloaderStillServesEveryone() throws Exception {
        java.util.concurrent.Executor slow = r -> Fixtures.OFFLOAD_POOL.execute(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.run();
        });
        try (NioTlsServer server = new NioTlsServer()) {
            NioTlsServer.Listener l = server.listen("saturated",
                    Fixtures.asyncServer(dev.asyncjsse.KeyOffloaders.executor(slow, 1), Duration.ofSeconds(10)), null);
            server.start();
            SSLContext sun = Fixtures.sunClient();
            ExecutorService clients = Executors.newFixedThreadPool(12, Fixtures.daemonThreads("eagain-client-"));
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String protocol = i % 2 == 0 ? "TLSv1.3" : "TLSv1.2";
                results.add(clients.submit(() -> SoakTest.handshake(sun, l.port(), protocol, false)));
            }
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : results) {
                outcomes.add(f.get(60, TimeUnit.SECONDS));
            }
            clients.shutdownNow();
            System.out.println("saturated offloader: " + outcomes + ", EAGAIN seen " + server.eagain.get() + " times");
            for (String o : outcomes) {
                assertEquals("ok", o);
            }
            assertEquals(List.of(), server.crashes);
        }
    }

    private static void addFault(NioTlsServer server, List<Case> cases, Fault fault, String protocol, boolean succeeds,
                                 String message, Duration timeout) throws IOException {
        Case c = new Case(fault.name().toLowerCase() + "-" + protocol, protocol, succeeds, message);
        c.listener = server.listen(c.name, Fixtures.asyncServer(FaultyOffloaders.of(fault, Fixtures.OFFLOAD_POOL), timeout), null);
        cases.add(c);
    }

    static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append(" <- ");
        }
        return b.toString();
    }

    static String runClient(SSLContext ctx, Case c) {
        long start = System.nanoTime();
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", c.listener.port())) {
            s.setSoTimeout(8000);
            s.setEnabledProtocols(new String[] {c.protocol});
            s.startHandshake();
            s.getOutputStream().write("hello".getBytes());
            s.getOutputStream().flush();
            byte[] b = new byte[5];
            InputStream in = s.getInputStream();
            int n = 0;
            while (n < 5) {
                int r = in.read(b, n, 5 - n);
                if (r < 0) {
                    return "eof after " + n + " bytes of echo";
                }
                n += r;
            }
            s.getSession().invalidate();
            return new String(b).equals("hello") ? "ok" : "bad echo " + new String(b);
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage() + String.format(" (%d ms)", (System.nanoTime() - start) / 1_000_000);
        }
    }
}
