package dev.asyncjsse.dropin;

import dev.asyncjsse.testkit.SystemTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A SoftHSM2 token exported over a unix socket by {@code p11-kit server} (Debian's {@code p11-kit}),
 * the way a token on another host or in another container is reached: the JVM loads only
 * {@code p11-kit-client.so} (Debian's {@code p11-kit-modules}), which finds the socket through
 * {@code P11_KIT_SERVER_ADDRESS}. That variable must be in the JVM's environment before SunPKCS11
 * loads the client module, so dropin-tests/pom.xml sets it to {@link #socket()}.
 *
 * <p>The server forks one {@code p11-kit-remote} process per client connection; {@link #kill} ends
 * the server and those processes, as a crashed HSM host would.
 */
final class P11KitServer implements AutoCloseable {

    static final String ADDRESS_VARIABLE = "P11_KIT_SERVER_ADDRESS";
    /** Where Debian installs the client module; others are tried in order. */
    static final List<String> CLIENT_MODULES = List.of(
            "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so",
            "/usr/lib/aarch64-linux-gnu/pkcs11/p11-kit-client.so",
            "/usr/lib64/pkcs11/p11-kit-client.so",
            "/usr/lib/pkcs11/p11-kit-client.so");
    /** A unix socket path (sun_path) holds at most 107 bytes. */
    private static final int MAX_SOCKET_PATH = 107;

    private final SoftHsm token;
    private final Path socket;
    private final Path log;
    private Process process;

    private P11KitServer(SoftHsm token, Path socket) {
        this.token = token;
        this.socket = socket;
        this.log = token.dir.resolve("p11-kit-server.log");
    }

    /** Whether p11-kit and its client module are installed, without skipping: for a {@code @BeforeAll}. */
    static boolean installed() {
        return SystemTools.installed("p11-kit") && CLIENT_MODULES.stream().anyMatch(m -> Files.isRegularFile(Paths.get(m)));
    }

    /** What the tests need of p11-kit: the {@code p11-kit} command and its client module. */
    static List<SystemTools.Need> needs() {
        return List.of(SystemTools.commandNeed("p11-kit", "p11-kit"),
                SystemTools.libraryNeed("p11-kit's client module p11-kit-client.so", "p11-kit-modules", CLIENT_MODULES));
    }

    /** The client module SunPKCS11 loads. */
    static String clientModule() {
        return SystemTools.library("p11-kit's client module p11-kit-client.so", "p11-kit-modules", CLIENT_MODULES);
    }

    /** The socket this JVM's client module connects to, from {@value #ADDRESS_VARIABLE}. */
    static Path socket() {
        String address = System.getenv(ADDRESS_VARIABLE);
        if (address == null || !address.startsWith("unix:path=")) {
            throw new AssertionError(ADDRESS_VARIABLE + " is '" + address + "': run this test through Maven (dropin-tests/pom.xml sets it)");
        }
        Path socket = Paths.get(address.substring("unix:path=".length()));
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new AssertionError("the socket path " + socket + " is longer than a unix socket allows (" + MAX_SOCKET_PATH
                    + " bytes): build from a shorter directory, or set -Ddropin.buildDir=/tmp/something");
        }
        return socket;
    }

    /** Starts a server exporting {@code token} on {@link #socket()}. */
    static P11KitServer start(SoftHsm token) throws Exception {
        P11KitServer server = new P11KitServer(token, socket());
        server.start();
        return server;
    }

    /** Starts the server (again); returns once the socket accepts connections. */
    void start() throws Exception {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        ProcessBuilder pb = new ProcessBuilder(SystemTools.command("p11-kit", "p11-kit"), "server", "--foreground",
                "--provider", token.library, "--name", socket.toString(), "pkcs11:token=" + SoftHsm.LABEL)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(token.environment);
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("p11-kit server did not open " + socket + ":\n" + Files.readString(log));
            }
            Thread.sleep(10);
        }
    }

    /** The processes serving connections now: one per connected client. */
    long connections() {
        Process p = process;
        return p == null ? 0 : p.descendants().filter(ProcessHandle::isAlive).count();
    }

    /** Kills the server and every process serving a connection, at once (SIGKILL). */
    void kill() throws InterruptedException {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> children = p.descendants().collect(java.util.stream.Collectors.toList());
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        p.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle child : children) {
            child.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        process = null;
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
