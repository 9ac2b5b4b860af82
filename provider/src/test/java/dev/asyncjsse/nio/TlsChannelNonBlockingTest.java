package dev.asyncjsse.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class TlsChannelNonBlockingTest {

    /** An echo server on one selector thread, built on non-blocking TlsChannels. */
    static final class EchoServer implements AutoCloseable {
        final Selector selector = Selector.open();
        final ServerSocketChannel listener = ServerSocketChannel.open();
        final Queue<Conn> woken = new ConcurrentLinkedQueue<>();
        final AtomicInteger offloadPending = new AtomicInteger();
        final AtomicInteger wakeups = new AtomicInteger();
        final List<Throwable> errors = new ArrayList<>();
        final Thread thread;
        final SSLContext context;
        volatile boolean running = true;

        final class Conn {
            TlsChannel ch;
            SelectionKey key;
            final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            boolean eof;

            void drive() {
                try {
                    while (true) {
                        if (buf.position() > 0 || ch.hasPendingOutput()) {
                            buf.flip();
                            try {
                                ch.write(buf);
                            } finally {
                                buf.compact();
                            }
                        }
                        if (eof) {
                            ch.close();
                            return;
                        }
                        if (ch.read(buf) < 0) {
                            eof = true;
                        }
                    }
                } catch (NeedsReadException e) {
                    key.interestOps(SelectionKey.OP_READ);
                } catch (NeedsWriteException e) {
                    key.interestOps(SelectionKey.OP_WRITE);
                } catch (OffloadPendingException e) {
                    offloadPending.incrementAndGet();
                    key.interestOps(0);
                } catch (IOException | RuntimeException e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }
        }

        EchoServer(SSLContext context) throws IOException {
            this.context = context;
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            thread = new Thread(this::loop, "echo-selector");
            thread.start();
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) listener.getLocalAddress();
        }

        void loop() {
            try {
                while (running) {
                    selector.select(100);
                    Conn c;
                    while ((c = woken.poll()) != null) {
                        if (c.ch.isOpen()) {
                            c.drive();
                        }
                    }
                    for (SelectionKey k : selector.selectedKeys()) {
                        if (!k.isValid()) {
                            continue;
                        }
                        if (k.isAcceptable()) {
                            SocketChannel sc = listener.accept();
                            if (sc == null) {
                                continue;
                            }
                            sc.configureBlocking(false);
                            Conn conn = new Conn();
                            conn.ch = TlsChannel.server(sc, context).offloadWakeup(ch -> {
                                wakeups.incrementAndGet();
                                woken.add(conn);
                                selector.wakeup();
                            }).build();
                            conn.key = sc.register(selector, SelectionKey.OP_READ, conn);
                            conn.drive();
                        } else {
                            ((Conn) k.attachment()).drive();
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                synchronized (errors) {
                    errors.add(e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            running = false;
            selector.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            selector.close();
        }
    }

    /** Sends {@code total} random bytes through the echo server and checks what comes back by digest. */
    static void echo(InetSocketAddress address, String protocol, int total) throws Exception {
        SocketChannel sc = SocketChannel.open(address);
        try (TlsChannel client = TlsChannel.client(sc, Fixtures.clientEngine(Fixtures.sunClient(), "localhost", protocol)).build()) {
            CompletableFuture<byte[]> back = Fixtures.digestOfAllRead(client, total);
            byte[] sent = Fixtures.writeRandom(client, total, 7);
            client.shutdownOutput();
            assertArrayEquals(sent, back.get(60, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest(name = "{0} latency={1} clients={2} bytes={3}")
    @CsvSource({"TLSv1.3,-1,4,100000", "TLSv1.3,0,4,100000", "TLSv1.3,20,8,100000", "TLSv1.2,20,8,100000",
            "TLSv1.3,5,1,67108864"})
    void echoServerOnOneSelectorThread(String protocol, int latency, int clients, int bytes) throws Exception {
        try (EchoServer server = new EchoServer(Fixtures.server(Fixtures.LOCALHOST, latency))) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        echo(server.address(), protocol, bytes);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, Fixtures.THREADS));
            }
            for (CompletableFuture<Void> f : all) {
                f.get(60, TimeUnit.SECONDS);
            }
            synchronized (server.errors) {
                assertTrue(server.errors.isEmpty(), server.errors.toString());
            }
            if (latency >= 20) {
                assertTrue(server.offloadPending.get() > 0, "pending seen " + server.offloadPending);
                assertTrue(server.wakeups.get() > 0, "wake-ups " + server.wakeups);
            }
            if (latency < 0) {
                assertEquals(0, server.offloadPending.get());
            }
        }
    }

    /**
     * The client's first bytes reach the non-blocking server a few bytes per TCP segment, so the
     * ClientHello is explored across many reads before the engine exists.
     */
    @Test
    void clientHelloTricklingInAcrossManyReads() throws Exception {
        try (EchoServer server = new EchoServer(Fixtures.server(Fixtures.LOCALHOST, 5));
             ServerSocketChannel relay = ServerSocketChannel.open()) {
            relay.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<Void> relaying = CompletableFuture.runAsync(() -> {
                try (SocketChannel in = relay.accept(); SocketChannel out = SocketChannel.open(server.address())) {
                    in.socket().setTcpNoDelay(true);
                    out.socket().setTcpNoDelay(true);
                    CompletableFuture<Void> back = CompletableFuture.runAsync(() -> copy(out, in, Integer.MAX_VALUE), Fixtures.THREADS);
                    copy(in, out, 3); // three bytes at a time, with a pause: many reads for the server
                    back.get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            echo((InetSocketAddress) relay.getLocalAddress(), "TLSv1.3", 50_000);
            relaying.get(30, TimeUnit.SECONDS);
            synchronized (server.errors) {
                assertTrue(server.errors.isEmpty(), server.errors.toString());
            }
        }
    }

    private static void copy(SocketChannel from, SocketChannel to, int chunk) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long copied = 0;
        try {
            while (true) {
                buf.clear();
                if (copied < 2000) {
                    buf.limit(Math.min(chunk, buf.capacity()));
                }
                int n = from.read(buf);
                if (n < 0) {
                    to.shutdownOutput();
                    return;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
                copied += n;
                if (copied < 2000 && chunk < 100) {
                    Thread.sleep(1);
                }
            }
        } catch (IOException | InterruptedException e) {
            // one side went away: the test's assertions tell what matters
        }
    }

    /** Drives {@code op} on a non-blocking channel, waiting for what each WouldBlockException names. */
    interface Op {
        void run() throws IOException;
    }

    static void drive(TlsChannel ch, Semaphore wakeup, Op op, List<String> waits) throws Exception {
        try (Selector sel = Selector.open()) {
            SelectionKey key = ch.socket().register(sel, 0);
            while (true) {
                try {
                    op.run();
                    return;
                } catch (NeedsReadException e) {
                    waits.add("read");
                    key.interestOps(SelectionKey.OP_READ);
                    sel.select(5000);
                } catch (NeedsWriteException e) {
                    waits.add("write");
                    key.interestOps(SelectionKey.OP_WRITE);
                    sel.select(5000);
                } catch (OffloadPendingException e) {
                    waits.add("offload");
                    assertTrue(wakeup.tryAcquire(10, TimeUnit.SECONDS), "no offload wake-up");
                }
                sel.selectedKeys().clear();
            }
        }
    }

    @Test
    void nonBlockingServerReportsEachWait() throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        pair[1].configureBlocking(false);
        Semaphore wakeup = new Semaphore(0);
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost")).build();
             TlsChannel server = TlsChannel.server(pair[1], Fixtures.server(Fixtures.LOCALHOST, 50))
                     .offloadWakeup(ch -> wakeup.release()).build()) {
            assertThrows(NeedsReadException.class, server::handshake);
            CompletableFuture<byte[]> c = CompletableFuture.supplyAsync(() -> {
                try {
                    client.write(ByteBuffer.wrap(new byte[] {42}));
                    return TlsChannelBlockingTest.readFully(client, 1);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            List<String> waits = new ArrayList<>();
            drive(server, wakeup, server::handshake, waits);
            assertTrue(waits.contains("offload"), waits.toString());
            ByteBuffer one = ByteBuffer.allocate(1);
            drive(server, wakeup, () -> {
                if (server.read(one) <= 0 && one.position() == 0) {
                    throw new NeedsReadException();
                }
            }, waits);
            assertEquals(42, one.get(0));
            drive(server, wakeup, () -> server.write(ByteBuffer.wrap(new byte[] {43})), waits);
            assertArrayEquals(new byte[] {43}, c.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void nonBlockingClientAgainstBlockingServer() throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        pair[0].configureBlocking(false);
        Semaphore wakeup = new Semaphore(0);
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.asyncClient(), "localhost"))
                .offloadWakeup(ch -> wakeup.release()).build();
             TlsChannel server = TlsChannel.server(pair[1], Fixtures.server(Fixtures.LOCALHOST, 10)).build()) {
            CompletableFuture<Void> s = CompletableFuture.runAsync(() -> {
                try {
                    byte[] got = TlsChannelBlockingTest.readFully(server, 3);
                    TlsChannelBlockingTest.writeFully(server, got);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            List<String> waits = new ArrayList<>();
            drive(client, wakeup, client::handshake, waits);
            assertTrue(waits.contains("read"), waits.toString());
            ByteBuffer out = ByteBuffer.wrap(new byte[] {1, 2, 3});
            drive(client, wakeup, () -> client.write(out), waits);
            ByteBuffer in = ByteBuffer.allocate(3);
            drive(client, wakeup, () -> {
                while (in.hasRemaining()) {
                    if (client.read(in) < 0) {
                        throw new IOException("EOF");
                    }
                }
            }, waits);
            assertArrayEquals(new byte[] {1, 2, 3}, in.array());
            s.get(10, TimeUnit.SECONDS);
        }
    }

    /** Server-side states in which {@link #closeInEveryState} closes the non-blocking server channel. */
    enum State { BEFORE_HELLO, MID_HANDSHAKE, ESTABLISHED, AFTER_SHUTDOWN_OUTPUT, AFTER_PEER_CLOSE }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(State.class)
    @SuppressWarnings("try") // closes a resource inside its try on purpose
    void closeInEveryState(State state) throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        pair[1].configureBlocking(false);
        TlsChannel server = TlsChannel.server(pair[1], Fixtures.server(Fixtures.LOCALHOST, -1)).build();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost")).build()) {
            java.util.concurrent.CountDownLatch peerClosed = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch serverClosed = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try {
                    if (state == State.BEFORE_HELLO) {
                        serverClosed.await(10, TimeUnit.SECONDS); // the hello reaches a server that already closed
                    }
                    client.handshake();
                    if (state == State.AFTER_PEER_CLOSE) {
                        client.close();
                        peerClosed.countDown();
                        return "closed first";
                    }
                    int n = client.read(ByteBuffer.allocate(10));
                    return "read " + n + (client.receivedCloseNotify() ? " after close_notify" : "");
                } catch (IOException e) {
                    return "failed: " + e;
                } catch (InterruptedException e) {
                    return "interrupted";
                }
            }, Fixtures.THREADS);
            List<String> waits = new ArrayList<>();
            Semaphore none = new Semaphore(0);
            switch (state) {
                case BEFORE_HELLO:
                    assertThrows(NeedsReadException.class, server::handshake);
                    break;
                case MID_HANDSHAKE:
                    // until the server has read the hello, sent its flight and waits for the client's Finished
                    try (Selector sel = Selector.open()) {
                        pair[1].register(sel, SelectionKey.OP_READ);
                        boolean mid = false;
                        while (!mid) {
                            try {
                                server.handshake();
                                break; // raced to the end: still a valid close after the handshake
                            } catch (NeedsReadException e) {
                                mid = server.engine() != null;
                                if (!mid) {
                                    sel.select(5000);
                                    sel.selectedKeys().clear();
                                }
                            }
                        }
                    }
                    break;
                default:
                    drive(server, none, server::handshake, waits);
                    if (state == State.AFTER_SHUTDOWN_OUTPUT) {
                        drive(server, none, server::shutdownOutput, waits);
                    }
                    if (state == State.AFTER_PEER_CLOSE) {
                        assertTrue(peerClosed.await(10, TimeUnit.SECONDS));
                        ByteBuffer one = ByteBuffer.allocate(1);
                        int[] n = new int[1];
                        drive(server, none, () -> n[0] = server.read(one), waits);
                        assertEquals(-1, n[0]);
                    }
                    break;
            }
            long start = System.nanoTime();
            server.close();
            serverClosed.countDown();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
            assertFalse(server.isOpen());
            assertFalse(pair[1].isOpen());
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> server.read(ByteBuffer.allocate(1)));
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> server.write(ByteBuffer.allocate(1)));
            assertThrows(java.nio.channels.ClosedChannelException.class, server::handshake);
            String outcome = peer.get(10, TimeUnit.SECONDS);
            switch (state) {
                case BEFORE_HELLO:
                    assertTrue(outcome.startsWith("failed"), outcome);
                    break;
                case ESTABLISHED:
                case AFTER_SHUTDOWN_OUTPUT:
                    assertEquals("read -1 after close_notify", outcome);
                    break;
                case AFTER_PEER_CLOSE:
                    assertEquals("closed first", outcome);
                    break;
                default:
                    assertTrue(outcome.startsWith("failed") || outcome.startsWith("read -1"), outcome);
            }
        }
    }

    @Test
    void closeWithUnsentOutputDoesNotBlock() throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        try (TlsChannel server = TlsChannel.server(pair[1], Fixtures.server(Fixtures.LOCALHOST, -1)).build()) {
            TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost")).build();
            CompletableFuture<Void> s = CompletableFuture.runAsync(() -> {
                try {
                    server.handshake(); // then never reads
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            client.handshake();
            s.get(10, TimeUnit.SECONDS);
            pair[0].configureBlocking(false);
            ByteBuffer big = ByteBuffer.allocate(1 << 20);
            boolean blocked = false;
            for (int i = 0; i < 64 && !blocked; i++) {
                try {
                    client.write(big);
                    big.clear();
                } catch (NeedsWriteException e) {
                    blocked = true;
                }
            }
            assertTrue(blocked, "the socket never filled up");
            assertTrue(client.hasPendingOutput());
            long start = System.nanoTime();
            client.close();
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
            assertFalse(client.isOpen());
            assertFalse(pair[0].isOpen());
        }
    }

    @Test
    void selectorQueueWakeup() throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        pair[1].configureBlocking(false);
        Queue<TlsChannel> queue = new ConcurrentLinkedQueue<>();
        try (Selector selector = Selector.open();
             TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost")).build();
             TlsChannel server = TlsChannel.server(pair[1], Fixtures.server(Fixtures.LOCALHOST, 30))
                     .offloadWakeup(selector, queue).build()) {
            SelectionKey key = pair[1].register(selector, SelectionKey.OP_READ);
            CompletableFuture<Void> c = CompletableFuture.runAsync(() -> {
                try {
                    client.handshake();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            boolean sawPending = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!server.isHandshakeComplete() && System.nanoTime() < deadline) {
                selector.select(1000);
                selector.selectedKeys().clear();
                queue.clear();
                try {
                    server.handshake();
                } catch (NeedsReadException e) {
                    key.interestOps(SelectionKey.OP_READ);
                } catch (NeedsWriteException e) {
                    key.interestOps(SelectionKey.OP_WRITE);
                } catch (OffloadPendingException e) {
                    sawPending = true;
                    key.interestOps(0);
                }
            }
            assertTrue(server.isHandshakeComplete());
            assertTrue(sawPending);
            c.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeWhileOffloadPendingCancelsAndNeverWakesUp() throws Exception {
        SocketChannel[] pair = Fixtures.socketPair();
        pair[1].configureBlocking(false);
        AtomicInteger wakeups = new AtomicInteger();
        try (TlsChannel client = TlsChannel.client(pair[0], Fixtures.clientEngine(Fixtures.sunClient(), "localhost")).build()) {
            TlsChannel server = TlsChannel.server(pair[1], Fixtures.server(Fixtures.LOCALHOST, 300))
                    .offloadWakeup(ch -> wakeups.incrementAndGet()).build();
            CompletableFuture<Void> c = CompletableFuture.runAsync(() -> {
                try {
                    client.handshake();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Fixtures.THREADS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean pending = false;
            while (!pending && System.nanoTime() < deadline) {
                try {
                    server.handshake();
                } catch (NeedsReadException e) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                } catch (OffloadPendingException e) {
                    pending = true;
                }
            }
            assertTrue(pending);
            server.close();
            assertFalse(server.isOpen());
            Thread.sleep(500);
            assertEquals(0, wakeups.get());
            assertThrows(Exception.class, () -> c.get(10, TimeUnit.SECONDS));
        }
    }
}
