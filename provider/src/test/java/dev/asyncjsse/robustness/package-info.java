/**
 * Robustness tests (issue 7): bad input, faults and load.
 *
 * <ul>
 *   <li>{@link dev.asyncjsse.robustness.EngineFuzzTest}: seeded mutation fuzzer over recorded TLS 1.3/1.2
 *       handshakes, server and client roles, before/during/after the handshake, with and without offload
 *       pending; 3,000 inputs in {@code mvn verify}, {@code -Dasyncjsse.fuzz.iterations=N
 *       -Dasyncjsse.fuzz.seconds=S -Dasyncjsse.fuzz.seed=X} for long runs,
 *       {@code -Dasyncjsse.fuzz.corpusOut=DIR} to save new outcomes, {@code -Dasyncjsse.fuzz.only=I} to
 *       re-run one input. {@code replayCorpus} replays {@code src/test/resources/corpus}.</li>
 *   <li>{@link dev.asyncjsse.robustness.ExplorerFuzzTest}: the ClientHello explorer; 20,000 inputs,
 *       {@code -Dasyncjsse.fuzz.explorer.iterations=N}.</li>
 *   <li>{@link dev.asyncjsse.robustness.HostilePeersTest}: slowloris, oversized records, version mismatch,
 *       over-long handshake messages, renegotiation, early close, over loopback against
 *       {@link dev.asyncjsse.robustness.NioTlsServer}.</li>
 *   <li>{@link dev.asyncjsse.robustness.FaultInjectionTest}: misbehaving offloaders and callbacks among
 *       20 connections of one selector loop.</li>
 *   <li>{@link dev.asyncjsse.robustness.ConcurrencyStressTest}: wrap/unwrap on two threads, callback
 *       racing close, loops sharing an offloader.</li>
 *   <li>{@link dev.asyncjsse.robustness.SoakTest}: 2,000 mixed handshakes with leak checks;
 *       {@code -Dasyncjsse.soak.handshakes=50000} for the long run.</li>
 *   <li>{@link dev.asyncjsse.robustness.FoundBugsRegressionTest}: regression tests for the engine bugs
 *       these tests found.</li>
 * </ul>
 *
 * <p>The provider's build runs this package once per TLS 1.3 server engine ({@code dev.asyncjsse.tls13=bc},
 * then {@code native}). The native engine's parsers behind the record protection have their own fuzzer,
 * {@code dev.asyncjsse.tls13.ProtectedMessageFuzzTest} ({@code -Dasyncjsse.fuzz.nativeIterations=N}).
 *
 * <p>Example: {@code mvn -pl provider -am verify -Dtest='dev.asyncjsse.robustness.*Test'
 * -Dsurefire.failIfNoSpecifiedTests=false -Dasyncjsse.soak.handshakes=50000}
 */
package dev.asyncjsse.robustness;
