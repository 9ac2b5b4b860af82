package dev.asyncjsse.offload;

import static dev.asyncjsse.offload.OffloadTestSupport.PKI;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees of offloaded handshakes: the {@code dev.asyncjsse.*} JFR events (recorded
 * in-process and read back), the context's MBean read through the platform MBean server, and the
 * log lines on {@code dev.asyncjsse.offload} and {@code dev.asyncjsse.handshake}.
 */
class OffloadMonitoringTest {

    static final TestPki.Identity SERVER_ID = PKI.issue(KeyKind.EC_P256, "localhost", "localhost");
    static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();

    @TempDir
    Path dir;

    /** Each test's engines have their own peer name, so events of other tests never match. */
    String peerHost;
    SaturableOffloader offloader;
    SSLContext serverCtx;
    String contextName;

    @BeforeEach
    void setUp() throws Exception {
        peerHost = "peer-" + System.nanoTime() + ".example";
        offloader = new SaturableOffloader(new ManualOffloader());
        serverCtx = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, offloader);
        contextName = "monitoring-" + System.nanoTime();
        AsyncJsse.setMonitoringName(serverCtx, contextName);
    }

    @AfterEach
    void releaseAnyHeldOperation() {
        ManualOffloader.Request r;
        while ((r = offloader.manual.poll()) != null) {
            r.fail(new IOException("test over"));
        }
    }

    /** A server engine for {@code peerHost:4433} and a SunJSSE client. */
    Pump pair() throws Exception {
        SSLEngine server = serverCtx.createSSLEngine(peerHost, 4433);
        server.setUseClientMode(false);
        SSLEngine client = OffloadTestSupport.client(OffloadTestSupport.sunContext(null, PKI.trustManagers()), "TLSv1.3");
        return new Pump(client, server);
    }

    static ManualOffloader.Request park(Pump pump, ManualOffloader offloader) throws Exception {
        ManualOffloadTest.driveToOffloadRequest(pump, (AsyncSSLEngine) pump.server, offloader);
        ManualOffloader.Request request = offloader.poll();
        assertNotNull(request);
        return request;
    }

    static SSLHandshakeException failureAfterCallback(Pump pump) throws Exception {
        assertTrue(pump.callbacks.tryAcquire(10, TimeUnit.SECONDS), "no callback");
        return assertThrows(SSLHandshakeException.class, () -> pump.complete(10_000));
    }

    static long engineId(SSLEngine engine) {
        String s = engine.toString();
        int hash = s.indexOf('#');
        return Long.parseLong(s.substring(hash + 1, s.indexOf(',', hash)));
    }

    Object attribute(String name) throws Exception {
        return MBEANS.getAttribute(new ObjectName("dev.asyncjsse:type=Offload,name=" + contextName), name);
    }

    long longAttribute(String name) throws Exception {
        return ((Number) attribute(name)).longValue();
    }

    List<RecordedEvent> events(Recording recording, String type) throws IOException {
        Path file = dir.resolve("recording.jfr");
        recording.dump(file);
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(type))
                .filter(e -> (peerHost + ":4433").equals(e.getString("peer")))
                .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime)) // buffers are per thread
                .collect(Collectors.toList());
    }

    /**
     * One handshake per outcome: completed twice (once after an EAGAIN), failed by the key service,
     * timed out, and closed while pending. Every key operation and handshake has its JFR event with
     * the right fields, and the MBean counts them.
     */
    @Test
    void eventsAndCountersForEveryOutcome() throws Exception {
        ManualOffloader manual = offloader.manual;
        Map<String, Long> engineByCase = new java.util.HashMap<>();
        try (Recording recording = new Recording()) {
            recording.enable("dev.asyncjsse.Handshake");
            recording.enable("dev.asyncjsse.KeyOperation");
            recording.start();

            Pump ok = pair();
            engineByCase.put("ok", engineId(ok.server));
            ManualOffloader.Request request = park(ok, manual);
            long parkedAt = System.nanoTime();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(30)); // a visible time pending
            long heldNanos = System.nanoTime() - parkedAt;
            assertTrue(request.complete());
            ok.complete(10_000);
            assertEquals(1, ok.serverFinished);

            Pump failed = pair();
            engineByCase.put("failed", engineId(failed.server));
            park(failed, manual).fail(new IOException("HSM slot 3 unavailable"));
            assertTrue(failureAfterCallback(failed).getMessage().contains("HSM slot 3 unavailable"));

            AsyncJsse.setOffloadTimeout(serverCtx, Duration.ofMillis(300));
            Pump timedOut = pair();
            engineByCase.put("timedOut", engineId(timedOut.server));
            ManualOffloader.Request abandoned = park(timedOut, manual);
            assertTrue(failureAfterCallback(timedOut).getMessage().contains("timed out"));
            assertTrue(abandoned.stage.isCancelled(), "the offloader sees its timed-out stage cancelled");
            AsyncJsse.setOffloadTimeout(serverCtx, Duration.ofSeconds(10));

            Pump closed = pair();
            engineByCase.put("closed", engineId(closed.server));
            ManualOffloader.Request cancelled = park(closed, manual);
            closed.server.closeOutbound();
            assertTrue(cancelled.stage.isCancelled());
            assertThrows(java.util.concurrent.CancellationException.class, cancelled.stage::join);

            offloader.saturated = true;
            Pump refused = pair();
            engineByCase.put("eagain", engineId(refused.server));
            assertEquals(refused.server, refused.run(), "the server waits for capacity");
            assertNull(manual.peek(), "nothing was submitted");
            offloader.release();
            assertTrue(refused.callbacks.tryAcquire(10, TimeUnit.SECONDS), "no callback when capacity came back");
            assertTrue(park(refused, manual).complete());
            refused.complete(10_000);
            assertEquals(1, refused.serverFinished);

            recording.stop();

            List<RecordedEvent> keyOps = events(recording, "dev.asyncjsse.KeyOperation");
            Map<Long, List<String>> outcomes = keyOps.stream().collect(Collectors.groupingBy(
                    e -> e.getLong("engineId"), Collectors.mapping(e -> e.getString("outcome"), Collectors.toList())));
            assertEquals(List.of("ok"), outcomes.get(engineByCase.get("ok")), keyOps::toString);
            assertEquals(List.of("failed"), outcomes.get(engineByCase.get("failed")), keyOps::toString);
            assertEquals(List.of("timed out"), outcomes.get(engineByCase.get("timedOut")), keyOps::toString);
            assertEquals(List.of("cancelled"), outcomes.get(engineByCase.get("closed")), keyOps::toString);
            assertEquals(List.of("EAGAIN", "ok"), outcomes.get(engineByCase.get("eagain")), keyOps::toString);
            for (RecordedEvent e : keyOps) {
                if (e.getString("outcome").equals("EAGAIN")) {
                    continue;
                }
                assertEquals("sign", e.getString("operation"), e::toString);
                assertTrue(e.getString("algorithm").contains("ECDSA"), e::toString);
                assertEquals("EC", e.getString("keyType"), e::toString);
                assertEquals(0, e.getDuration("queueTime").toNanos(), "a custom offloader tells no queue time: " + e);
                assertTrue(e.getDuration("runTime").toNanos() > 0, e::toString);
            }
            RecordedEvent failedOp = keyOps.stream().filter(e -> e.getString("outcome").equals("failed")).findFirst().get();
            assertTrue(failedOp.getString("failure").contains("HSM slot 3 unavailable"), failedOp::toString);
            RecordedEvent cancelledOp = keyOps.stream().filter(e -> e.getString("outcome").equals("cancelled")).findFirst().get();
            assertTrue(cancelledOp.getString("failure").contains("closed while an offloaded operation was pending"), cancelledOp::toString);
            RecordedEvent timeoutOp = keyOps.stream().filter(e -> e.getString("outcome").equals("timed out")).findFirst().get();
            assertTrue(timeoutOp.getDuration("runTime").toMillis() >= 300, timeoutOp::toString);

            List<RecordedEvent> handshakes = events(recording, "dev.asyncjsse.Handshake");
            assertEquals(5, handshakes.size(), handshakes::toString);
            Map<Long, RecordedEvent> byEngine = handshakes.stream().collect(Collectors.toMap(e -> e.getLong("engineId"), e -> e));
            for (String completed : List.of("ok", "eagain")) {
                RecordedEvent e = byEngine.get(engineByCase.get(completed));
                assertNull(e.getString("failure"), e::toString);
                assertEquals("TLSv1.3", e.getString("protocol"), e::toString);
                assertTrue(e.getString("cipherSuite").startsWith("TLS_"), e::toString);
                assertFalse(e.getBoolean("resumed"), e::toString);
                assertFalse(e.getBoolean("clientMode"), e::toString);
                assertTrue(e.getBoolean("offloaded"), e::toString);
                assertTrue(e.getDuration("pendingTime").toNanos() > 0, e::toString);
                assertTrue(e.getDuration().compareTo(e.getDuration("pendingTime")) >= 0, e::toString);
            }
            RecordedEvent okHandshake = byEngine.get(engineByCase.get("ok"));
            assertTrue(okHandshake.getDuration("pendingTime").toNanos() >= heldNanos, okHandshake::toString);
            RecordedEvent failedHandshake = byEngine.get(engineByCase.get("failed"));
            assertTrue(failedHandshake.getString("failure").contains("HSM slot 3 unavailable"), failedHandshake::toString);
            assertTrue(failedHandshake.getBoolean("offloadFailure"), failedHandshake::toString);
            RecordedEvent timedOutHandshake = byEngine.get(engineByCase.get("timedOut"));
            assertTrue(timedOutHandshake.getString("failure").contains("did not complete within 300 ms"), timedOutHandshake::toString);
            assertTrue(timedOutHandshake.getBoolean("offloadFailure"), timedOutHandshake::toString);
            RecordedEvent closedHandshake = byEngine.get(engineByCase.get("closed"));
            assertTrue(closedHandshake.getString("failure").contains("closed while an offloaded operation was pending"),
                    closedHandshake::toString);
            assertFalse(closedHandshake.getBoolean("offloadFailure"), "closing is not the offloader's fault: " + closedHandshake);
        }

        assertEquals(5L, longAttribute("HandshakesStarted"));
        assertEquals(2L, longAttribute("HandshakesCompleted"));
        assertEquals(3L, longAttribute("HandshakesFailed"));
        assertEquals(2L, longAttribute("HandshakesFailedByOffload"));
        assertEquals(0L, longAttribute("HandshakesPending"));
        assertEquals(0L, longAttribute("KeyOperationsInFlight"));
        assertEquals(2L, longAttribute("KeyOperationsOk"));
        assertEquals(1L, longAttribute("KeyOperationsFailed"));
        assertEquals(1L, longAttribute("KeyOperationsTimedOut"));
        assertEquals(1L, longAttribute("KeyOperationsCancelled"));
        assertEquals(1L, longAttribute("KeyOperationsEagain"));
        assertEquals(5L, longAttribute("KeyOperationLatencySamples"));
        long p50 = longAttribute("KeyOperationLatencyP50Micros");
        long p99 = longAttribute("KeyOperationLatencyP99Micros");
        long max = longAttribute("KeyOperationLatencyMaxMicros");
        assertTrue(0 < p50 && p50 <= p99 && p99 <= max, p50 + " " + p99 + " " + max);
        assertTrue(max >= 300_000, "the timed-out operation took the 300 ms timeout: " + max);
        assertEquals(2L, longAttribute("HandshakeTimeSamples"));
        assertTrue(longAttribute("HandshakeTimeMaxMicros") >= longAttribute("HandshakeTimeP50Micros"));
        assertEquals(contextName, attribute("Name"));
    }

    /** While a slow offloader holds three handshakes, the MBean shows them pending and in flight. */
    @Test
    void mbeanShowsWhatIsPendingDuringASlowRun() throws Exception {
        List<Pump> pumps = new ArrayList<>();
        List<ManualOffloader.Request> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Pump pump = pair();
            pumps.add(pump);
            held.add(park(pump, offloader.manual));
        }
        assertEquals(3L, longAttribute("KeyOperationsInFlight"));
        assertEquals(3L, longAttribute("HandshakesPending"));
        assertEquals(3L, longAttribute("HandshakesStarted"));
        assertEquals(0L, longAttribute("HandshakesCompleted"));
        assertEquals(0L, longAttribute("KeyOperationLatencySamples"));

        assertTrue(held.get(0).complete());
        pumps.get(0).complete(10_000);
        assertEquals(2L, longAttribute("KeyOperationsInFlight"));
        assertEquals(2L, longAttribute("HandshakesPending"));
        assertEquals(1L, longAttribute("HandshakesCompleted"));
        assertEquals(1L, longAttribute("KeyOperationLatencySamples"));

        for (int i = 1; i < 3; i++) {
            assertTrue(held.get(i).complete());
            pumps.get(i).complete(10_000);
        }
        assertEquals(0L, longAttribute("KeyOperationsInFlight"));
        assertEquals(0L, longAttribute("HandshakesPending"));
        assertEquals(3L, longAttribute("HandshakesCompleted"));
        assertEquals(3L, longAttribute("KeyOperationsOk"));
    }

    /** Keeps {@code executor}'s thread busy until the returned latch is counted down: what it is given next queues. */
    private static CountDownLatch occupy(ExecutorService executor) {
        CountDownLatch blocker = new CountDownLatch(1);
        executor.execute(() -> {
            try {
                blocker.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return blocker;
    }

    /** The built-in executor offloader says when a thread took the operation up: the rest was queueing. */
    @Test
    void queueTimeOfTheExecutorOffloader() throws Exception {
        ExecutorService oneThread = Executors.newSingleThreadExecutor();
        try (Recording recording = new Recording()) {
            recording.enable("dev.asyncjsse.KeyOperation");
            recording.start();
            CountDownLatch blocker = occupy(oneThread);
            AsyncJsse.setKeyOffloader(serverCtx, KeyOffloaders.executor(oneThread));
            Pump pump = pair();
            assertEquals(pump.server, pump.run(), "the server waits for its signature");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (longAttribute("KeyOperationsInFlight") == 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the step may still be before the signature
            }
            assertEquals(1L, longAttribute("KeyOperationsInFlight"));
            long queuedAt = System.nanoTime();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the operation waits in the queue
            long queuedFor = System.nanoTime() - queuedAt;
            blocker.countDown();
            pump.complete(10_000);
            recording.stop();
            List<RecordedEvent> ops = events(recording, "dev.asyncjsse.KeyOperation");
            assertEquals(1, ops.size(), ops::toString);
            RecordedEvent op = ops.get(0);
            assertEquals("ok", op.getString("outcome"));
            assertTrue(op.getDuration("queueTime").toNanos() >= queuedFor, op::toString);
            assertTrue(op.getDuration("runTime").toNanos() > 0, op::toString);
            assertTrue(op.getDuration().toNanos() >= op.getDuration("queueTime").toNanos(), op::toString);
        } finally {
            oneThread.shutdownNow();
        }
    }

    /**
     * The handshake is woken only after its key operation is counted and its event committed: an
     * operator reading the MBean, or a test stopping its recording, once the handshake has moved on
     * sees the operation. The callback reads the counter on the thread that completed the operation.
     */
    @Test
    void aKeyOperationIsCountedBeforeItsHandshakeIsWoken() throws Exception {
        ExecutorService oneThread = Executors.newSingleThreadExecutor();
        try {
            // the signature queues behind the occupied thread, so the handshake cannot find it done and must be woken
            CountDownLatch blocker = occupy(oneThread);
            AsyncJsse.setKeyOffloader(serverCtx, KeyOffloaders.executor(oneThread));
            long okBefore = longAttribute("KeyOperationsOk");
            Pump pump = pair();
            java.util.concurrent.atomic.AtomicLong okWhenWoken = new java.util.concurrent.atomic.AtomicLong(-1);
            ((AsyncSSLEngine) pump.server).setOffloadCallback((engine, arg) -> {
                try {
                    okWhenWoken.compareAndSet(-1, longAttribute("KeyOperationsOk"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                pump.callbacks.release();
            }, null);
            assertEquals(pump.server, pump.run(), "the server waits for its signature");
            blocker.countDown();
            pump.complete(10_000);
            assertEquals(okBefore + 1, okWhenWoken.get(), "the operation was counted before the callback woke the handshake");
        } finally {
            oneThread.shutdownNow();
        }
    }

    /** WARNING lines for a failed key operation and the handshake it failed; DEBUG for start and finish. */
    @Test
    void logLinesNameEngineAndPeerButNoKey() throws Exception {
        Logger offloadLog = Logger.getLogger("dev.asyncjsse.offload");
        Logger handshakeLog = Logger.getLogger("dev.asyncjsse.handshake");
        Queue<LogRecord> records = new ConcurrentLinkedQueue<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level handshakeLevel = handshakeLog.getLevel();
        offloadLog.addHandler(capture);
        handshakeLog.addHandler(capture);
        handshakeLog.setLevel(Level.FINE);
        try {
            Pump ok = pair();
            assertTrue(park(ok, offloader.manual).complete());
            ok.complete(10_000);
            Pump failed = pair();
            long failedId = engineId(failed.server);
            ManualOffloader.Request request = park(failed, offloader.manual);
            request.fail(new IOException("HSM slot 3 unavailable"));
            failureAfterCallback(failed);

            List<String> lines = records.stream()
                    .map(r -> r.getLevel() + " " + r.getLoggerName() + " " + new java.util.logging.SimpleFormatter().formatMessage(r))
                    .collect(Collectors.toList());
            String all = String.join("\n", lines);
            String peer = peerHost + ":4433";
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("FINE dev.asyncjsse.handshake handshake started: engine "
                    + engineId(ok.server) + ", peer " + peer)), all);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("FINE dev.asyncjsse.handshake handshake finished: engine "
                    + engineId(ok.server) + ", peer " + peer + ", TLSv1.3 TLS_")), all);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARNING dev.asyncjsse.offload key operation failed: engine "
                    + failedId + ", peer " + peer) && l.contains(": sign ") && l.contains("ECDSA (EC key) after") && l.contains("HSM slot 3 unavailable")), all);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARNING dev.asyncjsse.handshake handshake failed because of the key offloader: engine "
                    + failedId + ", peer " + peer + ", context " + contextName) && l.contains("HSM slot 3 unavailable")), all);
            PrivateKey key = request.key;
            String keyHex = java.util.HexFormat.of().formatHex(key.getEncoded());
            String keyBase64 = java.util.Base64.getEncoder().encodeToString(key.getEncoded());
            for (String line : lines) {
                assertFalse(line.contains(keyHex.substring(keyHex.length() - 32)) || line.contains(keyBase64.substring(keyBase64.length() - 24)),
                        "key material in " + line);
            }
            assertTrue(records.stream().noneMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue()
                    && r.getMessage().contains("engine " + engineId(ok.server) + ",")), "no warning for the good handshake: " + all);
        } finally {
            offloadLog.removeHandler(capture);
            handshakeLog.removeHandler(capture);
            handshakeLog.setLevel(handshakeLevel);
        }
    }

    /** The MBean is registered at init, moves with a new name, and goes when its context is garbage. */
    @Test
    void mbeanFollowsTheContextsNameAndLifetime() throws Exception {
        String name = "lifetime-" + System.nanoTime();
        ObjectName objectName = new ObjectName("dev.asyncjsse:type=Offload,name=" + name);
        WeakReference<SSLContext> gone = registerThrowAway(name);
        assertTrue(MBEANS.isRegistered(objectName), "registered while the context lives");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((gone.get() != null || MBEANS.isRegistered(objectName)) && System.nanoTime() < deadline) {
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            attribute("HandshakesStarted"); // a scraper's read sweeps collected contexts
        }
        assertNull(gone.get(), "the MBean must not keep its context alive");
        assertFalse(MBEANS.isRegistered(objectName), "the MBean of a collected context is unregistered");

        String renamed = contextName + "-renamed";
        AsyncJsse.setMonitoringName(serverCtx, renamed);
        assertFalse(MBEANS.isRegistered(new ObjectName("dev.asyncjsse:type=Offload,name=" + contextName)));
        assertTrue(MBEANS.isRegistered(new ObjectName("dev.asyncjsse:type=Offload,name=" + renamed)));
        SSLContext twin = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, null);
        AsyncJsse.setMonitoringName(twin, renamed);
        assertEquals(renamed, MBEANS.getAttribute(new ObjectName("dev.asyncjsse:type=Offload,name=" + renamed), "Name"));
        assertTrue(MBEANS.isRegistered(new ObjectName("dev.asyncjsse:type=Offload,name=" + renamed + "-2")),
                "a second context with the same name gets a numbered variant");
        AsyncJsse.setMonitoringName(twin, "with, comma=and:colon");
        assertTrue(MBEANS.isRegistered(new ObjectName("dev.asyncjsse:type=Offload,name="
                + ObjectName.quote("with, comma=and:colon"))));
    }

    private static WeakReference<SSLContext> registerThrowAway(String name) throws Exception {
        SSLContext ctx = OffloadTestSupport.asyncContext(TestPki.keyManagers(SERVER_ID), null, new ManualOffloader());
        AsyncJsse.setMonitoringName(ctx, name);
        SSLEngine engine = ctx.createSSLEngine();
        engine.setUseClientMode(false);
        engine.beginHandshake();
        return new WeakReference<>(ctx);
    }

    /** A key offloader that the test can make refuse work (EAGAIN). */
    static final class SaturableOffloader implements KeyOffloader {
        final ManualOffloader manual;
        volatile boolean saturated;
        private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

        SaturableOffloader(ManualOffloader manual) {
            this.manual = manual;
        }

        void release() {
            saturated = false;
            Runnable r;
            while ((r = waiting.poll()) != null) {
                r.run();
            }
        }

        @Override
        public CompletionStage<byte[]> sign(PrivateKey key, String alg, AlgorithmParameterSpec params, byte[] message) {
            return manual.sign(key, alg, params, message);
        }

        @Override
        public CompletionStage<byte[]> decrypt(PrivateKey key, String transformation, byte[] ciphertext) {
            return manual.decrypt(key, transformation, ciphertext);
        }

        @Override
        public boolean isSaturated() {
            return saturated;
        }

        @Override
        public void whenUnsaturated(Runnable listener) {
            waiting.add(listener);
            if (!saturated && waiting.remove(listener)) {
                listener.run();
            }
        }
    }
}
