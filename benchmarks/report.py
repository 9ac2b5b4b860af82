#!/usr/bin/env python3
"""Turns the recorded benchmark files into Markdown tables with ratios.

Usage: report.py RESULTS_DIR   (reads RESULTS_DIR/<jdk>/{machine.txt,jmh-*.json,load.csv,parked.txt},
writes RESULTS_DIR/<jdk>/tables.md). Standard library only.
"""
import csv
import glob
import json
import os
import statistics
import sys


def load_jmh(d):
    rows = []
    for f in sorted(glob.glob(os.path.join(d, "jmh-*.json"))):
        with open(f) as fh:
            try:
                data = json.load(fh)
            except json.JSONDecodeError:
                continue
        for r in data:
            r["_file"] = os.path.basename(f)
            rows.append(r)
    return rows


def metric(r, name=None):
    if name is None:
        return r["primaryMetric"]["score"]
    m = r.get("secondaryMetrics", {}).get(name)
    if not m:
        return None
    # JMH sums EVENTS counters over iterations; each iteration's value is already a per-operation
    # average, so report the mean of the iterations.
    raw = [v for fork in m.get("rawData", []) for v in fork]
    if raw and m.get("scoreUnit") == "#":
        return sum(raw) / len(raw)
    return m["score"]


def fmt(x, nd=1):
    if x is None:
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{nd}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}×"


def impl_name(r):
    """The implementation of a JMH row; AsyncJSSE's rows of a native-engine file get a /native suffix."""
    impl = r["params"]["impl"]
    return impl + "/native" if r["_file"].endswith("-native.json") and impl.startswith("ASYNC") else impl


def client_thread(r):
    """Where HandshakeBench's client ran: "own" thread or the "same" thread as the server (runs before the parameter: same)."""
    return r["params"].get("threading", "same")


CLIENT_THREAD_LABEL = {
    "own": "client on its own thread (the server's thread runs only the server, as in production)",
    "same": "client on the server's thread between its steps (the figure of earlier runs; the client evicts the server's caches)",
}


def handshake_tables(rows, out, placement):
    hs = [r for r in rows if r["benchmark"].endswith("HandshakeBench.handshake")
          and r["_file"] in ("jmh-handshake.json", "jmh-handshake-native.json") and client_thread(r) == placement]
    if not hs:
        return {}
    table = {}
    for r in hs:
        p = r["params"]
        table[(p["protocol"], p["key"], impl_name(r))] = r
    # only the implementations this run measured (a pass of one engine leaves the others out)
    impls = [i for i in ["SUNJSSE", "BCJSSE_JDK", "BCJSSE_BC", "BORINGSSL", "ASYNC_SYNC", "ASYNC_OFFLOAD",
                         "ASYNC_SYNC/native", "ASYNC_OFFLOAD/native"] if any(k[2] == i for k in table)]
    ran = {(k[0], k[2]) for k in table}
    out.append(f"### Full handshakes (in memory, no resumption), {CLIENT_THREAD_LABEL[placement]}\n")
    out.append("Pair rate = client (SunJSSE, same for all) + server taking turns, handshakes/s. "
               "Server CPU = µs of CPU per handshake on the server side (same thread: all Java threads minus the client's calls, "
               "the harness's own work included; own thread: the server's calls plus threads other than the benchmark's and the client's). "
               "Loop CPU = µs the calling thread spent inside the server engine. "
               "failed = the trial failed (its output says why); – = not measured (the native engine's pass "
               "measures TLS 1.3 only: TLS 1.2 always takes the BCJSSE path).\n")
    out.append("| protocol | key | " + " | ".join(f"{i} rate / server CPU / loop CPU" for i in impls) + " |")
    out.append("|---|---|" + "---|" * len(impls))
    summary = {}
    for proto in ["TLSv1.3", "TLSv1.2"]:
        for key in ["EC_P256", "RSA_2048"]:
            cells = []
            for i in impls:
                r = table.get((proto, key, i))
                if r is None:
                    cells.append("failed" if (proto, i) in ran else "–")
                else:
                    cells.append(f"{fmt(metric(r))} / {fmt(metric(r, 'serverCpuUs'))} / {fmt(metric(r, 'loopCpuUs'))}")
            out.append(f"| {proto} | {key} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("Ratios from the same run (AsyncJSSE synchronous vs the others; rate: higher is better; "
               "CPU ratio = other's server CPU / AsyncJSSE's, higher is better):\n")
    out.append("| AsyncJSSE | protocol | key | rate vs SunJSSE | rate vs BCJSSE+JDK (wrapped) | rate vs BCJSSE+BC | CPU vs SunJSSE | CPU vs BCJSSE+JDK | CPU vs BCJSSE+BC | CPU vs BoringSSL | offload rate vs sync |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for sync in [i for i in ("ASYNC_SYNC", "ASYNC_SYNC/native") if i in impls]:
        offload = sync.replace("_SYNC", "_OFFLOAD")
        for proto in ["TLSv1.3", "TLSv1.2"]:
            for key in ["EC_P256", "RSA_2048"]:
                g = lambda i, m=None: (metric(table[(proto, key, i)], m) if (proto, key, i) in table else None)
                a, ac = g(sync), g(sync, "serverCpuUs")
                if a is None:
                    continue
                out.append(f"| {sync} | {proto} | {key} | {ratio(a, g('SUNJSSE'))} | {ratio(a, g('BCJSSE_JDK'))} | {ratio(a, g('BCJSSE_BC'))} | "
                           f"{ratio(g('SUNJSSE', 'serverCpuUs'), ac)} | {ratio(g('BCJSSE_JDK', 'serverCpuUs'), ac)} | "
                           f"{ratio(g('BCJSSE_BC', 'serverCpuUs'), ac)} | {ratio(g('BORINGSSL', 'serverCpuUs'), ac)} | {ratio(g(offload), a)} |")
    for proto in ["TLSv1.3", "TLSv1.2"]:
        for key in ["EC_P256", "RSA_2048"]:
            summary[(proto, key)] = {i: (metric(table[(proto, key, i)]), metric(table[(proto, key, i)], "serverCpuUs"))
                                     for i in impls if (proto, key, i) in table}
    out.append("")
    return summary


def resumed_table(rows, out):
    """Full vs resumed TLS 1.3 handshakes from jmh-resumed(-native).json, per server key: server CPU and their ratio."""
    rs = [r for r in rows if r["benchmark"].endswith("HandshakeBench.handshake") and r["_file"].startswith("jmh-resumed")]
    if not rs:
        return
    for key, label in (("EC_P256", "ECDSA P-256"), ("RSA_2048", "RSA-2048")):
        t = {(impl_name(r), r["params"].get("resumed") == "true"): metric(r, "serverCpuUs") for r in rs
             if r["params"].get("key", "EC_P256") == key}
        if not t:
            continue
        impls = [i for i in ["SUNJSSE", "BORINGSSL", "ASYNC_SYNC", "ASYNC_OFFLOAD", "ASYNC_SYNC/native", "ASYNC_OFFLOAD/native"]
                 if (i, False) in t or (i, True) in t]
        out.append(f"### Full vs resumed TLS 1.3 handshakes, {label} server key, server CPU µs (same SunJSSE client; – = the server did not resume)\n")
        out.append("| implementation | full | resumed | resumed / full | resumed vs SunJSSE resumed |")
        out.append("|---|---|---|---|---|")
        for i in impls:
            full, res = t.get((i, False)), t.get((i, True))
            out.append(f"| {i} | {fmt(full)} | {fmt(res)} | {ratio(res, full)} | {ratio(res, t.get(('SUNJSSE', True)))} |")
        out.append("")


def handoff_table(rows, out):
    hs = [r for r in rows if r["_file"] == "jmh-handoff.json"]
    if not hs:
        return None
    by = {r["params"]["impl"]: r for r in hs}
    s, i = by.get("ASYNC_SYNC"), by.get("ASYNC_OFFLOAD_INLINE")
    out.append("### Handshake-job handoff (TLS 1.3, ECDSA P-256)\n")
    out.append("`ASYNC_OFFLOAD_INLINE`: an offloader that completes on the job thread itself, so the only difference from "
               "`ASYNC_SYNC` is the step's handoff to a job thread and back (one job per handshake).\n")
    out.append("| config | pair rate (hs/s) | µs per pair handshake | server CPU µs | loop CPU µs |")
    out.append("|---|---|---|---|---|")
    for name, r in (("ASYNC_SYNC", s), ("ASYNC_OFFLOAD_INLINE", i)):
        if r:
            out.append(f"| {name} | {fmt(metric(r))} | {fmt(1e6 / metric(r))} | {fmt(metric(r, 'serverCpuUs'))} | {fmt(metric(r, 'loopCpuUs'))} |")
    result = None
    if s and i:
        wall = 1e6 / metric(i) - 1e6 / metric(s)
        cpu = metric(i, "serverCpuUs") - metric(s, "serverCpuUs")
        out.append(f"\nHandoff cost = difference per handshake: **{wall:.1f} µs wall**, **{cpu:.1f} µs server CPU** "
                   "(noise of a few % of a ~3–5 ms handshake is ±100 µs on this machine: see the error columns in jmh-handoff.txt).\n")
        result = (wall, cpu)
    return result


def bulk_table(rows, out):
    b = [r for r in rows if r["benchmark"].endswith("BulkBench.wrapUnwrap")]
    if not b:
        return {}
    measured = {impl_name(r) for r in b}
    impls = [i for i in ["SUNJSSE", "BCJSSE_JDK", "BCJSSE_BC", "BORINGSSL", "ASYNC_SYNC", "ASYNC_SYNC/native"] if i in measured]
    suites = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
    cpu_based = any(metric(r, "mbPerCpuS") for r in b)
    t = {(impl_name(r), r["params"]["suite"]): metric(r, "mbPerCpuS" if cpu_based else "mbPerS") for r in b}
    wall = {(impl_name(r), r["params"]["suite"]): metric(r, "mbPerS") for r in b}
    out.append("### Bulk wrap + unwrap, 16 KiB records, MB per CPU-second (10^6 bytes of plaintext per second of the thread's CPU)\n"
               if cpu_based else "### Bulk wrap + unwrap, 16 KiB records, MB/s (10^6 bytes of plaintext per second)\n")
    out.append("`–` = the configuration cannot negotiate the suite (BCJSSE with the JDK's JCA has no ChaCha20-Poly1305 under the "
               "names BC asks for). BoringSSL cannot be limited to one TLS 1.3 suite: its AES-256-GCM and ChaCha20-Poly1305 "
               "figures are the TLS 1.2 ECDHE-ECDSA suites with the same AEAD. Wall-clock MB/s in parentheses.\n")
    native = "ASYNC_SYNC/native" in impls
    out.append("| suite | " + " | ".join(impls) + " | Async vs SunJSSE | Async vs BCJSSE+JDK | Async vs BCJSSE+BC | Async vs BoringSSL |"
               + (" native vs SunJSSE | native vs BoringSSL |" if native else ""))
    out.append("|---|" + "---|" * (len(impls) + 4 + (2 if native else 0)))
    for s in suites:
        a = t.get(("ASYNC_SYNC", s))
        n = t.get(("ASYNC_SYNC/native", s))
        out.append(f"| {s} | " + " | ".join(f"{fmt(t.get((i, s)))} ({fmt(wall.get((i, s)))})" if t.get((i, s)) else "–" for i in impls)
                   + f" | {ratio(a, t.get(('SUNJSSE', s)))} | {ratio(a, t.get(('BCJSSE_JDK', s)))} | {ratio(a, t.get(('BCJSSE_BC', s)))} | {ratio(a, t.get(('BORINGSSL', s)))} |"
                   + (f" {ratio(n, t.get(('SUNJSSE', s)))} | {ratio(n, t.get(('BORINGSSL', s)))} |" if native else ""))
    out.append("")
    return t


def server_bulk_table(rows, out):
    """BulkBench.serverSide: the server's record layer alone, MB sealed + opened per second of its CPU time."""
    b = [r for r in rows if r["benchmark"].endswith("BulkBench.serverSide")]
    if not b:
        return {}
    measured = {impl_name(r) for r in b}
    impls = [i for i in ["SUNJSSE", "BORINGSSL", "ASYNC_SYNC", "ASYNC_SYNC/native"] if i in measured]
    suites = [s for s in ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
              if any(r["params"]["suite"] == s for r in b)]
    t = {(impl_name(r), r["params"]["suite"]): metric(r, "serverMbPerCpuS") for r in b}
    out.append("### Server record layer alone (BulkBench.serverSide), 16 KiB records: MB the server sealed and opened per second of the CPU time in its own calls\n")
    out.append("Batches of 8 records each way; the client (the same implementation, BCJSSE for AsyncJSSE's client mode) is not timed.\n")
    out.append("| suite | " + " | ".join(impls) + " | native vs SunJSSE | native vs BoringSSL | BCJSSE path vs SunJSSE |")
    out.append("|---|" + "---|" * (len(impls) + 3))
    for s in suites:
        n = t.get(("ASYNC_SYNC/native", s))
        a = t.get(("ASYNC_SYNC", s))
        out.append(f"| {s} | " + " | ".join(fmt(t.get((i, s))) for i in impls)
                   + f" | {ratio(n, t.get(('SUNJSSE', s)))} | {ratio(n, t.get(('BORINGSSL', s)))} | {ratio(a, t.get(('SUNJSSE', s)))} |")
    out.append("")
    return t


def floor_table(rows, out):
    f = [r for r in rows if "FloorBench" in r["benchmark"]]
    if not f:
        return None
    t = {(r["benchmark"].split(".")[-1], r["params"]["jca"]): (metric(r), metric(r, "cpuUs")) for r in f}
    out.append("### Primitives (the physical floor), µs per operation: wall / thread CPU\n")
    out.append("BC direct = Bouncy Castle's X25519 functions and ECDSA signer called without the JCA (its RSA row is the provider's).\n")
    out.append("| operation | JDK | BC | BC direct |")
    out.append("|---|---|---|---|")
    for op in ["x25519KeyGen", "x25519Agree", "ecdsaP256Sign", "floorEcdsaX25519", "rsa2048PssSign"]:
        cells = []
        for j in ["JDK", "BC", "BC_DIRECT"]:
            v = t.get((op, j))
            cells.append(f"{fmt(v[0])} / {fmt(v[1])}" if v else "–")
        out.append(f"| {op} | " + " | ".join(cells) + " |")

    def fastest(impls):
        try:
            return sum(min(t[(op, j)][1] for j in impls if (op, j) in t) for op in ["x25519KeyGen", "x25519Agree", "ecdsaP256Sign"])
        except ValueError:
            return None
    best = fastest(["JDK", "BC", "BC_DIRECT"])
    jca_best = fastest(["JDK", "BC"])
    bc = t.get(("floorEcdsaX25519", "BC"))
    jdk = t.get(("floorEcdsaX25519", "JDK"))
    direct = t.get(("floorEcdsaX25519", "BC_DIRECT"))
    out.append(f"\nFloor (CPU) of one TLS 1.3 ECDSA P-256 + X25519 server handshake: JDK {fmt(jdk[1] if jdk else None)} µs, "
               f"BC {fmt(bc[1] if bc else None)} µs, BC direct {fmt(direct[1] if direct else None)} µs; fastest of each primitive "
               f"{fmt(best)} µs (through the JCA only, as earlier runs measured it: {fmt(jca_best)} µs).\n")
    return min(x for x in [best, bc[1] if bc else None, jdk[1] if jdk else None, direct[1] if direct else None] if x is not None)


def load_table(d, out):
    f = os.path.join(d, "load.csv")
    if not os.path.exists(f):
        return None
    with open(f) as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return None
    out.append("### Load harness (loopback sockets, one selector thread, TLS 1.3 ECDSA P-256)\n")
    has_wait = "loopWaitedMaxMs" in rows[0]
    out.append("| L (ms) | config | handshakes/s | loop iteration wall p99 / max (ms) | loop iteration CPU p99 / max (ms) | loop blocked/waiting: longest in one iteration / total (ms) | one connection step p99 / max (ms) | ping RTT p99 (ms) | JVM CPU per hs (µs) | errors c/s |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    by = {}
    for r in rows:
        by[(int(r["latencyMs"]), r["config"])] = r
        ms = lambda k: f"{float(r[k]) / 1000:.2f}"
        cpu = f"{ms('loopCpuP99Us')} / {ms('loopCpuMaxUs')}" if has_wait else "–"
        wt = f"{r['loopWaitedMaxMs']} / {r['loopWaitedTotalMs']}" if has_wait else "–"
        out.append(f"| {r['latencyMs']} | {r['config']} | {float(r['handshakesPerSec']):.1f} | {ms('loopP99Us')} / {ms('loopMaxUs')} | {cpu} | {wt} | "
                   f"{ms('stepP99Us')} / {ms('stepMaxUs')} | {ms('rttP99Us')} | {r['processCpuUsPerHandshake']} | {r['clientErrors']}/{r['serverErrors']} |")
    out.append("")
    out.append("Ratios (same run): AsyncJSSE with callback vs SunJSSE inline and vs SunJSSE with an executor, handshakes/s:\n")
    out.append("| L (ms) | callback / Sun inline | callback / Sun executor | callback / Async unaware (NEED_TASK inline) | callback, budget 0 / Sun inline |")
    out.append("|---|---|---|---|---|")
    lat = sorted({k[0] for k in by})
    for L in lat:
        g = lambda c: float(by[(L, c)]["handshakesPerSec"]) if (L, c) in by else None
        out.append(f"| {L} | {ratio(g('ASYNC_CALLBACK'), g('SUN_INLINE'))} | {ratio(g('ASYNC_CALLBACK'), g('SUN_EXECUTOR'))} | {ratio(g('ASYNC_CALLBACK'), g('ASYNC_NEEDTASK'))} | {ratio(g('ASYNC_CALLBACK_B0'), g('SUN_INLINE'))} |")
    out.append("")
    return by


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results")
    for d in sorted(glob.glob(os.path.join(root, "jdk*"))):
        out = [f"## {os.path.basename(d)}\n"]
        m = os.path.join(d, "machine.txt")
        if os.path.exists(m):
            out.append("```\n" + open(m).read().strip() + "\n```\n")
        rows = load_jmh(d)
        hs = {p: handshake_tables(rows, out, p) for p in ("own", "same")}
        resumed_table(rows, out)
        handoff_table(rows, out)
        h = os.path.join(d, "handoff.txt")
        if os.path.exists(h):
            out.append("### Handshake-job handoff (HandoffProbe, interleaved)\n\n```\n" + open(h).read().strip() + "\n```\n")
        for engine in ("", "-native"):
            h = os.path.join(d, f"handoff-steady{engine}.txt")
            if os.path.exists(h):
                lines = open(h).read().strip().splitlines()
                vals = {}
                for l in lines:
                    impl = l.split()[0]
                    vals.setdefault(impl, []).append(float(l.split(": ")[1].split()[0]))
                label = "native TLS 1.3 engine" if engine else "BCJSSE path"
                out.append(f"### Offloaded vs inline handshake in steady state, {label} (HandshakeProbe, one configuration per JVM, alternated)\n\n```\n" + "\n".join(lines) + "\n```\n")
                a, b = vals.get("ASYNC_SYNC"), vals.get("ASYNC_OFFLOAD_INLINE")
                if a and b:
                    ma, mb = statistics.median(a), statistics.median(b)
                    out.append(f"Median of the runs: ASYNC_SYNC {ma:.1f} µs, ASYNC_OFFLOAD_INLINE {mb:.1f} µs: an offloaded handshake costs **{mb - ma:+.1f} µs** of server CPU more than an inline one.\n")
        h = os.path.join(d, "decorator.txt")
        if os.path.exists(h):
            out.append("### Decorator cost: BCJSSE (JDK JCA) = A vs AsyncJSSE synchronous = B, both with BCJSSE's PKIX key manager and the JDK's primitives (dev.asyncjsse.crypto=jdk), interleaved\n\n```\n"
                       + open(h).read().strip() + "\n```\n")
        bulk_table(rows, out)
        server_bulk_table(rows, out)
        floor = floor_table(rows, out)
        for placement in ("own", "same"):
            t13 = hs[placement].get(("TLSv1.3", "EC_P256"))
            if not floor or not t13:
                continue
            out.append(f"Server CPU per TLS 1.3 ECDSA handshake / floor, {CLIENT_THREAD_LABEL[placement]}:\n")
            a = t13.get("ASYNC_SYNC")
            if a and a[1]:
                out.append(f"AsyncJSSE (sync, BCJSSE path) = {a[1]:.0f} / {floor:.0f} µs = **{a[1] / floor:.2f}×** (issue 5's target ≤ 2×).\n")
            n = t13.get("ASYNC_SYNC/native")
            if n and n[1]:
                out.append(f"AsyncJSSE native engine (sync) = {n[1]:.0f} / {floor:.0f} µs = **{n[1] / floor:.2f}×** (issue 12's target ≤ 1.3×).\n")
            for i, (rate, cpu) in t13.items():
                if cpu:
                    out.append(f"- {i}: {cpu / floor:.2f}× the floor")
            out.append("")
        load_table(d, out)
        for engine in ("", "-native"):
            p = os.path.join(d, f"parked{engine}.txt")
            if os.path.exists(p):
                label = " (native TLS 1.3 engine)" if engine else ""
                out.append(f"### Parked handshakes{label}\n\n```\n" + "\n".join(l for l in open(p).read().splitlines() if not l.startswith(("WARN", "Nov ", "INFO"))) + "\n```\n")
        with open(os.path.join(d, "tables.md"), "w") as fh:
            fh.write("\n".join(out) + "\n")
        print(f"wrote {os.path.join(d, 'tables.md')}")
    head = os.path.join(root, "RESULTS.head.md")
    targets = os.path.join(root, "RESULTS.targets.md")
    if os.path.exists(head) and os.path.exists(targets):
        parts = [open(head).read(), open(targets).read()]
        for d in sorted(glob.glob(os.path.join(root, "jdk*"))):
            parts.append(open(os.path.join(d, "tables.md")).read())
        # hand-written sections measured outside run.sh, in this order
        for extra in ("RESULTS.robustness.md", "RESULTS.monitoring.md", "RESULTS.hsm.md"):
            path = os.path.join(root, extra)
            if os.path.exists(path):
                parts.append(open(path).read())
        out_file = os.path.join(os.path.dirname(os.path.abspath(root)), "RESULTS.md")
        with open(out_file, "w") as fh:
            fh.write("\n".join(parts))
        print(f"wrote {out_file}")


if __name__ == "__main__":
    main()
