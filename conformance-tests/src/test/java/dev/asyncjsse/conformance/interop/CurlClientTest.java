package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.Exchange.ClientCert;
import dev.asyncjsse.conformance.interop.Matrix.Group;
import dev.asyncjsse.conformance.interop.Matrix.Scheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code curl} (with its TLS library, OpenSSL on Debian) fetching a page over HTTPS from AsyncJSSE's
 * TLS 1.3 server: groups ({@code --curves}), suites ({@code --tls13-ciphers}), the signature schemes
 * a server key allows alone (curl has no option to limit them), ALPN {@code http/1.1}, client
 * certificates, and resumption across two URLs in one invocation.
 */
class CurlClientTest extends PeerContract {

    /** OpenSSL's texts for the alerts the tests expect (curl prints the text, not the number). */
    private static final Map<String, Integer> ALERTS = Map.of("alert certificate required", CERTIFICATE_REQUIRED,
            "alert certificate unknown", CERTIFICATE_UNKNOWN, "alert bad certificate", 42, "alert unknown ca", 48,
            "alert handshake failure", 40);

    @Override
    void requirePeer() {
        Tools.require("curl", "--version", "curl");
    }

    @Override
    String lacks(Feature feature, Object value) {
        switch (feature) {
            case GROUP:
                return value == Group.X25519MLKEM768 && !OpenSslClientTest.hasMlKem()
                        ? "its OpenSSL has no X25519MLKEM768 (OpenSSL 3.5 and later have it)" : null;
            case SCHEME:
                // only the key decides these; for RSA keys the server picks the hash among curl's defaults
                return value == Scheme.ECDSA_SECP256R1_SHA256 || value == Scheme.ECDSA_SECP384R1_SHA384 || value == Scheme.ED25519
                        ? null : "curl cannot limit the signature schemes it offers, so the hash of an RSA signature is the server's pick";
            case KEY_UPDATE:
                return "curl has no way to send a KeyUpdate";
            default:
                return null;
        }
    }

    @Override
    List<String> alpnOffer() {
        return List.of("http/1.1");
    }

    List<String> command(Exchange x, int urls) {
        String origin = "https://" + InteropPki.HOST + ":" + server.port();
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-v", "--tlsv1.3", "--tls-max", "1.3", "--cacert", pki.caPem.toString(),
                "--resolve", InteropPki.HOST + ":" + server.port() + ":127.0.0.1", "--max-time", "20"));
        if (x.group != null) {
            cmd.addAll(List.of("--curves", OpenSslClientTest.groupName(x.group)));
        }
        if (x.suite != null) {
            cmd.addAll(List.of("--tls13-ciphers", x.suite));
        }
        if (x.alpn == null) {
            cmd.add("--no-alpn");
        } else {
            cmd.add("--http1.1");
        }
        if (x.cert != ClientCert.NONE) {
            boolean trusted = x.cert == ClientCert.TRUSTED;
            cmd.addAll(List.of("--cert", (trusted ? pki.clientCertPem : pki.strangerCertPem).toString(),
                    "--key", (trusted ? pki.clientKeyPem : pki.strangerKeyPem).toString()));
        }
        for (int i = 1; i <= urls; i++) {
            cmd.add(origin + "/interop/" + i);
        }
        return cmd;
    }

    @Override
    ClientView connect(Exchange x) throws Exception {
        try (PeerProcess p = PeerProcess.start(command(x, 1))) {
            p.awaitExit();
            return parse(p.output());
        }
    }

    @Override
    List<ClientView> connectTwice(Exchange x) throws Exception {
        try (PeerProcess p = PeerProcess.start(command(x, 2))) {
            p.awaitExit();
            String out = p.output();
            int second = out.indexOf("* Connected to", out.indexOf("* Connected to") + 1);
            if (second < 0) {
                return List.of(parse(out), parse(""));
            }
            return List.of(parse(out.substring(0, second)), parse(out.substring(second)));
        }
    }

    static ClientView parse(String out) {
        ClientView v = new ClientView();
        v.transcript = out;
        Matcher m = Pattern.compile("SSL connection using (TLSv[0-9.]+) / (\\S+)(?: / (\\S+))?").matcher(out);
        if (m.find()) {
            v.connected = true;
            v.protocol = m.group(1);
            v.suite = m.group(2);
            v.group = m.group(3) == null ? null : Group.parse(m.group(3));
            String alpn = OpenSslClientTest.find(out, "ALPN(?::|,) server accepted(?: to use)? (\\S+)");
            v.alpn = alpn == null ? "" : alpn;
        }
        v.serverCommonName = OpenSslClientTest.find(out, "\\*\\s+subject: CN=(\\S+)");
        v.serverName = InteropPki.HOST;
        String body = OpenSslClientTest.find(out, "(?m)^(served by AsyncJSSE: .*)$");
        if (body != null) {
            v.echoed.add(body);
        }
        for (Map.Entry<String, Integer> a : ALERTS.entrySet()) {
            if (out.contains(a.getKey())) {
                v.alert = a.getValue();
            }
        }
        v.resumed = out.contains("SSL re-using session ID") || out.contains("SSL reusing session ID");
        return v;
    }
}
