package dev.asyncjsse.conformance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * One {@code openssl s_client} handshake against a server engine over a loopback socket, for tests
 * that need a client whose ClientHello the JDK cannot produce (say, only X25519 in
 * {@code supported_groups}). The server side runs in the calling thread; the outcome of both sides is
 * returned, never thrown.
 */
final class OpenSslClient {

    /** What happened on both sides. */
    static final class Outcome {
        final SSLException serverError;
        final SSLSession serverSession;
        final String clientOutput;

        Outcome(SSLException serverError, SSLSession serverSession, String clientOutput) {
            this.serverError = serverError;
            this.serverSession = serverSession;
            this.clientOutput = clientOutput;
        }

        @Override
        public String toString() {
            return "server " + (serverError != null ? Failures.text(serverError) : serverSession.getCipherSuite())
                    + "\nopenssl:\n" + clientOutput;
        }
    }

    private OpenSslClient() {}

    /**
     * Runs {@code openssl s_client -connect <loopback port> <args>} against {@code server}, a server-mode
     * engine, until the handshake ends on the server's side; then closes the connection.
     */
    static Outcome handshake(SSLEngine server, String... args) throws IOException, InterruptedException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(15_000);
            List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                    "127.0.0.1:" + listener.getLocalPort()));
            cmd.addAll(List.of(args));
            Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            client.getOutputStream().close();
            SSLException error = null;
            String output;
            try {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (SocketTimeoutException e) {
                    throw new IOException("openssl did not connect", e);
                }
                try (BlockingTls tls = new BlockingTls(server, socket)) {
                    tls.handshake();
                } catch (SSLException e) {
                    error = e;
                }
                if (!client.waitFor(15, TimeUnit.SECONDS)) {
                    throw new IOException("openssl did not exit");
                }
                // read after the exit: the few kilobytes s_client prints fit in the pipe
                output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                client.destroy();
            }
            return new Outcome(error, error == null ? server.getSession() : null, output);
        }
    }
}
