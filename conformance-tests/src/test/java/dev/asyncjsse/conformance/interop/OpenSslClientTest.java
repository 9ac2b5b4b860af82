package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.Exchange.ClientCert;
import dev.asyncjsse.conformance.interop.Exchange.KeyUpdate;
import dev.asyncjsse.conformance.interop.Matrix.Group;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code openssl s_client} against AsyncJSSE's TLS 1.3 server: groups ({@code -groups}), suites
 * ({@code -ciphersuites}) and signature schemes ({@code -sigalgs}), ALPN, client certificates,
 * KeyUpdate with the {@code K}/{@code k} commands on standard input (watched with {@code -msg}), and
 * resumption with {@code -sess_out}/{@code -sess_in}.
 */
class OpenSslClientTest extends PeerContract {

    private static final Pattern SESSION = Pattern.compile("(New|Reused), (TLSv[0-9.]+), Cipher is (\\S+)");

    @Override
    void requirePeer() {
        Tools.require("openssl", "version", "openssl");
    }

    @Override
    String lacks(Feature feature, Object value) {
        if (feature == Feature.GROUP && value == Group.X25519MLKEM768 && !hasMlKem()) {
            return "this openssl has no X25519MLKEM768 (OpenSSL 3.5 and later have it)";
        }
        return null;
    }

    static boolean hasMlKem() {
        return Tools.prints(List.of("openssl", "list", "-kem-algorithms"), "X25519MLKEM768");
    }

    static String groupName(Group g) {
        switch (g) {
            case X25519:
                return "X25519";
            case SECP256R1:
                return "P-256";
            case SECP384R1:
                return "P-384";
            default:
                return "X25519MLKEM768";
        }
    }

    List<String> command(Exchange x, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(),
                "-servername", InteropPki.HOST, "-tls1_3", "-CAfile", pki.caPem.toString(), "-verify_return_error",
                "-verify_hostname", InteropPki.HOST));
        if (x.group != null) {
            cmd.addAll(List.of("-groups", groupName(x.group)));
        }
        if (x.suite != null) {
            cmd.addAll(List.of("-ciphersuites", x.suite));
        }
        if (x.scheme != null) {
            cmd.addAll(List.of("-sigalgs", String.join(":", x.scheme.offer())));
        }
        if (x.alpn != null) {
            cmd.addAll(List.of("-alpn", String.join(",", x.alpn)));
        }
        if (x.cert != ClientCert.NONE) {
            boolean trusted = x.cert == ClientCert.TRUSTED;
            cmd.addAll(List.of("-cert", (trusted ? pki.clientCertPem : pki.strangerCertPem).toString(),
                    "-key", (trusted ? pki.clientKeyPem : pki.strangerKeyPem).toString()));
        }
        if (x.keyUpdate != KeyUpdate.NONE) {
            cmd.add("-msg");
        }
        cmd.addAll(List.of(extra));
        return cmd;
    }

    @Override
    ClientView connect(Exchange x) throws Exception {
        try (PeerProcess p = PeerProcess.start(command(x))) {
            return converse(p, x);
        }
    }

    @Override
    List<ClientView> connectTwice(Exchange x) throws Exception {
        Path session = Files.createTempFile(pki.dir, "openssl", ".session");
        List<ClientView> views = new ArrayList<>();
        try (PeerProcess p = PeerProcess.start(command(x, "-sess_out", session.toString()))) {
            views.add(converse(p, x));
        }
        try (PeerProcess p = PeerProcess.start(command(x, "-sess_in", session.toString()))) {
            views.add(converse(p, x));
        }
        return views;
    }

    /** Waits for the handshake summary, sends the lines (updating keys after the first), then ends the input. */
    private ClientView converse(PeerProcess p, Exchange x) throws IOException {
        String out = p.awaitOrEnd(o -> o.contains("Verify return code") || o.contains("SSL alert number"), "the handshake summary");
        for (int i = 0; i < x.lines.size() && p.isRunning() && !out.contains("SSL alert number"); i++) {
            if (i == 1 && x.keyUpdate != KeyUpdate.NONE) {
                // s_client's commands: a line "K" sends KeyUpdate(update_requested), "k" update_not_requested
                // s_client reads a command line alone: the next line waits until it ran
                p.send(x.keyUpdate == KeyUpdate.REQUESTED ? "K\n" : "k\n");
                p.await("KEYUPDATE");
            }
            String line = x.lines.get(i);
            p.send(line + "\n");
            out = p.awaitOrEnd(o -> o.contains("echo:" + line) || o.contains("SSL alert number"), "the echo of '" + line + "'");
        }
        p.closeInput();
        p.awaitExit();
        return parse(p.output(), x);
    }

    static ClientView parse(String out, Exchange x) {
        ClientView v = new ClientView();
        v.transcript = out;
        Matcher m = SESSION.matcher(out);
        if (m.find()) {
            v.connected = true;
            v.resumed = m.group(1).equals("Reused");
            v.protocol = m.group(2);
            v.suite = m.group(3);
        }
        v.group = group(find(out, "Server Temp Key: ([^\\n]+)"));
        v.signatureType = find(out, "Peer signature type: (\\S+)");
        v.signatureHash = find(out, "Peer signing digest: (\\S+)");
        v.serverCommonName = find(out, "subject=CN = (\\S+)");
        if (v.connected) {
            v.alpn = out.contains("No ALPN negotiated") ? "" : find(out, "ALPN protocol: (\\S+)");
        }
        v.serverName = InteropPki.HOST;
        // s_client writes the data it receives and its dump of a NewSessionTicket through separate
        // buffers: an echo can start in the middle of a dump line (a client-auth session's ticket,
        // with the client's chain inside, is about 900 bytes of hex)
        Matcher e = Pattern.compile("(?m)echo:(.*)$").matcher(out);
        while (e.find()) {
            v.echoed.add(e.group(1));
        }
        String alert = find(out, "SSL alert number (\\d+)");
        v.alert = alert == null ? null : Integer.valueOf(alert);
        if (x.keyUpdate != KeyUpdate.NONE) {
            v.serverKeyUpdates = count(out, "<<< TLS 1.3, Handshake [length 0005], KeyUpdate");
        }
        v.ticketReceived = out.contains("Post-Handshake New Session Ticket arrived");
        return v;
    }

    /** "X25519, 253 bits" or "ECDH, prime256v1, 256 bits": the group is the last name before the size. */
    private static Group group(String tempKey) {
        if (tempKey == null) {
            return null;
        }
        String[] parts = tempKey.split(",\\s*");
        return Group.parse(parts[Math.max(0, parts.length - 2)]);
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : null;
    }

    static int count(String text, String literal) {
        int n = 0;
        for (int i = text.indexOf(literal); i >= 0; i = text.indexOf(literal, i + literal.length())) {
            n++;
        }
        return n;
    }
}
