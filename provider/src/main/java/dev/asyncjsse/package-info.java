/**
 * AsyncJSSE's public API: the provider ({@link dev.asyncjsse.AsyncJsseProvider}), its engine type
 * ({@link dev.asyncjsse.AsyncSSLEngine}), the offload configuration ({@link dev.asyncjsse.AsyncJsse},
 * {@link dev.asyncjsse.KeyOffloader}, {@link dev.asyncjsse.KeyOffloaders},
 * {@link dev.asyncjsse.OffloadCallback}, {@link dev.asyncjsse.AsyncStatus}) and
 * {@link dev.asyncjsse.OffloadPoint}. Together with {@code dev.asyncjsse.nio} it is everything
 * applications may use; the other packages are internal. The listing {@code provider/api/public-api.txt}
 * records it, and the build fails when it changes unrecorded.
 */
package dev.asyncjsse;
