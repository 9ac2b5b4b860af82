package dev.asyncjsse.conformance.interop;

import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncjsse.nio.NeedsReadException;
import dev.asyncjsse.nio.NeedsWriteException;
import dev.asyncjsse.nio.OffloadPendingException;
import dev.asyncjsse.nio.TlsChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The AsyncJSSE TLS server every interop peer connects to: one non-blocking selector loop over
 * {@link TlsChannel}s on loopback, key operations offloaded ({@link CountingOffloader}) and resumed
 * by the offload wake-up, as an application's event loop would run it.
 *
 * <p>It speaks two tiny protocols, chosen by the first bytes: HTTP/1.1 (a {@code GET} gets a
 * {@code 200} and the connection is closed, for curl and the JDK's {@code HttpClient}) and a line
 * echo (each line {@code L} is answered with {@code echo:L}, for openssl, gnutls-cli and the Java
 * clients). Each connection is served with the {@link ServerSetup} current when it was accepted;
 * when it ends, a {@link Served} record goes to the queue {@link #next} reads.
 *
 * <p>Threading: the loop runs on one daemon thread, started once per JVM ({@link #shared()}) and
 * shared by all interop test classes, which run one connection at a time. {@link #serve} and
 * {@link #next} are called by the test thread. A connection that fails is closed and recorded; it
 * never stops the loop.
 */
final class InteropServer {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] ECHO_PREFIX = "echo:".getBytes(StandardCharsets.US_ASCII);

    private static InteropServer shared;

    private final ServerSocketChannel listener;
    private final Selector selector;
    private final Queue<Connection> woken = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Served> ended = new LinkedBlockingQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(1 << 15);
    private volatile ServerSetup setup;

    private InteropServer() throws IOException {
        selector = Selector.open();
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        Thread loop = new Thread(this::loop, "interop-server");
        loop.setDaemon(true);
        loop.start();
    }

    /** The server of this JVM, started on first use. */
    static synchronized InteropServer shared() {
        if (shared == null) {
            try {
                shared = new InteropServer();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the interop server", e);
            }
        }
        return shared;
    }

    /** The loopback port it listens on. */
    int port() {
        return listener.socket().getLocalPort();
    }

    /** Serves the connections accepted from now on with {@code s}; records of earlier setups are dropped. */
    void serve(ServerSetup s) {
        setup = s;
        ended.clear();
    }

    /**
     * The next connection of {@code s} that ended, waiting up to 30 s for it (a peer that has not
     * closed yet is still being served). Records of other setups are skipped.
     */
    Served next(ServerSetup s) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (true) {
                Served r = ended.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (r == null) {
                    return fail("the interop server saw no connection of " + s + " end within " + WAIT);
                }
                if (r.setup == s) {
                    return r;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while waiting for the server");
        }
    }

    // ------------------------------------------------------------------ the loop (one thread)

    private void loop() {
        while (true) {
            try {
                selector.select();
                Connection c;
                while ((c = woken.poll()) != null) {
                    drive(c);
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        drive((Connection) key.attachment());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // one bad connection or a transient selector failure must not end the server
                System.getLogger(InteropServer.class.getName()).log(System.Logger.Level.WARNING, "interop server loop", e);
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel socket;
        while ((socket = listener.accept()) != null) {
            socket.configureBlocking(false);
            Connection c = new Connection(socket, setup);
            c.key = socket.register(selector, SelectionKey.OP_READ, c);
            drive(c);
        }
    }

    private void drive(Connection c) {
        if (c.over) {
            return;
        }
        try {
            if (!c.served.handshakeDone) {
                c.tls.handshake();
                record(c);
            }
            while (true) {
                if (c.out.hasRemaining() || c.tls.hasPendingOutput()) {
                    c.tls.write(c.out);
                }
                if (c.closing) {
                    c.tls.shutdownOutput();
                    c.closing = false;
                }
                readBuffer.clear();
                int n = c.tls.read(readBuffer);
                if (n < 0) {
                    end(c, null);
                    return;
                }
                readBuffer.flip();
                take(c, readBuffer);
            }
        } catch (NeedsReadException e) {
            c.key.interestOps(SelectionKey.OP_READ);
        } catch (NeedsWriteException e) {
            c.key.interestOps(SelectionKey.OP_WRITE);
        } catch (OffloadPendingException e) {
            c.key.interestOps(0); // the offload wake-up brings the connection back
        } catch (IOException | RuntimeException e) {
            end(c, e);
        }
    }

    private static void record(Connection c) {
        Served s = c.served;
        SSLSession session = c.tls.session();
        s.handshakeDone = true;
        s.serverName = c.tls.clientHello() == null ? null : c.tls.clientHello().serverName();
        s.protocol = session.getProtocol();
        s.suite = session.getCipherSuite();
        s.alpn = c.tls.engine().getApplicationProtocol();
        s.localCertificates = session.getLocalCertificates();
        try {
            s.peerCertificates = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            s.peerCertificates = null;
        }
    }

    /** Application data: an HTTP request gets one response and a close; otherwise lines are echoed. */
    private static void take(Connection c, ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        c.text.append(new String(bytes, StandardCharsets.ISO_8859_1));
        if (c.served.lines.isEmpty() && c.served.httpRequest == null && c.text.length() >= 4
                && c.text.toString().matches("(?s)(GET|HEAD|POST) .*")) {
            int end = c.text.indexOf("\r\n\r\n");
            if (end >= 0) {
                String requestLine = c.text.substring(0, c.text.indexOf("\r\n"));
                c.served.httpRequest = requestLine;
                String body = "served by AsyncJSSE: " + c.served.protocol + " " + c.served.suite + "\n";
                String response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body;
                c.out = ByteBuffer.wrap(response.getBytes(StandardCharsets.ISO_8859_1));
                c.closing = true;
                c.text.setLength(0);
            }
            return;
        }
        int nl;
        ByteBuffer reply = ByteBuffer.allocate(c.out.remaining() + bytes.length + 64 * (1 + bytes.length / 8));
        reply.put(c.out);
        while ((nl = c.text.indexOf("\n")) >= 0) {
            String line = c.text.substring(0, nl);
            c.text.delete(0, nl + 1);
            c.served.lines.add(line);
            reply.put(ECHO_PREFIX).put(line.getBytes(StandardCharsets.ISO_8859_1)).put((byte) '\n');
        }
        reply.flip();
        c.out = reply;
    }

    private void end(Connection c, Exception failure) {
        c.over = true;
        c.served.failure = failure;
        try {
            c.tls.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a failed connection: the failure recorded is what matters
        }
        c.key.cancel();
        ended.add(c.served);
    }

    /** One accepted connection; touched only by the loop thread (and queued by the offload wake-up). */
    private final class Connection {
        final TlsChannel tls;
        final Served served;
        final StringBuilder text = new StringBuilder();
        SelectionKey key;
        ByteBuffer out = ByteBuffer.allocate(0);
        boolean closing;
        boolean over;

        Connection(SocketChannel socket, ServerSetup setup) {
            this.served = new Served(setup);
            this.tls = TlsChannel.server(socket, hello -> setup.newEngine())
                    .offloadWakeup(ch -> {
                        woken.add(this);
                        selector.wakeup();
                    })
                    .build();
        }
    }
}
