package dev.asyncjsse.examples;

import dev.asyncjsse.AsyncJsse;
import dev.asyncjsse.AsyncJsseProvider;
import dev.asyncjsse.AsyncSSLEngine;
import dev.asyncjsse.KeyOffloaders;
import dev.asyncjsse.nio.ClientHello;
import dev.asyncjsse.nio.NeedsReadException;
import dev.asyncjsse.nio.NeedsWriteException;
import dev.asyncjsse.nio.OffloadPendingException;
import dev.asyncjsse.nio.TlsChannel;
import dev.asyncjsse.testkit.TestPki;
import dev.asyncjsse.testkit.TestPki.KeyKind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * An HTTPS server on one selector thread, built on {@link TlsChannel} and AsyncJSSE:
 * <ul>
 * <li>a small page at {@code /} and an echo endpoint ({@code POST /echo});
 * <li>self-signed EC certificates generated at start;
 * <li>SNI routing: {@code a.localhost} and {@code b.localhost} each have their own {@code SSLContext}
 *     and certificate, chosen from the ClientHello before the engine exists; other names (or none)
 *     get the default one ({@code localhost});
 * <li>port unification: plain HTTP and TLS on the same port, told apart by the first byte (0x16 starts
 *     a TLS handshake record); the sniffed bytes go to the TLS channel's buffered handshake;
 * <li>a key offloader with configurable latency: every signature runs on a worker pool after a delay,
 *     while the selector thread goes on serving other connections.
 * </ul>
 *
 * <p>Run with {@code ./demo.sh [--port 8443] [--offload-latency-ms 5]}; {@code ./demo.sh --help} lists the
 * options. Bad arguments print one line and exit with status 2.
 */
public final class DemoServer implements AutoCloseable {

    /** Command-line options. */
    public static final class Options {
        static final String USAGE = String.join("\n",
                "usage: ./demo.sh [--host H] [--port N] [--offload-latency-ms MS | --no-offload] [--quiet]",
                "       ./demo.sh compare [--offload-latency-ms MS] [--clients N] [--handshakes N]",
                "",
                "An HTTPS server (and plain HTTP on the same port) on one selector thread, with AsyncJSSE.",
                "  --host H                 address to listen on (default 127.0.0.1)",
                "  --port N                 port to listen on, 0 for any free one (default 8443)",
                "  --offload-latency-ms MS  every signature runs on a worker pool after MS more milliseconds",
                "                           (default 5; 0 offloads without added latency)",
                "  --no-offload             sign on the selector thread, synchronously, for contrast",
                "  --quiet                  no log lines",
                "  --help                   this text",
                "  compare                  SunJSSE against AsyncJSSE in one selector loop (see examples/README.md)",
                "JAVA_OPTS passes JVM options, e.g. JAVA_OPTS=-XX:StartFlightRecording=filename=demo.jfr ./demo.sh");

        public String host = "127.0.0.1";
        public int port = 8443;
        /** Added latency of each key operation; negative turns offload off. */
        public int offloadLatencyMs = 5;
        public boolean quiet;
        public boolean help;
        /** The {@code compare} mode instead of the server. */
        public boolean compare;
        /** Concurrent clients of each {@code compare} run. */
        public int clients = 32;
        /** Full handshakes of each {@code compare} run. */
        public int handshakes = 1000;
        /** Where the server's log lines go (one per request, refusal or broken connection). */
        public java.util.function.Consumer<String> log = System.out::println;

        /**
         * Reads the command line.
         *
         * @throws IllegalArgumentException with one line that says what is wrong
         */
        public static Options parse(String... args) {
            Options o = new Options();
            boolean latencyGiven = false;
            boolean noOffload = false;
            o.compare = args.length > 0 && args[0].equals("compare");
            java.util.Set<String> given = new java.util.HashSet<>();
            for (int i = o.compare ? 1 : 0; i < args.length; i++) {
                String a = args[i];
                String value = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    value = a.substring(eq + 1);
                    a = a.substring(0, eq);
                }
                // a second value would silently replace the first
                if (a.startsWith("--") && !given.add(a)) {
                    throw new IllegalArgumentException(a + " is given twice");
                }
                switch (a) {
                    case "--help":
                    case "-h":
                        o.help = true;
                        break;
                    case "--port":
                        serverOnly(o, a);
                        o.port = number(a, value != null ? value : next(args, ++i, a), 0, 65535);
                        break;
                    case "--host":
                        serverOnly(o, a);
                        o.host = value != null ? value : next(args, ++i, a);
                        break;
                    case "--offload-latency-ms":
                        o.offloadLatencyMs = number(a, value != null ? value : next(args, ++i, a), 0, 600_000);
                        latencyGiven = true;
                        break;
                    case "--no-offload":
                        serverOnly(o, a);
                        noOffload = true;
                        break;
                    case "--quiet":
                        serverOnly(o, a);
                        o.quiet = true;
                        break;
                    case "--clients":
                        compareOnly(o, a);
                        o.clients = number(a, value != null ? value : next(args, ++i, a), 1, 10_000);
                        break;
                    case "--handshakes":
                        compareOnly(o, a);
                        o.handshakes = number(a, value != null ? value : next(args, ++i, a), 1, 100_000_000);
                        break;
                    case "":
                        break;
                    default:
                        throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (noOffload && latencyGiven) {
                throw new IllegalArgumentException("--no-offload and --offload-latency-ms contradict each other: choose one");
            }
            if (noOffload) {
                o.offloadLatencyMs = -1;
            }
            return o;
        }

        private static void serverOnly(Options o, String option) {
            if (o.compare) {
                throw new IllegalArgumentException("compare takes --offload-latency-ms, --clients and --handshakes, not " + option);
            }
        }

        private static void compareOnly(Options o, String option) {
            if (!o.compare) {
                throw new IllegalArgumentException(option + " is an option of compare: ./demo.sh compare " + option + " N");
            }
        }

        private static String next(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int number(String option, String value, int min, int max) {
            int n;
            try {
                n = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a whole number, not '" + value + "'", e);
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException(option + " must be from " + min + " to " + max + ", not " + n
                        + (option.equals("--offload-latency-ms") && n < 0 ? " (--no-offload turns offload off)" : ""));
            }
            return n;
        }
    }

    private static final String[] HOSTS = {"a.localhost", "b.localhost"};

    private final Options options;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final Queue<Conn> woken = new ConcurrentLinkedQueue<>();
    private final ExecutorService keyPool;
    private final SSLContext defaultContext;
    private final Map<String, SSLContext> contexts;
    private final Thread thread;
    private volatile boolean running = true;
    /** Handshakes completed, requests served, offload pauses seen. */
    public final AtomicLong handshakes = new AtomicLong();
    public final AtomicLong requests = new AtomicLong();
    public final AtomicLong offloadPauses = new AtomicLong();
    /** The longest time one turn of the selector loop took, in nanoseconds. */
    public final AtomicLong worstLoopTurnNanos = new AtomicLong();

    private DemoServer(Options options) throws IOException, GeneralSecurityException {
        this.options = options;
        this.keyPool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "demo-key-offload");
            t.setDaemon(true);
            return t;
        });
        this.defaultContext = context("localhost", "localhost", "127.0.0.1");
        this.contexts = Map.of(HOSTS[0], context(HOSTS[0], HOSTS[0]), HOSTS[1], context(HOSTS[1], HOSTS[1]));
        this.selector = Selector.open();
        this.listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(options.host, options.port), 512);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this::loop, "demo-selector");
    }

    /** Starts a server on its own selector thread. */
    public static DemoServer start(Options options) throws IOException, GeneralSecurityException {
        DemoServer s = new DemoServer(options);
        s.thread.start();
        return s;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return listener.socket().getLocalPort();
    }

    private SSLContext context(String cn, String... names) throws GeneralSecurityException {
        TestPki.Identity id = TestPki.selfSigned(KeyKind.EC_P256, cn, names);
        SSLContext ctx = SSLContext.getInstance("TLS", new AsyncJsseProvider());
        ctx.init(TestPki.keyManagers(id), null, null);
        AsyncJsse.setMonitoringName(ctx, cn); // its MBean: dev.asyncjsse:type=Offload,name=<cn>
        if (options.offloadLatencyMs >= 0) {
            AsyncJsse.setKeyOffloader(ctx, KeyOffloaders.withLatency(KeyOffloaders.executor(keyPool),
                    Duration.ofMillis(options.offloadLatencyMs)));
        }
        return ctx;
    }

    /**
     * SNI routing: the ClientHello's host name picks the context. The engine learns the peer's address
     * (AsyncJSSE's log lines and events name it) and negotiates ALPN {@code http/1.1}, the only
     * protocol this server speaks.
     */
    private SSLEngine chooseEngine(ClientHello hello, InetSocketAddress peer) {
        String name = hello.serverName();
        SSLContext ctx = name == null ? defaultContext : contexts.getOrDefault(name, defaultContext);
        SSLEngine engine = peer == null ? ctx.createSSLEngine() : ctx.createSSLEngine(peer.getHostString(), peer.getPort());
        SSLParameters params = engine.getSSLParameters();
        params.setApplicationProtocols(new String[] {"http/1.1"});
        engine.setSSLParameters(params);
        return engine;
    }

    // ------------------------------------------------------------------ the loop

    private void loop() {
        try {
            while (running) {
                selector.select();
                long turnStart = System.nanoTime();
                Conn c;
                while ((c = woken.poll()) != null) {
                    c.drive();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        accept();
                    } else {
                        ((Conn) k.attachment()).drive();
                    }
                }
                long turn = System.nanoTime() - turnStart;
                worstLoopTurnNanos.accumulateAndGet(turn, Math::max);
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                System.err.println("demo server loop failed: " + e);
                e.printStackTrace();
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel sc;
        while ((sc = listener.accept()) != null) {
            sc.configureBlocking(false);
            Conn conn = new Conn(sc);
            conn.key = sc.register(selector, SelectionKey.OP_READ, conn);
        }
    }

    /** One connection: sniff, then read a request, write the response, close. */
    private final class Conn {
        final SocketChannel socket;
        SelectionKey key;
        ByteChannel io;          // the socket itself (plain HTTP) or a TlsChannel
        TlsChannel tls;
        int sniffed;
        boolean counted;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        ByteBuffer out;

        Conn(SocketChannel socket) {
            this.socket = socket;
        }

        void drive() {
            if (!socket.isOpen()) {
                return;
            }
            try {
                if (io == null && !sniff()) {
                    return;
                }
                if (tls != null) {
                    tls.handshake();
                    if (!counted) {
                        counted = true;
                        handshakes.incrementAndGet();
                    }
                }
                if (out == null) {
                    Request req;
                    while ((req = Request.parse(in)) == null) {
                        if (!in.hasRemaining()) {
                            log("refused " + remote() + ": request larger than " + in.capacity() / 1024 + " KiB -> 413");
                            out = response(413, "text/plain", "request too large\n".getBytes(StandardCharsets.US_ASCII));
                            break;
                        }
                        int n = io.read(in);
                        if (n < 0) {
                            close();
                            return;
                        }
                        if (n == 0) {
                            key.interestOps(SelectionKey.OP_READ);
                            return;
                        }
                    }
                    if (out == null) {
                        out = handle(req);
                    }
                }
                while (out.hasRemaining() || (tls != null && tls.hasPendingOutput())) {
                    if (io.write(out) == 0 && out.hasRemaining() && tls == null) {
                        key.interestOps(SelectionKey.OP_WRITE);
                        return;
                    }
                }
                close();
            } catch (NeedsReadException e) {
                key.interestOps(SelectionKey.OP_READ);
            } catch (NeedsWriteException e) {
                key.interestOps(SelectionKey.OP_WRITE);
            } catch (OffloadPendingException e) {
                // nothing to select for: the offload wake-up puts us back on the queue
                offloadPauses.incrementAndGet();
                key.interestOps(0);
            } catch (IOException | RuntimeException e) {
                log("connection from " + remote() + " failed: " + e);
                close();
            }
        }

        /** Port unification: 0x16 starts a TLS handshake record; anything else is plain HTTP. */
        private boolean sniff() throws IOException {
            int n = socket.read(in);
            if (n < 0) {
                close();
                return false;
            }
            if (in.position() == 0) {
                key.interestOps(SelectionKey.OP_READ);
                return false;
            }
            byte first = in.get(0);
            if (first == 0x16) {
                in.flip();
                sniffed = in.remaining();
                InetSocketAddress peer = peerAddress();
                tls = TlsChannel.server(socket, hello -> chooseEngine(hello, peer))
                        .initialBytes(in) // handed to the engine's buffered handshake
                        .offloadWakeup(ch -> {
                            woken.add(this);
                            selector.wakeup();
                        })
                        .build();
                in.clear();
                io = tls;
            } else if (first >= 'A' && first <= 'Z') {
                io = socket; // plain HTTP: the sniffed bytes are the start of the request (a method name)
            } else {
                log("not TLS or HTTP from " + remote() + " (first bytes " + hex(in, 8) + "): closed");
                close();
                return false;
            }
            return true;
        }

        private InetSocketAddress peerAddress() {
            try {
                return (InetSocketAddress) socket.getRemoteAddress();
            } catch (IOException | ClassCastException e) {
                return null;
            }
        }

        private ByteBuffer handle(Request req) {
            requests.incrementAndGet();
            ByteBuffer resp;
            if (req.path.equals("/echo") && req.method.equals("POST")) {
                resp = response(200, "application/octet-stream", req.body);
            } else if (req.path.equals("/") && (req.method.equals("GET") || req.method.equals("HEAD"))) {
                resp = response(200, "text/plain; charset=utf-8", page(req).getBytes(StandardCharsets.UTF_8));
            } else if (req.path.equals("/echo")) {
                resp = response(405, "text/plain", "use POST /echo\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                resp = response(404, "text/plain", ("no page " + req.path + "\n").getBytes(StandardCharsets.UTF_8));
            }
            log(describe() + " " + req.method + " " + req.path + " -> " + statusOf(resp));
            return resp;
        }

        private String describe() {
            if (tls == null) {
                return "http  " + remote();
            }
            SSLSession s = tls.session();
            String sni = tls.clientHello() == null ? null : tls.clientHello().serverName();
            return s.getProtocol() + " " + remote() + " sni=" + (sni == null ? "-" : sni);
        }

        private String page(Request req) {
            StringBuilder b = new StringBuilder();
            b.append("Hello from the AsyncJSSE demo server (one selector thread).\n\n");
            if (tls == null) {
                b.append("transport:       plain HTTP on the unified port (first byte was not 0x16)\n");
                b.append("try:             https://").append(req.host == null ? options.host + ":" + port() : req.host).append("/\n");
            } else {
                SSLSession s = tls.session();
                ClientHello hello = tls.clientHello();
                SSLEngine engine = tls.engine();
                b.append("protocol:        ").append(s.getProtocol()).append('\n');
                b.append("cipher suite:    ").append(s.getCipherSuite()).append('\n');
                b.append("SNI host name:   ").append(hello.serverName() == null ? "(none)" : hello.serverName()).append('\n');
                b.append("certificate:     ").append(((java.security.cert.X509Certificate) s.getLocalCertificates()[0])
                        .getSubjectX500Principal().getName()).append('\n');
                b.append("client offered:  ").append(hello.offeredProtocols()).append('\n');
                b.append("ALPN:            ").append(emptyAsNone(engine.getApplicationProtocol()))
                        .append(" (client offered ").append(hello.applicationProtocols()).append(")\n");
                b.append("sniffed bytes:   ").append(sniffed).append(" (buffered handshake used ")
                        .append(tls.bufferedHandshakeUsed()).append(")\n");
                if (engine instanceof AsyncSSLEngine) {
                    b.append("key offload:     ").append(options.offloadLatencyMs < 0 ? "off"
                            : options.offloadLatencyMs + " ms per signature, status " + ((AsyncSSLEngine) engine).getAsyncStatus()).append('\n');
                }
            }
            b.append(String.format(Locale.ROOT, "server totals:   %d handshakes, %d requests, %d offload pauses%n",
                    handshakes.get(), requests.get(), offloadPauses.get()));
            b.append("\necho:            curl -k -d 'hello' https://").append(options.host).append(':').append(port()).append("/echo\n");
            return b.toString();
        }

        private String remote() {
            try {
                return String.valueOf(socket.getRemoteAddress());
            } catch (IOException e) {
                return "?";
            }
        }

        void close() {
            try {
                if (tls != null) {
                    tls.close(); // close_notify, best effort, then the socket
                } else {
                    socket.close();
                }
            } catch (IOException ignored) {
                // nothing more to do
            }
            if (key != null) {
                key.cancel();
            }
        }
    }

    private void log(String line) {
        if (!options.quiet) {
            options.log.accept(line);
        }
    }

    private static String emptyAsNone(String protocol) {
        return protocol == null || protocol.isEmpty() ? "(none)" : protocol;
    }

    private static String hex(ByteBuffer filled, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(max, filled.position()); i++) {
            b.append(i > 0 ? " " : "").append(String.format("%02x", filled.get(i) & 0xff));
        }
        return b.toString();
    }

    private static String statusOf(ByteBuffer resp) {
        return new String(resp.array(), 9, 3, StandardCharsets.US_ASCII);
    }

    static ByteBuffer response(int status, String type, byte[] body) {
        String reason;
        switch (status) {
            case 200:
                reason = "OK";
                break;
            case 404:
                reason = "Not Found";
                break;
            case 405:
                reason = "Method Not Allowed";
                break;
            case 413:
                reason = "Payload Too Large";
                break;
            default:
                reason = "Bad Request";
        }
        byte[] head = ("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\nServer: AsyncJSSE-demo\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(head.length + body.length);
        b.put(head).put(body).flip();
        return b;
    }

    /** Just enough HTTP/1.1 request parsing for the demo. */
    static final class Request {
        String method;
        String path;
        String host;
        byte[] body;

        /** A whole request from {@code in} (fill mode), or {@code null} if more bytes are needed. */
        static Request parse(ByteBuffer in) {
            byte[] a = in.array();
            int n = in.position();
            int end = -1;
            for (int i = 3; i < n; i++) {
                if (a[i - 3] == '\r' && a[i - 2] == '\n' && a[i - 1] == '\r' && a[i] == '\n') {
                    end = i + 1;
                    break;
                }
            }
            if (end < 0) {
                return null;
            }
            String[] lines = new String(a, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] first = lines[0].split(" ");
            Request r = new Request();
            r.method = first[0];
            r.path = first.length > 1 ? first[1] : "/";
            int contentLength = 0;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    contentLength = Integer.parseInt(value);
                } else if (name.equals("host")) {
                    r.host = value;
                }
            }
            if (n - end < contentLength) {
                return null;
            }
            r.body = java.util.Arrays.copyOfRange(a, end, end + contentLength);
            return r;
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            selector.close();
            keyPool.shutdownNow();
            keyPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints what to try against a server on {@code host:port}. */
    static String tryLines(String host, int port) {
        String hp = host + ":" + port;
        return String.join("\n",
                "  curl -k https://" + hp + "/",
                "  curl -k --tlsv1.2 --tls-max 1.2 https://" + hp + "/",
                "  curl -k -d 'hello, echo' https://" + hp + "/echo",
                "  curl -k --resolve b.localhost:" + port + ":" + host + " https://b.localhost:" + port + "/",
                "  curl http://" + hp + "/                      (plain HTTP on the same port)",
                "  openssl s_client -connect " + hp + " -servername b.localhost </dev/null",
                "  openssl s_client -connect " + hp + " -servername a.localhost -tls1_2 </dev/null");
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage() + " (--help lists the options)");
            System.exit(2);
            return;
        }
        if (o.help) {
            System.out.println(Options.USAGE);
            return;
        }
        if (o.compare) {
            new dev.asyncjsse.examples.compare.Compare(o.offloadLatencyMs, o.clients, o.handshakes, System.out).run();
            System.exit(0);   // the measured servers' worker pools are not daemon threads
        }
        DemoServer server;
        try {
            server = start(o);
        } catch (java.net.BindException e) {
            System.err.println("demo: cannot listen on " + o.host + ":" + o.port + ": " + e.getMessage()
                    + " (another server holds the port? choose one with --port N, or --port 0 for any free one)");
            System.exit(1);
            return;
        } catch (java.nio.channels.UnresolvedAddressException e) {
            System.err.println("demo: --host '" + o.host + "' is not an address or a name this machine resolves (--help lists the options)");
            System.exit(2);
            return;
        }
        System.out.println("AsyncJSSE demo server listening on " + o.host + ":" + server.port()
                + " (HTTPS and plain HTTP on the same port, one selector thread)");
        System.out.println("  SNI: a.localhost and b.localhost have their own self-signed EC certificates; other names get CN=localhost");
        System.out.println("  key offload: " + (o.offloadLatencyMs < 0 ? "off"
                : "every signature on a worker pool, +" + o.offloadLatencyMs + " ms (--offload-latency-ms N, --no-offload)"));
        System.out.println("  JMX: dev.asyncjsse:type=Offload,name=localhost (and a.localhost, b.localhost); --help for the options");
        System.out.println("Try:");
        System.out.println(tryLines(o.host, server.port()));
        System.out.println("Ctrl-C stops it.");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // exiting
            }
        }));
        server.thread.join();
    }
}
