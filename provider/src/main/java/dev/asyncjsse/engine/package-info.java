/**
 * Internal: the engine front ({@code AsyncEngine}), the seam to protocol engines
 * ({@link dev.asyncjsse.engine.ProtocolEngine} and the types around it), the BCJSSE path and the
 * {@code SSLContext} implementation. Not part of the public API: the public types here serve other
 * AsyncJSSE packages and may change in any release. Applications use {@code dev.asyncjsse} and
 * {@code dev.asyncjsse.nio}. The repository's {@code docs/ARCHITECTURE.md} describes the structure.
 */
package dev.asyncjsse.engine;
