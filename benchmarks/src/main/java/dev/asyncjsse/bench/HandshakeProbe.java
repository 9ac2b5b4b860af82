package dev.asyncjsse.bench;

import java.util.Locale;

/**
 * Runs in-memory handshakes of one configuration in a loop and prints the server-side CPU per
 * handshake for each batch, to watch the JIT warm up and to profile with JFR:
 * {@code java -XX:StartFlightRecording=filename=hs.jfr,settings=profile -cp ... dev.asyncjsse.bench.HandshakeProbe ASYNC_SYNC TLSv1.3 EC_P256 3000}.
 * The client runs on a thread of its own unless {@code -Dbench.threading=same} (see
 * {@link HandshakeBench#threading}); {@code -Dbench.resumed=true} measures resumed handshakes.
 */
public final class HandshakeProbe {
    public static void main(String[] args) throws Exception {
        HandshakeBench b = new HandshakeBench();
        b.impl = Impl.valueOf(args.length > 0 ? args[0] : "ASYNC_SYNC");
        b.protocol = args.length > 1 ? args[1] : "TLSv1.3";
        b.key = args.length > 2 ? args[2] : "EC_P256";
        b.threading = System.getProperty("bench.threading", "own");
        b.resumed = Boolean.getBoolean("bench.resumed");
        int count = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        int batch = 250;
        b.setup();
        for (int done = 0; done < count; done += batch) {
            HandshakeBench.Cpu cpu = new HandshakeBench.Cpu();
            cpu.reset();
            long t0 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                b.handshake(cpu);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%s %s %s%s client thread %s after %5d: %7.1f hs/s  server CPU %7.1f us  loop CPU %7.1f us  process CPU %7.1f us%n",
                    b.impl, b.protocol, b.key, b.resumed ? " resumed" : "", b.threading, done + batch, batch / secs, cpu.serverCpuUs, cpu.loopCpuUs, cpu.processCpuUs);
        }
        System.exit(0);
    }
}
