package dev.asyncjsse.dropin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A small Netty 4.2 HTTPS server: {@code GET /ping} answers {@code pong}, anything else answers
 * {@code hello <protocol>}. One event-loop thread serves every connection, so a blocked loop shows.
 */
final class NettyHttpsServer implements AutoCloseable {

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup worker = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final AtomicLong maxLoopLagNanos = new AtomicLong();
    private volatile ScheduledFuture<?> probe;

    /**
     * @param sslContext the JSSE context (AsyncJSSE or SunJSSE)
     * @param delegatedTaskExecutor where SslHandler runs delegated tasks; null runs them on the event loop
     */
    NettyHttpsServer(SSLContext sslContext, Executor delegatedTaskExecutor) throws InterruptedException {
        // The configuration the README shows: Netty's JdkSslContext around the provider's SSLContext.
        SslContext nettyContext = new JdkSslContext(sslContext, false, null, IdentityCipherSuiteFilter.INSTANCE, null,
                ClientAuth.NONE, null, false);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, worker)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = delegatedTaskExecutor == null
                                ? nettyContext.newHandler(ch.alloc())
                                : nettyContext.newHandler(ch.alloc(), delegatedTaskExecutor);
                        ch.pipeline().addLast(ssl, new HttpServerCodec(), new HttpObjectAggregator(65536), new Handler());
                    }
                });
        channel = b.bind(new InetSocketAddress("localhost", 0)).sync().channel();
    }

    /** The one event-loop thread that serves the connections. */
    Thread loopThread() throws Exception {
        return worker.next().submit(Thread::currentThread).get();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Starts measuring how late a 1 ms periodic task on the event loop runs. */
    void startLoopProbe() {
        maxLoopLagNanos.set(0);
        long period = TimeUnit.MILLISECONDS.toNanos(1);
        long[] last = {System.nanoTime()};
        probe = worker.next().scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            long lag = now - last[0] - period;
            last[0] = now;
            maxLoopLagNanos.accumulateAndGet(lag, Math::max);
        }, 1, 1, TimeUnit.MILLISECONDS);
    }

    /** Stops the probe; returns the longest extra delay seen, in nanoseconds. */
    long stopLoopProbe() {
        ScheduledFuture<?> p = probe;
        if (p != null) {
            p.cancel(false);
        }
        return maxLoopLagNanos.get();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        worker.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String body;
            if (request.uri().startsWith("/ping")) {
                body = "pong";
            } else {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                body = "hello " + ssl.engine().getSession().getProtocol() + " " + ssl.engine().getClass().getSimpleName();
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
