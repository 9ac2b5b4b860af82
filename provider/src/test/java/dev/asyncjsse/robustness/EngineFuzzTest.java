package dev.asyncjsse.robustness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncjsse.offload.OffloadSettings;
import dev.asyncjsse.robustness.FuzzDriver.Outcome;
import dev.asyncjsse.robustness.FuzzDriver.Role;
import dev.asyncjsse.robustness.FuzzDriver.Scenario;
import dev.asyncjsse.robustness.FuzzDriver.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzer over recorded TLS 1.3 and 1.2 handshakes (issue 7).
 *
 * <p>First it records the real flights of every scenario (AsyncJSSE server against a SunJSSE client,
 * AsyncJSSE client against a SunJSSE server, TLS 1.3 and 1.2, with and without an offloader whose
 * 3 ms latency keeps the offload pending). Then each input picks a scenario, a flight (ClientHello or
 * server flight, the client's second flight, application data, close_notify: before, during and after
 * the handshake), a mutation (see {@link Mutator}) and a delivery (whole flights, or n bytes per read),
 * and replays the conversation live against fresh engines, replacing that flight. Each input runs on a
 * worker thread with a time limit. A finding is: an exception other than {@link SSLException} out of
 * {@code wrap}/{@code unwrap}/{@code beginHandshake}/{@code closeInbound}, a result that consumed more
 * than it was given, an input over the time limit, an {@link OutOfMemoryError}, or a broken offload
 * promise (no callback, a callback after close).
 *
 * <p>The provider's build runs it once per TLS 1.3 server engine ({@code dev.asyncjsse.tls13=bc}, then
 * {@code native}); under {@code native} the recording fails unless the native engine served the TLS 1.3
 * server scenarios. Its parsers behind the record protection are fuzzed by
 * {@code tls13.ProtectedMessageFuzzTest}, which mutates plaintext before protecting it.
 *
 * <p>In {@code mvn verify} it runs 3,000 inputs with a fixed seed (about 40 s on two cores; a 55 s budget stops it early on a loaded machine and says so). Longer runs:
 * <pre>
 *   mvn -pl provider -am verify -Dtest=EngineFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dasyncjsse.fuzz.iterations=200000 -Dasyncjsse.fuzz.seconds=3600 [-Dasyncjsse.fuzz.seed=N] \
 *       [-Dasyncjsse.fuzz.corpusOut=provider/src/test/resources/corpus]
 * </pre>
 * {@code corpusOut} saves every input whose outcome (exception class and message shape) was new;
 * {@code asyncjsse.fuzz.only=I} re-runs input I of a seed alone. {@link #replayCorpus()} replays the
 * saved corpus as a regression test.
 */
class EngineFuzzTest {

    static final long DEFAULT_SEED = 0x7A5C_E11E_5EEDL;

    static final List<Scenario> SCENARIOS = new ArrayList<>();
    static final Map<String, SSLContext> TARGETS = new LinkedHashMap<>();
    static SSLContext sunClient;
    static SSLContext sunServer;
    static SSLContext sunClientWithKey;
    static final Map<String, List<byte[]>> RECORDED = new LinkedHashMap<>();
    static final List<byte[]> POOL = new ArrayList<>();

    @BeforeAll
    static void recordHandshakes() throws Exception {
        sunClient = Fixtures.sunClient();
        sunServer = Fixtures.sunServer();
        sunClientWithKey = Fixtures.sunClientWithKey();
        TARGETS.put("SERVER,inline", Fixtures.asyncServer(null, null));
        TARGETS.put("SERVER,offload", Fixtures.asyncServer(Fixtures.latencyOffloader(3), Duration.ofSeconds(1)));
        TARGETS.put("CLIENT,inline", Fixtures.asyncClient(null));
        TARGETS.put("CLIENT,offload", Fixtures.asyncClient(Fixtures.latencyOffloader(3)));
        for (Role role : Role.values()) {
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                for (boolean offload : new boolean[] {false, true}) {
                    SCENARIOS.add(new Scenario(role, protocol, offload));
                }
                // client authentication: the client signs (in a job when it is the offloading target), and
                // a TLS 1.3 server runs its encrypted handshake records in jobs too
                SCENARIOS.add(new Scenario(role, protocol, true, true));
            }
        }
        for (Scenario sc : SCENARIOS) {
            Outcome o = driver(sc, null, null, 0).run();
            if (!o.targetHandshakeDone || !o.appDataReceived || o.targetError != null) {
                throw new AssertionError("recording " + sc + " failed: handshake " + o.targetHandshakeDone + ", app data "
                        + o.appDataReceived + ", error " + o.targetError);
            }
            if (sc.role == Role.SERVER && sc.protocol.equals("TLSv1.3") && OffloadSettings.nativeTls13()) {
                // fuzz the native engine, not a silent fallback to BCJSSE
                assertTrue(o.sessionClass.startsWith("dev.asyncjsse.tls13."), "recording " + sc
                        + " was not served by the native engine: its session is a " + o.sessionClass);
            }
            RECORDED.put(sc.id(), o.flights);
            POOL.addAll(o.flights);
        }
    }

    static FuzzDriver driver(Scenario sc, FuzzDriver.Substitution sub, Random random, int fragment) {
        SSLContext target = TARGETS.get(sc.role + "," + (sc.offload ? "offload" : "inline"));
        SSLContext peer = sc.role == Role.SERVER ? (sc.clientAuth ? sunClientWithKey : sunClient) : sunServer;
        return new FuzzDriver(sc, target, peer, sub, random, fragment);
    }

    /** One generated input: everything needed to run it again. */
    static final class Input {
        final int index;
        final Scenario scenario;
        final int stage;
        final int fragment;
        final long deliverySeed;
        byte[] original;
        byte[] mutated;
        final StringBuilder how = new StringBuilder();

        Input(int index, Scenario scenario, int stage, int fragment, long deliverySeed) {
            this.index = index;
            this.scenario = scenario;
            this.stage = stage;
            this.fragment = fragment;
            this.deliverySeed = deliverySeed;
        }

        @Override
        public String toString() {
            return "#" + index + " " + scenario + " stage " + stage + " " + how + (fragment > 0 ? " fragment " + fragment : "");
        }
    }

    /** Runs inputs on a worker thread, one at a time, each with a time limit. */
    static final class Runner implements AutoCloseable {
        private ExecutorService worker = newWorker();
        private Thread workerThread;
        final long limitMillis;

        Runner(long limitMillis) {
            this.limitMillis = limitMillis;
        }

        private ExecutorService newWorker() {
            return Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fuzz-worker");
                t.setDaemon(true);
                workerThread = t;
                return t;
            });
        }

        /** Returns the outcome, or throws a Violation describing the finding. */
        Outcome run(FuzzDriver d) {
            Future<Outcome> f = worker.submit(d::run);
            try {
                return f.get(limitMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                StringBuilder stack = new StringBuilder();
                Thread t = workerThread;
                if (t != null) {
                    for (StackTraceElement el : t.getStackTrace()) {
                        stack.append("\n\tat ").append(el);
                    }
                }
                f.cancel(true);
                worker.shutdownNow();
                worker = newWorker();
                throw new Violation("HANG: no end within " + limitMillis + " ms; worker stack:" + stack);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof Violation) {
                    throw (Violation) c;
                }
                Violation v = new Violation("CRASH: " + c.getClass().getName() + ": " + c.getMessage() + " at " + frame(c));
                v.initCause(c);
                throw v;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Violation("interrupted");
            }
        }

        @Override
        public void close() {
            worker.shutdownNow();
        }
    }

    static String frame(Throwable t) {
        for (StackTraceElement el : t.getStackTrace()) {
            String c = el.getClassName();
            if (c.startsWith("dev.asyncjsse") || c.startsWith("org.bouncycastle")) {
                return el.getClassName() + "." + el.getMethodName() + ":" + el.getLineNumber();
            }
        }
        return t.getStackTrace().length > 0 ? t.getStackTrace()[0].toString() : "?";
    }

    /** The outcome class used to decide whether an input is interesting. */
    static String outcomeKey(Outcome o) {
        if (o.targetError == null) {
            return (o.targetHandshakeDone ? "handshake" : "no-handshake") + (o.appDataReceived ? "+data" : "");
        }
        String msg = String.valueOf(o.targetError.getMessage()).replaceAll("\\[[^\\]]*\\]", "[..]").replaceAll("[0-9]+", "#");
        if (msg.length() > 120) {
            msg = msg.substring(0, 120);
        }
        Throwable cause = o.targetError.getCause();
        return o.targetError.getClass().getSimpleName() + ": " + msg
                + (cause == null ? "" : " <- " + cause.getClass().getSimpleName());
    }

    /** SplitMix64's finalizer: java.util.Random's first outputs are correlated for neighbouring seeds. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static Input generate(long seed, int index) {
        Random r = new Random(mix(seed * 0x9E3779B97F4A7C15L + index));
        Scenario sc = SCENARIOS.get(r.nextInt(SCENARIOS.size()));
        List<byte[]> flights = RECORDED.get(sc.id());
        // weight the first flight (pre-handshake parsing) a little higher
        int stage = r.nextInt(3) == 0 ? 0 : r.nextInt(flights.size());
        int fragment;
        switch (r.nextInt(8)) {
            case 0:
                fragment = 1;
                break;
            case 1:
                fragment = 1 + r.nextInt(64);
                break;
            default:
                fragment = 0;
        }
        Input in = new Input(index, sc, stage, fragment, r.nextLong());
        in.original = flights.get(stage);
        in.mutated = new Mutator(r, POOL).mutate(in.original, in.how);
        return in;
    }

    @Test
    void fuzzRecordedHandshakes() throws IOException {
        long seed = Fixtures.longProperty("asyncjsse.fuzz.seed", DEFAULT_SEED);
        int iterations = Fixtures.intProperty("asyncjsse.fuzz.iterations", 3000);
        long seconds = Fixtures.longProperty("asyncjsse.fuzz.seconds", 55);
        String only = System.getProperty("asyncjsse.fuzz.only");
        String corpusOut = System.getProperty("asyncjsse.fuzz.corpusOut");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);

        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> findings = new ArrayList<>();
        int ran = 0;
        int handshakes = 0;
        int pending = 0;
        int saved = 0;
        long slowestNanos = 0;
        int buffered = 0;
        String slowest = "";
        long start = System.nanoTime();
        try (Runner runner = new Runner(Fixtures.longProperty("asyncjsse.fuzz.timeoutMillis", 5000))) {
            for (int i = 0; i < iterations; i++) {
                if (only != null && i != Integer.parseInt(only)) {
                    continue;
                }
                if (System.nanoTime() > deadline) {
                    System.out.println("fuzz: time budget of " + seconds + " s used up after " + ran + " inputs");
                    break;
                }
                Input in = generate(seed, i);
                ran++;
                String key;
                long t0 = System.nanoTime();
                try {
                    Outcome o = runner.run(driver(in.scenario, (stage, flight) -> stage == in.stage ? in.mutated : flight,
                            new Random(in.deliverySeed), in.fragment));
                    key = in.scenario.role + " " + outcomeKey(o);
                    if (o.targetHandshakeDone) {
                        handshakes++;
                    }
                    pending += o.pendingResults;
                    if (o.bufferedStart) {
                        buffered++;
                    }
                } catch (Violation v) {
                    key = "FINDING " + v.getMessage().split("\n")[0];
                    findings.add(in + " (seed " + seed + "): " + v.getMessage()
                            + (v.getCause() == null ? "" : "\n" + stackOf(v.getCause())));
                } catch (OutOfMemoryError oom) {
                    key = "FINDING OOM";
                    findings.add(in + " (seed " + seed + "): OutOfMemoryError");
                }
                long took = System.nanoTime() - t0;
                if (took > slowestNanos) {
                    slowestNanos = took;
                    slowest = in.toString();
                }
                Integer seen = outcomes.merge(key, 1, Integer::sum);
                if (seen == 1 && corpusOut != null) {
                    save(Paths.get(corpusOut), in, key);
                    saved++;
                }
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("fuzz: seed %d, %d inputs in %.1f s, %d handshakes completed despite mutation, %d pending results,"
                + " %d distinct outcomes, %d findings, %d saved%n", seed, ran, secs, handshakes, pending, outcomes.size(),
                findings.size(), saved);
        System.out.println("fuzz: " + buffered + " inputs started the server with beginHandshake(ByteBuffer)");
        System.out.printf("fuzz: slowest input %.0f ms: %s%n", slowestNanos / 1e6, slowest);
        outcomes.forEach((k, v) -> System.out.println("  " + v + "\t" + k));
        findings.forEach(f -> System.out.println("FINDING " + f));
        assertTrue(findings.isEmpty(), findings.size() + " findings, first: " + (findings.isEmpty() ? "" : findings.get(0)));
    }

    static String stackOf(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    static void save(Path dir, Input in, String key) throws IOException {
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("scenario", in.scenario.id());
        p.setProperty("stage", Integer.toString(in.stage));
        p.setProperty("fragment", Integer.toString(in.fragment));
        p.setProperty("mutation", in.how.toString());
        p.setProperty("outcome", key);
        p.setProperty("hex", HexFormat.of().formatHex(in.mutated));
        String name = String.format("%s-%s-s%d-%08x.properties", in.scenario.role.name().toLowerCase(),
                in.scenario.protocol.replace("TLSv", "tls").replace(".", ""), in.stage,
                java.util.Arrays.hashCode(in.mutated));
        try (var w = Files.newBufferedWriter(dir.resolve(name), StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
    }

    /** Replays every saved input of {@code src/test/resources/corpus}: none may produce a finding. */
    @Test
    void replayCorpus() throws Exception {
        URL url = EngineFuzzTest.class.getClassLoader().getResource("corpus");
        assertTrue(url != null, "no corpus directory on the test class path");
        List<Path> files;
        try (Stream<Path> s = Files.list(Paths.get(url.toURI()))) {
            files = s.filter(p -> p.toString().endsWith(".properties")).sorted().collect(Collectors.toList());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> findings = new ArrayList<>();
        try (Runner runner = new Runner(3000)) {
            for (Path file : files) {
                Properties p = new Properties();
                try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                Scenario sc = Scenario.parse(p.getProperty("scenario"));
                int stage = Integer.parseInt(p.getProperty("stage"));
                int fragment = Integer.parseInt(p.getProperty("fragment", "0"));
                byte[] bytes = HexFormat.of().parseHex(p.getProperty("hex"));
                try {
                    runner.run(driver(sc, (st, flight) -> st == stage ? bytes : flight, new Random(1), fragment));
                } catch (Violation v) {
                    findings.add(file.getFileName() + ": " + v.getMessage());
                }
            }
        }
        System.out.println("corpus: replayed " + files.size() + " inputs, " + findings.size() + " findings");
        findings.forEach(f -> System.out.println("FINDING " + f));
        assertTrue(files.size() > 0, "the corpus is empty");
        assertTrue(findings.isEmpty(), findings.toString());
    }
}
