#!/usr/bin/env python3
"""Summarises CPU samples of a JFR recording: top self frames and inclusive shares of chosen frames.

Usage: jfr-summary.py RECORDING.jfr [THREAD_SUBSTRING] [PATTERN ...]
Needs the `jfr` tool of the JDK on PATH (or JAVA_HOME). Inclusive share = samples whose stack
contains a frame matching PATTERN (substring of "class.method").
"""
import collections
import os
import re
import subprocess
import sys


def main():
    rec = sys.argv[1]
    thread = sys.argv[2] if len(sys.argv) > 2 else "main"
    patterns = sys.argv[3:]
    jfr = os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if os.environ.get("JAVA_HOME") else "jfr"
    out = subprocess.run([jfr, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "200", rec],
                         capture_output=True, text=True, check=True).stdout
    samples = []
    for block in out.split("jdk.ExecutionSample")[1:]:
        m = re.search(r'sampledThread = "([^"]*)"', block)
        if not m or thread not in m.group(1):
            continue
        frames = re.findall(r"^\s+([\w.$<>/]+)\(", block, re.M)
        if frames:
            samples.append(frames)
    n = len(samples)
    print(f"{n} samples on threads matching '{thread}'")
    self_count = collections.Counter(s[0] for s in samples)
    print("\nTop self frames:")
    for f, c in self_count.most_common(25):
        print(f"  {100.0 * c / n:5.1f}%  {f}")
    if patterns:
        print("\nInclusive shares:")
        for p in patterns:
            c = sum(1 for s in samples if any(p in f for f in s))
            print(f"  {100.0 * c / n:5.1f}%  {p}")


if __name__ == "__main__":
    main()
