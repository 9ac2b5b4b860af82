package dev.asyncjsse.nio;

import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Queue;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;

/**
 * Configures a {@link TlsChannel}; made by {@link TlsChannel#client} or {@link TlsChannel#server}.
 *
 * <p>Not thread-safe: configure it on one thread and {@link #build()} once. It does no I/O and keeps
 * no caller buffer ({@link #initialBytes} copies). The socket belongs to the channel once built:
 * closing the channel closes it. A wake-up that throws is logged; the connection is not affected.
 */
public final class TlsChannelBuilder {

    private final SocketChannel socket;
    private final boolean client;
    private final SSLEngine engine;
    private final TlsChannel.EngineFactory factory;
    private ByteBuffer initial;
    private Consumer<TlsChannel> offloadWakeup;

    TlsChannelBuilder(SocketChannel socket, boolean client, SSLEngine engine, TlsChannel.EngineFactory factory) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.client = client;
        this.engine = engine;
        this.factory = factory;
    }

    /**
     * Bytes already read from the socket (sniffed, or read by a STARTTLS exchange). They are copied
     * and {@code bytes}' position moves to its limit; the channel treats them as the first bytes
     * from the peer.
     *
     * @param bytes the bytes from position to limit
     * @return this
     */
    public TlsChannelBuilder initialBytes(ByteBuffer bytes) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes).flip();
        this.initial = copy;
        return this;
    }

    /**
     * What to run when a parked key operation is done, from a job thread: typically
     * {@code ch -> { queue.add(ch); selector.wakeup(); }}. Must be short and must not block. Only
     * used with an {@link dev.asyncjsse.AsyncSSLEngine}: the channel installs its own
     * {@link dev.asyncjsse.AsyncSSLEngine#setOffloadCallback engine callback}, replacing any set
     * before, and calls this from it (never after {@link TlsChannel#close()}).
     *
     * @param wakeup the wake-up, or {@code null} for none
     * @return this
     */
    public TlsChannelBuilder offloadWakeup(Consumer<TlsChannel> wakeup) {
        this.offloadWakeup = wakeup;
        return this;
    }

    /**
     * The usual wake-up for a selector loop: adds the channel to {@code queue} and calls
     * {@code selector.wakeup()}. The loop drains {@code queue} after each {@code select} and repeats
     * the call that threw {@link OffloadPendingException} for each channel in it.
     *
     * @param selector the loop's selector
     * @param queue a thread-safe queue, e.g. a {@code ConcurrentLinkedQueue}
     * @return this
     */
    public TlsChannelBuilder offloadWakeup(Selector selector, Queue<? super TlsChannel> queue) {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(queue, "queue");
        return offloadWakeup(ch -> {
            queue.add(ch);
            selector.wakeup();
        });
    }

    /** @return the channel */
    public TlsChannel build() {
        return new TlsChannel(socket, client, engine, factory, initial, offloadWakeup);
    }
}
