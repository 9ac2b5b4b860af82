package dev.asyncjsse.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.conformance.Tls.Stack;
import dev.asyncjsse.testkit.TestPki;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** TLS 1.2 session resumption: same session id, abbreviated handshake (no certificate sent again). */
class ResumptionTest {

    @ParameterizedTest(name = "async server={0}, async client={1}")
    @CsvSource({"true,false", "false,true", "true,true"})
    void tls12Resumption(boolean asyncServer, boolean asyncClient) throws Exception {
        SSLContext s = Tls.context(asyncServer ? Stack.ASYNC : Stack.SUN, TestPki.keyManagers(RecordTest.SERVER), null);
        SSLContext c = Tls.context(asyncClient ? Stack.ASYNC : Stack.SUN, null, RecordTest.PKI.trustManagers());
        Loop first = pair(s, c);
        first.handshake();
        byte[] id = first.client.getSession().getId();
        assertTrue(id.length > 0, "session id");
        assertArrayEquals(id, first.server.getSession().getId());

        Loop second = pair(s, c);
        second.handshake();
        assertEquals("TLSv1.2", second.client.getSession().getProtocol());
        assertArrayEquals(id, second.client.getSession().getId(), "client resumed the session");
        assertArrayEquals(id, second.server.getSession().getId(), "server resumed the session");
        assertTrue(second.serverWrapped < first.serverWrapped / 2,
                "abbreviated: server sent " + second.serverWrapped + " bytes, full handshake " + first.serverWrapped);
        assertEquals(first.client.getSession().getCreationTime(), second.client.getSession().getCreationTime());
        byte[] hi = "again".getBytes();
        assertArrayEquals(hi, second.send(true, hi));

        // an invalidated session is not resumed
        second.client.getSession().invalidate();
        assertFalse(second.client.getSession().isValid());
        Loop third = pair(s, c);
        third.handshake();
        assertFalse(Arrays.equals(id, third.client.getSession().getId()), "invalidated session resumed");
        assertTrue(third.serverWrapped > second.serverWrapped * 2, "full handshake after invalidate");

        // a different peer port is a different cache entry: full handshake
        Loop other = new Loop(engine(c, true, 444), engine(s, false, 444));
        other.client.setEnabledProtocols(new String[] {"TLSv1.2"});
        other.handshake();
        assertFalse(Arrays.equals(id, other.client.getSession().getId()), "new session for another port");
    }

    static Loop pair(SSLContext s, SSLContext c) {
        SSLEngine ce = engine(c, true, 443);
        ce.setEnabledProtocols(new String[] {"TLSv1.2"});
        return new Loop(ce, engine(s, false, 443));
    }

    static SSLEngine engine(SSLContext ctx, boolean client, int port) {
        SSLEngine e = ctx.createSSLEngine("localhost", port);
        e.setUseClientMode(client);
        Tls.checkStack(ctx, e);
        return e;
    }
}
