package dev.asyncjsse.conformance.interop;

import dev.asyncjsse.conformance.interop.Exchange.ClientCert;
import dev.asyncjsse.conformance.interop.Exchange.KeyUpdate;
import dev.asyncjsse.conformance.interop.Matrix.Group;
import dev.asyncjsse.testkit.ForwardingKeyManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.BCSSLParameters;
import org.bouncycastle.jsse.BCSSLSocket;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * A JSSE client, SunJSSE's or BCJSSE's, over a blocking {@link SSLSocket}: it trusts the interop CA
 * and presents the client certificate from the PKCS#12 files of {@link InteropPki}, sends the echo
 * lines and reads them back. BCJSSE takes groups and signature schemes per socket; SunJSSE on JDK 17
 * only JVM-wide ({@code jdk.tls.namedGroups}, {@code jdk.tls.client.SignatureSchemes}), so
 * {@link #main} runs it in a JVM of its own with those properties, printing the {@link ClientView}
 * as lines that {@link #parse} reads back. Not thread-safe: one connection at a time per caller.
 */
final class JavaClient {

    /** The JSSE implementation of the client. */
    enum Stack { SUNJSSE, BCJSSE }

    private static final Map<String, Integer> ALERTS = Map.of("certificate_required", PeerContract.CERTIFICATE_REQUIRED,
            "certificate_unknown", PeerContract.CERTIFICATE_UNKNOWN, "bad_certificate", 42, "unknown_ca", 48,
            "handshake_failure", 40, "illegal_parameter", 47, "decrypt_error", 51);
    private static final Pattern ALERT = Pattern.compile("(" + String.join("|", ALERTS.keySet()) + ")");

    private static Provider bcjsse;

    private JavaClient() {}

    static synchronized Provider bcjsse() {
        if (bcjsse == null) {
            // with Bouncy Castle's JCA: BCJSSE on the JDK's has no RSA-PSS schemes
            bcjsse = new BouncyCastleJsseProvider(new BouncyCastleProvider());
        }
        return bcjsse;
    }

    /** A client context of {@code stack} trusting the CA in {@code caPem}, with the key in {@code p12} (or none). */
    static SSLContext context(Stack stack, Path caPem, Path p12, char[] password) throws Exception {
        Provider provider = stack == Stack.BCJSSE ? bcjsse() : null;
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = provider == null ? TrustManagerFactory.getInstance("PKIX", "SunJSSE")
                : TrustManagerFactory.getInstance("PKIX", provider);
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (p12 != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                keys.load(in, password);
            }
            kmf = provider == null ? KeyManagerFactory.getInstance("PKIX", "SunJSSE") : KeyManagerFactory.getInstance("PKIX", provider);
            kmf.init(keys, password);
        }
        SSLContext ctx = provider == null ? SSLContext.getInstance("TLS", "SunJSSE") : SSLContext.getInstance("TLS", provider);
        ctx.init(kmf == null ? null : new KeyManager[] {new AnyIssuer(kmf.getKeyManagers()[0])}, tmf.getTrustManagers(),
                new SecureRandom());
        return ctx;
    }

    /**
     * Presents the client certificate whatever certificate authorities the server's
     * CertificateRequest names, as openssl and gnutls-cli do, so that the server's refusal of an
     * unknown issuer is tested and not the client's own filtering.
     */
    static final class AnyIssuer extends ForwardingKeyManager {
        AnyIssuer(KeyManager delegate) {
            super(delegate);
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return delegate.chooseClientAlias(keyTypes, null, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return delegate.chooseEngineClientAlias(keyTypes, null, engine);
        }
    }

    /** A context for {@code cert} from the interop PKI. */
    static SSLContext context(Stack stack, ClientCert cert) throws Exception {
        InteropPki pki = InteropPki.get();
        Path p12 = cert == ClientCert.TRUSTED ? pki.clientP12 : cert == ClientCert.STRANGER ? pki.strangerP12 : null;
        return context(stack, pki.caPem, p12, dev.asyncjsse.testkit.TestPki.PASSWORD);
    }

    /**
     * One connection to the echo server on loopback {@code port}. TLS failures are reported in the
     * view ({@link ClientView#alert}, the exception in the transcript), not thrown.
     */
    static ClientView connect(SSLContext ctx, int port, Exchange x) throws Exception {
        ClientView v = new ClientView();
        StringBuilder log = new StringBuilder();
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            s.setSoTimeout(20_000);
            SSLParameters p = s.getSSLParameters();
            p.setProtocols(new String[] {"TLSv1.3"});
            if (x.suite != null) {
                p.setCipherSuites(new String[] {x.suite});
            }
            if (x.alpn != null) {
                p.setApplicationProtocols(x.alpn.toArray(new String[0]));
            }
            p.setServerNames(List.of(new SNIHostName(InteropPki.HOST)));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            if (s instanceof BCSSLSocket && (x.group != null || x.scheme != null)) {
                BCSSLParameters bp = ((BCSSLSocket) s).getParameters();
                if (x.group != null) {
                    // the key share is the group under test; secp256r1 stays offered because BCJSSE
                    // offers ECDSA P-256 signatures (the interop CA's) only with that group enabled
                    bp.setNamedGroups(x.group == Group.SECP256R1 ? new String[] {x.group.tlsName}
                            : new String[] {x.group.tlsName, Group.SECP256R1.tlsName});
                    bp.setEarlyKeyShares(new String[] {x.group.tlsName});
                }
                if (x.scheme != null) {
                    bp.setSignatureSchemes(x.scheme.offer().toArray(new String[0]));
                }
                ((BCSSLSocket) s).setParameters(bp);
            }
            v.serverName = InteropPki.HOST;
            s.startHandshake();
            v.connected = true;
            v.protocol = s.getSession().getProtocol();
            v.suite = s.getSession().getCipherSuite();
            v.alpn = s.getApplicationProtocol();
            v.serverCommonName = commonName((X509Certificate) s.getSession().getPeerCertificates()[0]);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            for (int i = 0; i < x.lines.size(); i++) {
                if (i == 1 && x.keyUpdate == KeyUpdate.REQUESTED) {
                    // SunJSSE: a new handshake on an established TLS 1.3 connection is a KeyUpdate(update_requested)
                    s.startHandshake();
                }
                out.write((x.lines.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                String reply = in.readLine();
                if (reply == null || !reply.startsWith("echo:")) {
                    log.append("unexpected reply: ").append(reply).append('\n');
                    break;
                }
                v.echoed.add(reply.substring("echo:".length()));
            }
        } catch (IOException e) {
            // SunJSSE throws SSLExceptions; BCJSSE's sockets also Bouncy Castle's TlsFatalAlertReceived
            // and a broken pipe when the server has closed after its alert
            log.append(e).append('\n');
            v.alert = alertIn(String.valueOf(e.getMessage()));
        }
        v.transcript = log.toString();
        return v;
    }

    /** The alert an exception message names (SunJSSE, BCJSSE and BoringSSL spell the RFC's names), or null. */
    static Integer alertIn(String message) {
        Matcher m = ALERT.matcher(message.toLowerCase(java.util.Locale.ROOT));
        return m.find() ? ALERTS.get(m.group(1)) : null;
    }

    static String commonName(X509Certificate c) {
        Matcher m = Pattern.compile("CN=([^,]+)").matcher(c.getSubjectX500Principal().getName());
        return m.find() ? m.group(1) : null;
    }

    // ------------------------------------------------------------------ in a JVM of its own

    /**
     * Runs {@link #connect} as the arguments say and prints the view. Arguments, as
     * {@code key=value}: {@code stack}, {@code port}, {@code ca}, {@code p12}, {@code password},
     * {@code suite}, {@code alpn} (comma-separated), {@code keyUpdate}, and {@code line} (repeated).
     * Groups and schemes come from the JVM's system properties.
     */
    public static void main(String[] args) throws Exception {
        Stack stack = Stack.SUNJSSE;
        int port = 0;
        Path ca = null;
        Path p12 = null;
        char[] password = null;
        Exchange x = new Exchange();
        List<String> lines = new ArrayList<>();
        for (String a : args) {
            String key = a.substring(0, a.indexOf('='));
            String value = a.substring(a.indexOf('=') + 1);
            switch (key) {
                case "stack": stack = Stack.valueOf(value); break;
                case "port": port = Integer.parseInt(value); break;
                case "ca": ca = Path.of(value); break;
                case "p12": p12 = Path.of(value); break;
                case "password": password = value.toCharArray(); break;
                case "suite": x.suite(value); break;
                case "alpn": x.alpn(value.split(",")); break;
                case "keyUpdate": x.keyUpdate(KeyUpdate.valueOf(value)); break;
                case "line": lines.add(value); break;
                default: throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        x.lines(lines.toArray(new String[0]));
        ClientView v = connect(context(stack, ca, p12, password), port, x);
        StringBuilder out = new StringBuilder();
        out.append("view.connected=").append(v.connected).append('\n');
        out.append("view.protocol=").append(v.protocol).append('\n');
        out.append("view.suite=").append(v.suite).append('\n');
        out.append("view.cn=").append(v.serverCommonName).append('\n');
        out.append("view.alpn=").append(v.alpn).append('\n');
        out.append("view.alert=").append(v.alert).append('\n');
        for (String e : v.echoed) {
            out.append("echo:").append(e).append('\n');
        }
        out.append(v.transcript);
        System.out.print(out);
        System.out.flush();
    }

    /** The view {@link #main} printed. */
    static ClientView parse(String out) {
        ClientView v = new ClientView();
        v.transcript = out;
        v.connected = "true".equals(value(out, "connected"));
        v.protocol = value(out, "protocol");
        v.suite = value(out, "suite");
        v.serverCommonName = value(out, "cn");
        v.alpn = value(out, "alpn");
        String alert = value(out, "alert");
        v.alert = alert == null ? null : Integer.valueOf(alert);
        v.serverName = InteropPki.HOST;
        Matcher e = Pattern.compile("(?m)^echo:(.*)$").matcher(out);
        while (e.find()) {
            v.echoed.add(e.group(1));
        }
        return v;
    }

    private static String value(String out, String key) {
        Matcher m = Pattern.compile("(?m)^view\\." + key + "=(.*)$").matcher(out);
        if (!m.find()) {
            return null;
        }
        String v = m.group(1).trim();
        return v.equals("null") ? null : v;
    }

    /** The command line that runs {@link #main} in a new JVM with {@code properties} for {@code x}. */
    static List<String> command(Stack stack, int port, Exchange x, List<String> properties) {
        InteropPki pki = InteropPki.get();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // one connection: start quickly rather than compile well
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(properties);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JavaClient.class.getName(),
                "stack=" + stack, "port=" + port, "ca=" + pki.caPem));
        if (x.cert != ClientCert.NONE) {
            cmd.add("p12=" + (x.cert == ClientCert.TRUSTED ? pki.clientP12 : pki.strangerP12));
            cmd.add("password=" + new String(dev.asyncjsse.testkit.TestPki.PASSWORD));
        }
        if (x.suite != null) {
            cmd.add("suite=" + x.suite);
        }
        if (x.alpn != null) {
            cmd.add("alpn=" + String.join(",", x.alpn));
        }
        cmd.add("keyUpdate=" + x.keyUpdate);
        for (String l : x.lines) {
            cmd.add("line=" + l);
        }
        return cmd;
    }
}
