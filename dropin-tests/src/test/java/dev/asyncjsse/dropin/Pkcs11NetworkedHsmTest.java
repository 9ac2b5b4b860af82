package dev.asyncjsse.dropin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.testkit.EnginePair;
import dev.asyncjsse.testkit.SystemTools;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.ObjectName;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A networked HSM: a SoftHSM2 token exported by {@code p11-kit server} over a unix socket and used by
 * the JDK's SunPKCS11 through {@code p11-kit-client.so}, as a token on another host or in another
 * container is. The JVM never loads SoftHSM2; every signature crosses the socket, on the offloader's
 * threads. Killing the server fails exactly the handshakes whose signature was pending, each with an
 * {@code SSLHandshakeException} naming the cause; the TLS server goes on, and serves again once the
 * token is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Pkcs11NetworkedHsmTest {

    /** Offloader threads, so at most this many token sessions are busy at once. */
    static final int SESSIONS = 3;

    static SoftHsm hsm;
    static P11KitServer server;
    static NetworkedTokenOffloader offloader;
    static SSLContext context;
    static X509Certificate cert;
    static ExecutorService delegatedTasks;

    @BeforeAll
    static void exportToken() throws Exception {
        if (!SoftHsm.installed() || !P11KitServer.installed()) {
            return; // each test reports the skip (or, with CI=true, the failure)
        }
        hsm = SoftHsm.createServed(Support.workDir("p11kit-token"));
        hsm.generate("ec", "-keyalg", "EC", "-groupname", "secp256r1");
        server = P11KitServer.start(hsm);

        offloader = new NetworkedTokenOffloader(P11KitServer.clientModule(), Support.workDir("p11kit-client"), SESSIONS);
        KeyStore store = offloader.keyStore();
        cert = (X509Certificate) store.getCertificate("ec");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(store, SoftHsm.PIN.toCharArray());
        OneAliasKeyManager km = new OneAliasKeyManager((X509ExtendedKeyManager) kmf.getKeyManagers()[0], "ec");
        offloader.register("ec", km.getPrivateKey("ec"));

        context = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        context.init(new KeyManager[] {km}, null, null);
        AsyncJsse.setKeyOffloader(context, offloader);
        AsyncJsse.setMonitoringName(context, "networked-hsm");
        delegatedTasks = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "netty-delegated");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (offloader != null) {
            offloader.close();
        }
        if (server != null) {
            server.close();
        }
        if (delegatedTasks != null) {
            delegatedTasks.shutdownNow();
        }
    }

    @BeforeEach
    void needTools() {
        List<SystemTools.Need> needs = new ArrayList<>(SoftHsm.needs());
        needs.addAll(P11KitServer.needs());
        SystemTools.requireAll(needs);
    }

    static long mbean(String attribute) throws Exception {
        return ((Number) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName("dev.asyncjsse:type=Offload,name=networked-hsm"), attribute)).longValue();
    }

    /**
     * Twenty-four clients at once against a Netty server with one event loop: every handshake signs on
     * the token through the socket, on the offloader's threads, never more than {@value #SESSIONS} at a
     * time; the event loop is never seen inside PKCS#11.
     */
    @Test
    @Order(1)
    void concurrentHandshakesSignAcrossTheSocketOnOffloaderThreads() throws Exception {
        int clients = 24;
        assertTrue(offloader.provider().getName().startsWith("SunPKCS11-NetHSM"), offloader.provider().getName());
        long okBefore = mbean("KeyOperationsOk");
        int signedBefore = offloader.signingThreads.size();
        try (NettyHttpsServer netty = new NettyHttpsServer(context, delegatedTasks)) {
            Thread loop = netty.loopThread();
            AtomicBoolean sampling = new AtomicBoolean(true);
            List<String> loopInPkcs11 = new ArrayList<>();
            AtomicInteger samples = new AtomicInteger();
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    for (StackTraceElement frame : loop.getStackTrace()) {
                        if (frame.getClassName().startsWith("sun.security.pkcs11")) {
                            synchronized (loopInPkcs11) {
                                loopInPkcs11.add(frame.toString());
                            }
                        }
                    }
                    samples.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            }, "loop-sampler");
            sampler.setDaemon(true);
            sampler.start();
            try {
                for (String answer : concurrentGets(netty.port(), clients)) {
                    assertTrue(answer.startsWith("HTTP/1.1 200 OK") && answer.contains("hello TLSv1.3"), answer);
                }
            } finally {
                sampling.set(false);
                sampler.join();
            }
            assertTrue(samples.get() > 0);
            assertTrue(loopInPkcs11.isEmpty(), () -> "the event loop was inside PKCS#11: " + loopInPkcs11);
        }
        List<String> threads = offloader.signingThreads.subList(signedBefore, offloader.signingThreads.size());
        assertEquals(clients, threads.size(), threads::toString);
        assertTrue(threads.stream().allMatch(t -> t.startsWith("hsm-net-")), threads::toString);
        assertTrue(offloader.maxBusy.get() <= SESSIONS, "token operations at once: " + offloader.maxBusy.get());
        assertTrue(server.connections() >= 1, "a p11-kit-remote process serves this JVM's connection");
        assertEquals(clients, mbean("KeyOperationsOk") - okBefore);
        assertEquals(0, offloader.reconnects.get(), "one connection served them all");
    }

    /**
     * Three handshakes wait for their signature when the p11-kit server dies: those three fail, each
     * with an SSLHandshakeException that names the token's failure; an established connection is
     * untouched; new handshakes fail fast while the token is away and succeed again once it is back.
     */
    @Test
    @Order(2)
    void killingTheServerFailsThePendingHandshakesAndTheServerRecovers() throws Exception {
        EnginePair established = pair();
        established.handshake();

        int pendingCount = 3;
        CountDownLatch gate = new CountDownLatch(1);
        offloader.gate(gate);
        List<AsyncSSLEngine> pending = new ArrayList<>();
        List<Semaphore> woken = new ArrayList<>();
        List<SSLEngine> clients = new ArrayList<>();
        try {
            for (int i = 0; i < pendingCount; i++) {
                EnginePair p = pair();
                AsyncSSLEngine engine = (AsyncSSLEngine) p.server;
                Semaphore callbacks = new Semaphore(0);
                engine.setOffloadCallback((e, arg) -> callbacks.release(), null);
                sendClientHello(p.client, engine);
                pending.add(engine);
                woken.add(callbacks);
                clients.add(p.client);
            }
            // The key manager is an application class, so with an offloader the native engine calls it
            // in a handshake job; when that call outlives the wait budget the engine waits for it first
            // and, once woken, submits the signature on the next wrap, as a callback-driven loop does.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (offloader.waitingAtGate.get() < pendingCount && System.nanoTime() < deadline) {
                for (int i = 0; i < pendingCount; i++) {
                    if (woken.get(i).tryAcquire()) {
                        SSLEngineResult r = pending.get(i).wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 16));
                        assertTrue(AsyncSSLEngine.isOffloadPending(r), () -> "woken before its signature, then " + r);
                    }
                }
                Thread.sleep(5);
            }
            assertEquals(pendingCount, offloader.waitingAtGate.get(), "three signatures wait for the token");
            for (AsyncSSLEngine engine : pending) {
                assertTrue(engine.isOffloadPending());
            }
            long failedBefore = mbean("HandshakesFailedByOffload");

            server.kill();
            gate.countDown();

            for (int i = 0; i < pendingCount; i++) {
                assertTrue(woken.get(i).tryAcquire(30, TimeUnit.SECONDS), "every pending handshake is woken");
                AsyncSSLEngine engine = pending.get(i);
                SSLHandshakeException failure = assertThrows(SSLHandshakeException.class,
                        () -> engine.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 16)));
                String message = failure.getMessage();
                // the native engine names the alert it sends first: "(internal_error) key offload failed: ..."
                assertTrue(message.contains("key offload failed: "), message);
                // the dead connection's return code, the failed reconnect, or the offloader's fast failure after it
                assertTrue(message.contains("CKR_DEVICE_ERROR") || message.contains("token only has 0 slots")
                        || message.contains("the HSM is unreachable"), "the token's failure is named: " + message);
                System.out.println("pending handshake failed: " + message);
            }
            assertEquals(pendingCount, mbean("HandshakesFailedByOffload") - failedBefore);
        } finally {
            offloader.gate(null);
            gate.countDown();
        }

        // the established connection needs no key: it goes on
        byte[] ping = "still connected".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(ping, EnginePair.transfer(established.client, established.server, ping));
        assertArrayEquals(ping, EnginePair.transfer(established.server, established.client, ping));

        // while the token is away, a new handshake fails, saying why
        SSLException whileDown = assertThrows(SSLException.class, () -> pair().handshake());
        assertTrue(whileDown.getMessage().contains("key offload failed: "), whileDown.getMessage());

        server.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        AtomicReference<Exception> last = new AtomicReference<>();
        boolean recovered = false;
        while (!recovered && System.nanoTime() < deadline) {
            EnginePair p = pair();
            try {
                p.handshake();
                recovered = true;
            } catch (SSLException e) {
                last.set(e);
                Thread.sleep(NetworkedTokenOffloader.RETRY_MILLIS);
            }
        }
        assertTrue(recovered, () -> "no handshake succeeded after the token came back: " + last.get());
        assertTrue(offloader.reconnects.get() >= 1, "the offloader reconnected");
        assertNotNull(offloader.provider());
    }

    /**
     * {@code clients} SunJSSE clients at once, each on its own thread: a full TLS 1.3 handshake and a
     * {@code GET /hello}. Generous timeouts: on a loaded machine the answers may take seconds.
     */
    static List<String> concurrentGets(int port, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> {
                    // a client context each: one shared context would resume the sessions of the first
                    // handshakes to finish, and those connections would sign nothing on the token
                    SSLContext sun = Support.sunClientContext(cert);
                    try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) sun.getSocketFactory().createSocket("localhost", port)) {
                        s.setSoTimeout(120_000);
                        s.setEnabledProtocols(new String[] {"TLSv1.3"});
                        s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    }
                }));
            }
            List<String> result = new ArrayList<>();
            for (java.util.concurrent.Future<String> answer : answers) {
                result.add(answer.get(180, TimeUnit.SECONDS));
            }
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    /** An AsyncJSSE server engine (for a peer name the logs show) and a SunJSSE client trusting the token's certificate. */
    static EnginePair pair() throws Exception {
        SSLEngine serverEngine = context.createSSLEngine("client.test", 443);
        serverEngine.setUseClientMode(false);
        SSLEngine client = Support.sunClientContext(cert).createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        client.setEnabledProtocols(new String[] {"TLSv1.3"});
        return new EnginePair(client, serverEngine);
    }

    /** Hands the client's ClientHello to the server, which then waits for its key manager or its signature. */
    static void sendClientHello(SSLEngine client, AsyncSSLEngine server) throws SSLException {
        ByteBuffer hello = ByteBuffer.allocate(1 << 16);
        client.beginHandshake();
        client.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        server.beginHandshake();
        SSLEngineResult r = server.unwrap(hello, ByteBuffer.allocate(1 << 17));
        assertTrue(AsyncSSLEngine.isOffloadPending(r) || server.isOffloadPending(), r::toString);
    }
}
