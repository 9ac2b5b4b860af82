package dev.asyncjsse.bench;

import dev.asyncjsse.testkit.TestPki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.security.SecureRandom;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * Netty's BoringSSL engine ({@code netty-tcnative-boringssl-static}, {@link SslProvider#OPENSSL}): the
 * native-code baseline next to SunJSSE and BCJSSE. Contexts come from the benchmark PKI; the server
 * issues session tickets (Netty leaves them off until ticket keys are set), so the resumed-handshake
 * benchmark can resume with it. Each engine holds native memory until {@link #release}.
 */
final class BoringSsl implements Impl.Engines {

    private final SslContext context;

    private BoringSsl(SslContext context) {
        this.context = context;
    }

    private static void requireLoaded() throws SSLException {
        if (!OpenSsl.isAvailable()) {
            throw new SSLException("netty-tcnative's BoringSSL does not load here", OpenSsl.unavailabilityCause());
        }
    }

    /** {@code "TLS"} enables TLS 1.3 and 1.2, a version name only that version. */
    private static String[] protocols(String protocol) {
        return protocol.equals("TLS") ? new String[] {"TLSv1.3", "TLSv1.2"} : new String[] {protocol};
    }

    /** A server with {@code identity}'s key and chain. */
    static BoringSsl server(String protocol, TestPki.Identity identity) throws SSLException {
        requireLoaded();
        SslContext ctx = SslContextBuilder.forServer(identity.key, identity.chain).sslProvider(SslProvider.OPENSSL)
                .protocols(protocols(protocol)).build();
        byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
        SecureRandom random = new SecureRandom();
        random.nextBytes(name);
        random.nextBytes(hmac);
        random.nextBytes(aes);
        OpenSslSessionContext sessions = (OpenSslSessionContext) ctx.sessionContext();
        sessions.setTicketKeys(new OpenSslSessionTicketKey(name, hmac, aes));
        sessions.setSessionCacheEnabled(true);
        return new BoringSsl(ctx);
    }

    /**
     * A client that checks the server's chain with {@code trust} and, like the SunJSSE client of the
     * benchmarks, not its host name (the peers are made-up names); it resumes sessions per peer host
     * and port.
     */
    static BoringSsl client(String protocol, TrustManager trust) throws SSLException {
        requireLoaded();
        return new BoringSsl(SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols(protocols(protocol))
                .trustManager(trust).endpointIdentificationAlgorithm(null).build());
    }

    @Override
    public SSLEngine create(String peerHost, int peerPort) {
        return peerHost == null ? context.newEngine(ByteBufAllocator.DEFAULT)
                : context.newEngine(ByteBufAllocator.DEFAULT, peerHost, peerPort);
    }

    @Override
    public void release(SSLEngine engine) {
        ReferenceCountUtil.safeRelease(engine);
    }
}
