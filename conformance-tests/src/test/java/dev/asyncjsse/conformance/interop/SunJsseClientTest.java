package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.Exchange.KeyUpdate;
import dev.asyncjsse.conformance.interop.JavaClient.Stack;
import dev.asyncjsse.conformance.interop.Matrix.Group;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * SunJSSE's client socket against AsyncJSSE's TLS 1.3 server. Groups and signature schemes are set
 * through {@code jdk.tls.namedGroups} and {@code jdk.tls.client.SignatureSchemes} in a JVM of its own
 * (JDK 17 has no per-connection setting); everything else runs in the test JVM. KeyUpdate is the one
 * SunJSSE sends on {@code startHandshake()} of an established TLS 1.3 socket; resumption uses one
 * client context for both connections.
 */
class SunJsseClientTest extends PeerContract {

    @Override
    void requirePeer() {
        // the JDK is always there
    }

    @Override
    String lacks(Feature feature, Object value) {
        if (feature == Feature.GROUP && value == Group.X25519MLKEM768 && !sunJsseHas(Group.X25519MLKEM768)) {
            return "SunJSSE of Java " + Runtime.version().feature() + " has no X25519MLKEM768";
        }
        if (feature == Feature.KEY_UPDATE && value == KeyUpdate.NOT_REQUESTED) {
            return "SunJSSE only sends KeyUpdate(update_requested)";
        }
        return null;
    }

    /** Whether SunJSSE's default client groups include {@code g} (SSLParameters.getNamedGroups is Java 20+). */
    static boolean sunJsseHas(Group g) {
        try {
            SSLParameters p = SSLContext.getDefault().getDefaultSSLParameters();
            String[] groups = (String[]) SSLParameters.class.getMethod("getNamedGroups").invoke(p);
            return groups != null && Arrays.asList(groups).contains(g.tlsName);
        } catch (ReflectiveOperationException | java.security.NoSuchAlgorithmException e) {
            return false;
        }
    }

    @Override
    ClientView connect(Exchange x) throws Exception {
        if (x.group == null && x.scheme == null) {
            return JavaClient.connect(JavaClient.context(Stack.SUNJSSE, x.cert), server.port(), x);
        }
        List<String> properties = new ArrayList<>();
        if (x.group != null) {
            properties.add("-Djdk.tls.namedGroups=" + x.group.tlsName);
        }
        if (x.scheme != null) {
            properties.add("-Djdk.tls.client.SignatureSchemes=" + String.join(",", x.scheme.offer()));
        }
        try (PeerProcess p = PeerProcess.start(JavaClient.command(Stack.SUNJSSE, server.port(), x, properties))) {
            p.awaitExit();
            return JavaClient.parse(p.output());
        }
    }

    @Override
    List<ClientView> connectTwice(Exchange x) throws Exception {
        SSLContext ctx = JavaClient.context(Stack.SUNJSSE, x.cert);
        return List.of(JavaClient.connect(ctx, server.port(), x), JavaClient.connect(ctx, server.port(), x));
    }
}
