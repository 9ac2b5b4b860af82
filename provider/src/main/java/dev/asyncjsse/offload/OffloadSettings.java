package dev.asyncjsse.offload;

import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.KeyOffloaders;
import java.lang.reflect.Constructor;
import java.security.Security;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;

/**
 * Settings read from system properties, or from security properties ({@code java.security}) when
 * the system property is absent, so that servers which build their own {@code SSLContext} (Jetty,
 * Tomcat) can use offload without code.
 *
 * <table>
 * <caption>Properties</caption>
 * <tr><th>name</th><th>values</th><th>default</th></tr>
 * <tr><td>{@value #OFFLOAD_PROPERTY}</td><td>{@code none}, {@code executor}, {@code executor:N},
 *     or the class name of a {@link KeyOffloader} with a public no-arg constructor</td><td>none</td></tr>
 * <tr><td>{@value #LATENCY_PROPERTY}</td><td>milliseconds added to every operation</td><td>0</td></tr>
 * <tr><td>{@value #TIMEOUT_PROPERTY}</td><td>milliseconds one offloaded operation may take</td><td>10000</td></tr>
 * <tr><td>{@value #JOBS_PROPERTY}</td><td>{@code auto}, {@code virtual}, {@code platform}</td><td>auto: virtual
 *     threads on JDK 24+</td></tr>
 * <tr><td>{@value #MAX_JOBS_PROPERTY}</td><td>concurrent handshake jobs</td><td>256 platform, 1000000 virtual</td></tr>
 * <tr><td>{@value #WAIT_BUDGET_PROPERTY}</td><td>microseconds a caller waits for a step before
 *     returning pending</td><td>1000</td></tr>
 * <tr><td>{@value #TLS13_PROPERTY}</td><td>{@code native} or {@code bc}: which engine serves a server's
 *     TLS 1.3 connections</td><td>native</td></tr>
 * </table>
 *
 * <p>Internal: not part of the public API; the property names are.
 */
public final class OffloadSettings {

    static final String OFFLOAD_PROPERTY = "dev.asyncjsse.offload";
    static final String LATENCY_PROPERTY = "dev.asyncjsse.offload.latency";
    public static final String TIMEOUT_PROPERTY = "dev.asyncjsse.offload.timeout";
    static final String JOBS_PROPERTY = "dev.asyncjsse.jobs";
    static final String MAX_JOBS_PROPERTY = "dev.asyncjsse.jobs.max";
    static final String KEEP_ALIVE_PROPERTY = "dev.asyncjsse.jobs.keepAlive";
    static final String WAIT_BUDGET_PROPERTY = "dev.asyncjsse.waitBudget";
    public static final String TLS13_PROPERTY = "dev.asyncjsse.tls13";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Object EXECUTOR_LOCK = new Object();
    private static ExecutorService executor;
    private static int executorThreads;

    private OffloadSettings() {}

    /** The system property {@code name}, else the security property, trimmed; {@code null} if neither is set. */
    public static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            value = Security.getProperty(name);
        }
        return value == null ? null : value.trim();
    }

    private static long longProperty(String name, long defaultValue) {
        String value = property(name);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("property " + name + " must be a whole number, not '" + value + "'", e);
        }
    }

    public static Duration defaultTimeout() {
        return Duration.ofMillis(longProperty(TIMEOUT_PROPERTY, DEFAULT_TIMEOUT.toMillis()));
    }

    public static long waitBudgetNanos() {
        return longProperty(WAIT_BUDGET_PROPERTY, 1000) * 1000L;
    }

    /**
     * Whether a server should answer TLS 1.3 ClientHellos with the native TLS 1.3 engine
     * ({@code native}, the default) rather than the BCJSSE path ({@code bc}).
     *
     * @throws IllegalArgumentException for any other value
     */
    public static boolean nativeTls13() {
        String mode = property(TLS13_PROPERTY);
        if (mode == null || mode.isEmpty() || mode.equalsIgnoreCase("native")) {
            return true;
        }
        if (mode.equalsIgnoreCase("bc")) {
            return false;
        }
        throw new IllegalArgumentException(TLS13_PROPERTY + " must be native or bc, not '" + mode + "'");
    }

    static boolean useVirtualThreads() {
        String mode = property(JOBS_PROPERTY);
        if (mode == null || mode.isEmpty() || mode.equalsIgnoreCase("auto")) {
            return Runtime.version().feature() >= 24 && VirtualThreads.available();
        }
        if (mode.equalsIgnoreCase("virtual")) {
            if (!VirtualThreads.available()) {
                throw new IllegalStateException(JOBS_PROPERTY + "=virtual needs JDK 21 or later");
            }
            return true;
        }
        if (mode.equalsIgnoreCase("platform")) {
            return false;
        }
        throw new IllegalArgumentException(JOBS_PROPERTY + " must be auto, virtual or platform, not '" + mode + "'");
    }

    static int maxJobs(boolean virtual) {
        long max = longProperty(MAX_JOBS_PROPERTY, virtual ? 1_000_000 : 256);
        if (max < 1 || max > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(MAX_JOBS_PROPERTY + " must be between 1 and " + Integer.MAX_VALUE);
        }
        return (int) max;
    }

    static Duration jobKeepAlive() {
        return Duration.ofMillis(longProperty(KEEP_ALIVE_PROPERTY, 5000));
    }

    /**
     * The offloader the properties describe, or {@code null} for none.
     *
     * @throws IllegalArgumentException if the property names something that cannot be used
     */
    public static KeyOffloader offloaderFromProperties() {
        String spec = property(OFFLOAD_PROPERTY);
        if (spec == null || spec.isEmpty() || spec.equalsIgnoreCase("none")) {
            return null;
        }
        KeyOffloader offloader = parse(spec);
        long latency = longProperty(LATENCY_PROPERTY, 0);
        if (latency > 0) {
            offloader = KeyOffloaders.withLatency(offloader, Duration.ofMillis(latency));
        }
        return offloader;
    }

    private static KeyOffloader parse(String spec) {
        String lower = spec.toLowerCase(Locale.ROOT);
        if (lower.equals("executor") || lower.startsWith("executor:")) {
            int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
            if (lower.startsWith("executor:")) {
                try {
                    threads = Integer.parseInt(spec.substring("executor:".length()).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(OFFLOAD_PROPERTY + "=" + spec + ": the thread count is not a number", e);
                }
                if (threads < 1) {
                    throw new IllegalArgumentException(OFFLOAD_PROPERTY + "=" + spec + ": the thread count must be at least 1");
                }
            }
            return KeyOffloaders.executor(sharedExecutor(threads));
        }
        try {
            Class<?> type = Class.forName(spec, true, contextLoader());
            if (!KeyOffloader.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(OFFLOAD_PROPERTY + "=" + spec + " does not implement " + KeyOffloader.class.getName());
            }
            Constructor<?> constructor = type.getConstructor();
            return (KeyOffloader) constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(OFFLOAD_PROPERTY + "=" + spec
                    + " is neither 'executor[:N]' nor a KeyOffloader class with a public no-arg constructor", e);
        }
    }

    private static ClassLoader contextLoader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return loader != null ? loader : OffloadSettings.class.getClassLoader();
    }

    private static ExecutorService sharedExecutor(int threads) {
        synchronized (EXECUTOR_LOCK) {
            if (executor == null || executorThreads != threads) {
                executor = DaemonThreads.lazyPool("asyncjsse-offload-", threads);
                executorThreads = threads;
            }
            return executor;
        }
    }
}
