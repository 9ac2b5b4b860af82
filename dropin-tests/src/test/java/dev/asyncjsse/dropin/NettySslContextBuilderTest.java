package dev.asyncjsse.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.testkit.TestPki;
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
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Netty's SslContextBuilder with AsyncJSSE as the JDK provider: the second way the README shows. */
class NettySslContextBuilderTest {

    @Test
    void sslContextBuilderWithAsyncJsse() throws Exception {
        TestPki pki = TestPki.create("builder-ca");
        TestPki.Identity id = pki.issue(TestPki.KeyKind.EC_P256, "localhost", "localhost");
        Path ca = Support.writePem(Support.workDir("netty-builder").resolve("ca.pem"), pki.caCertificate());
        ExecutorService offloadPool = Executors.newFixedThreadPool(2);
        ExecutorService delegatedTasks = Executors.newCachedThreadPool();

        // README: "use it with Netty"
        SslContext sslContext = SslContextBuilder.forServer(id.key, id.chain)
                .sslProvider(SslProvider.JDK)
                .sslContextProvider(new AsyncJsseProvider())
                .build();
        CountingOffloader offloader = new CountingOffloader(KeyOffloaders.executor(offloadPool));
        AsyncJsse.setKeyOffloader(((JdkSslContext) sslContext).context(), offloader);

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(sslContext.newHandler(ch.alloc(), delegatedTasks),
                                    new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new SimpleChannelInboundHandler<FullHttpRequest>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
                                            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                    HttpResponseStatus.OK, Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
                                            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 5);
                                            r.headers().set(HttpHeaderNames.CONNECTION, "close");
                                            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                                        }
                                    });
                        }
                    }).bind(new InetSocketAddress("localhost", 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            URI uri = URI.create("https://localhost:" + port + "/");
            assertEquals("hello", Support.httpGet(uri, "TLSv1.3", pki.caCertificate()).body());
            assertEquals("hello", Support.httpGet(uri, "TLSv1.2", pki.caCertificate()).body());
            assertEquals("hello", Support.curl(uri.toString(), ca, "1.3"));
            server.close().sync();
        } finally {
            group.shutdownGracefully().sync();
            offloadPool.shutdownNow();
            delegatedTasks.shutdownNow();
        }
        assertEquals(3, offloader.signs.get(), () -> "offloaded " + offloader.algorithms);
        assertTrue(sslContext.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT) instanceof dev.asyncjsse.AsyncSSLEngine);
    }
}
