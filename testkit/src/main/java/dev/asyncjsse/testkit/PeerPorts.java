package dev.asyncjsse.testkit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Distinct peer ports for client engines that a test creates from a shared client
 * {@code SSLContext}. A JSSE client keeps the sessions (and TLS 1.3 tickets) it received per
 * {@code host:port} and offers them to the next engine created for the same pair; the server then
 * resumes, and a test that expects a key operation, a {@code NEED_TASK} or an offload pending on
 * every handshake sees none. An engine created with {@code createSSLEngine(host, PeerPorts.next())}
 * never finds an earlier session, while the host (and so SNI) stays what the test wants. Tests of
 * resumption pick their port themselves.
 *
 * <p>Thread-safe. The ports are never connected to: they name the peer only. They repeat after
 * 64,512 calls in one JVM.
 */
public final class PeerPorts {

    private static final int FIRST = 1024;
    private static final int COUNT = 65536 - FIRST;
    private static final AtomicInteger NEXT = new AtomicInteger();

    private PeerPorts() {}

    /** @return a port no earlier call in this JVM returned (until they wrap) */
    public static int next() {
        return FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
    }
}
