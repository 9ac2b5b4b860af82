package dev.asyncjsse.engine;

import dev.asyncjsse.jca.TlsStack;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/** Fronts over a fake native TLS 1.3 engine, and ClientHellos from SunJSSE clients. */
final class FrontFixtures {

    private FrontFixtures() {}

    /** Services of a context whose native TLS 1.3 server engine is {@code nativeTls13}. */
    static ContextServices services(ProtocolEngineFactory nativeTls13) throws Exception {
        SSLContext bc = SSLContext.getInstance("TLS", TlsStack.bcjsse());
        bc.init(null, null, new SecureRandom());
        ContextConfig config = new ContextConfig("TLS", () -> Duration.ofDays(1));
        config.setNativeTls13(nativeTls13 != null);
        return new ContextServices(config, null, null, null, ContextDefaults.of(bc),
                new BcEngineFactory(bc, new EngineRegistry()), nativeTls13, new ContextHandle(bc, config, true));
    }

    static AsyncEngine server(ContextServices services) {
        AsyncEngine e = new AsyncEngine(services, null, -1);
        e.setUseClientMode(false);
        return e;
    }

    /** A SunJSSE client's first flight with the given protocols enabled. */
    static byte[] clientHello(String... protocols) throws Exception {
        SSLContext sun = SSLContext.getInstance("TLS", "SunJSSE");
        sun.init(null, null, null);
        SSLEngine client = sun.createSSLEngine("www.example.com", 443);
        client.setUseClientMode(true);
        client.setEnabledProtocols(protocols);
        ByteBuffer out = ByteBuffer.allocate(1 << 16);
        client.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }
}
