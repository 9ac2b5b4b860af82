package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.JavaClient.Stack;
import java.util.List;

/**
 * BCJSSE's client socket (with Bouncy Castle's JCA provider) against AsyncJSSE's TLS 1.3 server,
 * with groups and signature schemes set per socket through {@code BCSSLParameters}.
 */
class BcJsseClientTest extends PeerContract {

    @Override
    void requirePeer() {
        // a test dependency
    }

    @Override
    String lacks(Feature feature, Object value) {
        switch (feature) {
            case KEY_UPDATE:
                return "BCJSSE has no call that sends a KeyUpdate";
            case RESUMPTION:
                return "BCJSSE's client does not resume TLS 1.3 sessions";
            default:
                return null;
        }
    }

    @Override
    ClientView connect(Exchange x) throws Exception {
        return JavaClient.connect(JavaClient.context(Stack.BCJSSE, x.cert), server.port(), x);
    }

    @Override
    List<ClientView> connectTwice(Exchange x) {
        throw new UnsupportedOperationException("see lacks(RESUMPTION)");
    }
}
