package dev.asyncjsse.bench;

import dev.asyncjsse.monitor.ContextMonitor;
import dev.asyncjsse.monitor.HandshakeTrace;
import dev.asyncjsse.monitor.KeyOperationOutcome;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What monitoring costs one handshake: everything the engine front and the offloader guard report
 * for a handshake with one offloaded key operation (start, pending and back, the key operation's
 * hand-over and outcome, the finish), against the counters, the latency windows and the JFR events.
 *
 * <p>{@code jfr}: {@code none} (no recording ever started: the event classes are not instrumented),
 * {@code disabled} (a recording runs but the dev.asyncjsse events are off: the check reads a field),
 * {@code enabled} (the events are recorded and committed). {@code none} is what every server pays;
 * a full handshake costs 280 to 320 µs of server CPU (RESULTS.md). Score: ns per handshake.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class MonitorBench {

    @Param({"none", "disabled", "enabled"})
    public String jfr;

    private ContextMonitor monitor;
    private Recording recording;

    @Setup(Level.Trial)
    public void setUp() {
        monitor = new ContextMonitor("TLS");
        if (!jfr.equals("none")) {
            recording = new Recording();
            if (jfr.equals("enabled")) {
                recording.enable("dev.asyncjsse.Handshake");
                recording.enable("dev.asyncjsse.KeyOperation");
            } else {
                recording.disable("dev.asyncjsse.Handshake");
                recording.disable("dev.asyncjsse.KeyOperation");
            }
            recording.setToDisk(false);
            recording.setMaxSize(64L << 20);
            recording.start();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (recording != null) {
            recording.close();
        }
    }

    /** The reports of one offloaded handshake. */
    @Benchmark
    public HandshakeTrace handshake() {
        HandshakeTrace trace = monitor.newHandshakeTrace("10.0.0.1", 443);
        trace.started(false);
        trace.pending(true);
        monitor.keyOperationSubmitted(trace, "sign", "SHA256withECDSA", null).finished(KeyOperationOutcome.OK, null);
        trace.pending(false);
        trace.finished(null);
        return trace;
    }
}
