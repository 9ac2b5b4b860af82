package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.Exchange.ClientCert;
import dev.asyncjsse.conformance.interop.Exchange.KeyUpdate;
import dev.asyncjsse.conformance.interop.Matrix.Group;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code gnutls-cli} against AsyncJSSE's TLS 1.3 server: groups, suites and signature schemes through
 * {@code --priority} strings, ALPN, client certificates, KeyUpdate with the inline commands
 * {@code ^rekey^} (update_requested) and {@code ^rekey1^} (update_not_requested), and
 * {@code --resume}.
 */
class GnuTlsClientTest extends PeerContract {

    /** "(TLS1.3-X.509)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-128-GCM)"; a resumed session shows "(TLS1.3-X.509)--(AES-128-GCM)". */
    private static final Pattern DESCRIPTION = Pattern.compile(
            "- Description: \\((TLS[0-9.]+)-X\\.509\\)-(?:\\(ECDHE-([^)]+)\\)-\\(([^)]+)\\))?-\\(([^)]+)\\)");

    @Override
    void requirePeer() {
        Tools.require("gnutls-cli", "--version", "gnutls-bin");
    }

    @Override
    String lacks(Feature feature, Object value) {
        if (feature == Feature.GROUP && value == Group.X25519MLKEM768 && !hasMlKem()) {
            return "this GnuTLS has no X25519MLKEM768 (GnuTLS 3.8.9 and later with leancrypto have it)";
        }
        return null;
    }

    static boolean hasMlKem() {
        return Tools.prints(List.of("gnutls-cli", "--list"), "GROUP-X25519-MLKEM768");
    }

    /** A priority string that allows TLS 1.3 only, narrowed to what {@code x} pins. */
    static String priority(Exchange x) {
        StringBuilder p = new StringBuilder("NORMAL:-VERS-ALL:+VERS-TLS1.3");
        if (x.group != null) {
            p.append(":-GROUP-ALL:+GROUP-").append(x.group == Group.X25519MLKEM768 ? "X25519-MLKEM768" : x.group.name());
        }
        if (x.suite != null) {
            p.append(":-CIPHER-ALL:+").append(cipher(x.suite));
        }
        if (x.scheme != null) {
            p.append(":-SIGN-ALL");
            for (String s : x.scheme.offer()) {
                p.append(":+SIGN-").append(sign(s));
            }
        }
        return p.toString();
    }

    private static String cipher(String suite) {
        return suite.replace("TLS_", "").replace("_SHA256", "").replace("_SHA384", "").replace('_', '-');
    }

    /** GnuTLS's name of a TLS signature scheme: ecdsa_secp256r1_sha256 is SIGN-ECDSA-SECP256R1-SHA256. */
    private static String sign(String tlsName) {
        switch (tlsName) {
            case "ed25519":
                return "EdDSA-Ed25519";
            case "rsa_pss_pss_sha256":
                return "RSA-PSS-SHA256";
            default:
                return tlsName.toUpperCase(Locale.ROOT).replace('_', '-');
        }
    }

    List<String> command(Exchange x, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("gnutls-cli", "--port", String.valueOf(server.port()),
                "--x509cafile", pki.caPem.toString(), "--sni-hostname", InteropPki.HOST, "--verify-hostname", InteropPki.HOST,
                "--priority", priority(x)));
        if (x.alpn != null) {
            for (String a : x.alpn) {
                cmd.addAll(List.of("--alpn", a));
            }
        }
        if (x.cert != ClientCert.NONE) {
            boolean trusted = x.cert == ClientCert.TRUSTED;
            cmd.addAll(List.of("--x509certfile", (trusted ? pki.clientCertPem : pki.strangerCertPem).toString(),
                    "--x509keyfile", (trusted ? pki.clientKeyPem : pki.strangerKeyPem).toString()));
        }
        if (x.keyUpdate != KeyUpdate.NONE) {
            cmd.addAll(List.of("--inline-commands", "-d", "4"));
        }
        cmd.addAll(List.of(extra));
        cmd.add("127.0.0.1");
        return cmd;
    }

    @Override
    ClientView connect(Exchange x) throws Exception {
        try (PeerProcess p = PeerProcess.start(command(x))) {
            return converse(p, x, "- Handshake was completed");
        }
    }

    @Override
    List<ClientView> connectTwice(Exchange x) throws Exception {
        try (PeerProcess p = PeerProcess.start(command(x, "--resume"))) {
            ClientView second = converse(p, x, "- Resume Handshake was completed");
            String out = second.transcript;
            int split = out.indexOf("- Disconnecting");
            ClientView first = parse(split < 0 ? out : out.substring(0, split), x);
            return List.of(first, second);
        }
    }

    private ClientView converse(PeerProcess p, Exchange x, String done) throws IOException {
        String out = p.awaitOrEnd(o -> o.contains(done) || o.contains("Fatal error"), "'" + done + "'");
        for (int i = 0; i < x.lines.size() && p.isRunning() && !out.contains("Fatal error"); i++) {
            if (i == 1 && x.keyUpdate != KeyUpdate.NONE) {
                p.send(x.keyUpdate == KeyUpdate.REQUESTED ? "^rekey^\n" : "^rekey1^\n");
            }
            String line = x.lines.get(i);
            p.send(line + "\n");
            out = p.awaitOrEnd(o -> o.contains("echo:" + line) || o.contains("Fatal error"), "the echo of '" + line + "'");
        }
        p.closeInput();
        p.awaitExit();
        String all = p.output();
        int resumed = all.indexOf(done);
        return parse(done.startsWith("- Resume") && resumed >= 0 ? all.substring(all.lastIndexOf("- Description", resumed)) : all, x);
    }

    static ClientView parse(String out, Exchange x) {
        ClientView v = new ClientView();
        v.transcript = out;
        Matcher m = DESCRIPTION.matcher(out);
        if (m.find() && out.contains("Handshake was completed")) {
            v.connected = true;
            v.protocol = m.group(1).replace("TLS", "TLSv");
            v.group = m.group(2) == null ? null : Group.parse(m.group(2));
            String sig = m.group(3);
            if (sig != null) {
                v.signatureType = sig.startsWith("ECDSA") ? "ECDSA" : sig.startsWith("RSA-PSS") ? "RSA-PSS" : sig.startsWith("EdDSA") ? "Ed25519" : sig;
                Matcher h = Pattern.compile("SHA(256|384|512)").matcher(sig);
                v.signatureHash = h.find() ? h.group() : null;
            }
            v.suite = "TLS_" + m.group(4).replace('-', '_') + (m.group(4).equals("AES-256-GCM") ? "_SHA384" : "_SHA256");
            String alpn = OpenSslClientTest.find(out, "- Application protocol: (\\S+)");
            v.alpn = alpn == null ? "" : alpn;
        }
        v.serverCommonName = OpenSslClientTest.find(out, "Certificate\\[0\\] info:\\s*- subject `CN=([^',]+)");
        v.serverName = InteropPki.HOST;
        Matcher e = Pattern.compile("(?m)^echo:(.*)$").matcher(out);
        while (e.find()) {
            v.echoed.add(e.group(1));
        }
        String alert = OpenSslClientTest.find(out, "Received alert \\[(\\d+)\\]");
        v.alert = alert == null ? null : Integer.valueOf(alert);
        v.resumed = out.contains("This is a resumed session");
        if (x.keyUpdate != KeyUpdate.NONE) {
            // the handshake debug log (-d 4) names each KeyUpdate received
            v.serverKeyUpdates = OpenSslClientTest.count(out, "received TLS 1.3 key update");
        }
        return v;
    }
}
