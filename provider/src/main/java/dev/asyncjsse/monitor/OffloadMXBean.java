package dev.asyncjsse.monitor;

/**
 * The JMX view of one AsyncJSSE {@code SSLContext}: registered in the platform MBean server as
 * {@code dev.asyncjsse:type=Offload,name=NAME} when the context is initialized. The MBean holds
 * nothing of the context: once the context and all its engines have been garbage collected, it is
 * unregistered when the next context registers or any AsyncJSSE MBean attribute is read. Counters count since the context was created;
 * latencies cover a sliding window of the last minute (45 to 60 seconds), in microseconds, with a
 * resolution of 1/16 (a percentile is at most 6.25% above the true value; the maximum is exact).
 *
 * <p>Read it with JConsole, {@code jcmd}, or any JMX scraper; the attribute names are stable.
 * Every getter is thread-safe, cheap, and never blocks a handshake.
 */
public interface OffloadMXBean {

    /** The context's name: set with {@code AsyncJsse.setMonitoringName}, or protocol and number. */
    String getName();

    /** Handshakes begun by the context's engines. */
    long getHandshakesStarted();

    /** Handshakes that completed. */
    long getHandshakesCompleted();

    /** Completed handshakes that resumed an earlier session (counted in {@link #getHandshakesCompleted} too). */
    long getHandshakesResumed();

    /** Handshakes that failed, for any reason. */
    long getHandshakesFailed();

    /** Handshakes that failed because a key operation failed or timed out. */
    long getHandshakesFailedByOffload();

    /**
     * Engines whose handshake is offload pending now: a step in a job, or waiting for capacity. An
     * engine dropped by the application without being closed while pending stays counted.
     */
    int getHandshakesPending();

    /** Key operations handed to the offloader and not yet ended. */
    int getKeyOperationsInFlight();

    /** Key operations that delivered a result. */
    long getKeyOperationsOk();

    /** Key operations whose stage failed, or whose offloader threw or returned nothing. */
    long getKeyOperationsFailed();

    /** Key operations that outlived the offload timeout. */
    long getKeyOperationsTimedOut();

    /** Key operations cancelled because their engine was closed. */
    long getKeyOperationsCancelled();

    /** Handshake steps not started because the offloader or the job capacity was exhausted (EAGAIN). */
    long getKeyOperationsEagain();

    /** Key operations that ended within the window. */
    long getKeyOperationLatencySamples();

    /** Median time from hand-over to outcome of the key operations in the window, in microseconds. */
    long getKeyOperationLatencyP50Micros();

    /** 99th percentile of the same, in microseconds. */
    long getKeyOperationLatencyP99Micros();

    /** Longest key operation in the window, in microseconds. */
    long getKeyOperationLatencyMaxMicros();

    /** Handshakes that completed within the window. */
    long getHandshakeTimeSamples();

    /** Median duration of the handshakes completed in the window, in microseconds. */
    long getHandshakeTimeP50Micros();

    /** 99th percentile of the same, in microseconds. */
    long getHandshakeTimeP99Micros();

    /** Longest handshake completed in the window, in microseconds. */
    long getHandshakeTimeMaxMicros();
}
