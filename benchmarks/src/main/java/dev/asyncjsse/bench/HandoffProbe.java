package dev.asyncjsse.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The cost of one handshake-job handoff, measured by interleaving: TLS 1.3 ECDSA handshakes
 * alternate between AsyncJSSE synchronous ({@code ASYNC_SYNC}) and AsyncJSSE with an offloader that
 * completes on the job thread itself ({@code ASYNC_OFFLOAD_INLINE}: the same work plus one handoff of
 * the ClientHello step to a job thread and back). Alternating handshake by handshake exposes both to
 * the same machine noise; medians drop the scheduling outliers of a busy machine.
 * Usage: {@code HandoffProbe [rounds [implA implB [protocol key]]]} (default 1000 rounds after 400
 * warm-up rounds, ASYNC_SYNC vs ASYNC_OFFLOAD_INLINE, TLSv1.3 EC_P256). With other implementations it
 * compares any two the same way, e.g. {@code BCJSSE_JDK ASYNC_SYNC} with
 * {@code -Dbench.asyncKeyManager=bcjsse} (both with BCJSSE's PKIX key manager: BCJSSE cannot use
 * SunJSSE's SunX509 one) for the cost of the decorator over the BCJSSE it wraps. The client runs on a
 * thread of its own unless {@code -Dbench.threading=same} (see {@link HandshakeBench#threading}).
 */
public final class HandoffProbe {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warm = Integer.getInteger("bench.prewarm", 400);
        Impl a = args.length > 2 ? Impl.valueOf(args[1]) : Impl.ASYNC_SYNC;
        Impl b = args.length > 2 ? Impl.valueOf(args[2]) : Impl.ASYNC_OFFLOAD_INLINE;
        String protocol = args.length > 4 ? args[3] : "TLSv1.3";
        String key = args.length > 4 ? args[4] : "EC_P256";
        HandshakeBench sync = bench(a, protocol, key);
        HandshakeBench job = bench(b, protocol, key);
        HandshakeBench.Cpu cs = new HandshakeBench.Cpu();
        HandshakeBench.Cpu cj = new HandshakeBench.Cpu();
        for (int i = 0; i < warm; i++) {
            sync.handshake(cs);
            job.handshake(cj);
        }
        long[] wallS = new long[rounds];
        long[] wallJ = new long[rounds];
        long[] cpuS = new long[rounds];
        long[] cpuJ = new long[rounds];
        long[] loopJ = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            cs.reset();
            long t0 = System.nanoTime();
            sync.handshake(cs);
            wallS[i] = System.nanoTime() - t0;
            cpuS[i] = (long) (cs.serverCpuUs * 1000);
            cj.reset();
            t0 = System.nanoTime();
            job.handshake(cj);
            wallJ[i] = System.nanoTime() - t0;
            cpuJ[i] = (long) (cj.serverCpuUs * 1000);
            loopJ[i] = (long) (cj.loopCpuUs * 1000);
        }
        System.out.printf(Locale.ROOT, "java %s, %d CPUs, %d interleaved rounds of %s %s handshakes (client thread %s): A = %s, B = %s%s%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), rounds, protocol, key, sync.threading, a, b,
                System.getProperty("bench.asyncKeyManager") != null ? " (both with BCJSSE's PKIX key manager)" : "");
        System.out.printf(Locale.ROOT, "pair wall   median: A %.1f us, B %.1f us -> B - A = %.1f us (p25 diff %.1f, p75 diff %.1f)%n",
                q(wallS, 0.5), q(wallJ, 0.5), q(wallJ, 0.5) - q(wallS, 0.5), q(wallJ, 0.25) - q(wallS, 0.25), q(wallJ, 0.75) - q(wallS, 0.75));
        System.out.printf(Locale.ROOT, "server CPU  median: A %.1f us, B %.1f us -> B - A = %.1f us, B / A = %.3f%n",
                q(cpuS, 0.5), q(cpuJ, 0.5), q(cpuJ, 0.5) - q(cpuS, 0.5), q(cpuJ, 0.5) / q(cpuS, 0.5));
        System.out.printf(Locale.ROOT, "loop CPU of B (calling thread inside the server engine) median %.1f us%n", q(loopJ, 0.5));
        System.exit(0);
    }

    static HandshakeBench bench(Impl impl, String protocol, String key) throws Exception {
        HandshakeBench b = new HandshakeBench();
        b.impl = impl;
        b.protocol = protocol;
        b.key = key;
        b.threading = System.getProperty("bench.threading", "own");
        System.setProperty("bench.prewarm", "1");
        b.setup();
        return b;
    }

    static double q(long[] v, double p) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) (p * s.length))] / 1000.0;
    }
}
