/**
 * Non-blocking TLS on NIO without a hand-written {@code SSLEngine} loop.
 *
 * <ul>
 * <li>{@link dev.asyncjsse.nio.TlsChannel}: a {@code ByteChannel} over a {@code SocketChannel} and an
 *     engine, blocking or non-blocking, aware of AsyncJSSE's offload pending, with SNI routing and the
 *     buffered handshake on the server side.
 * <li>{@link dev.asyncjsse.nio.WouldBlockException} and its three subclasses: what a non-blocking call
 *     waits for (socket readable, socket writable, offloaded key operation).
 * <li>{@link dev.asyncjsse.nio.ClientHelloExplorer} and {@link dev.asyncjsse.nio.ClientHello}: read the
 *     SNI names, ALPN protocols, versions and cipher suites of a buffered ClientHello without consuming
 *     it, to choose an {@code SSLContext} or to tell TLS from plain text on a shared port.
 * </ul>
 *
 * <p>A typical selector loop:
 * <pre>{@code
 * Queue<Conn> woken = new ConcurrentLinkedQueue<>();
 * // on accept:
 * conn.tls = TlsChannel.server(socket, hello -> contextFor(hello.serverName()).createSSLEngine())
 *         .offloadWakeup(ch -> { woken.add(conn); selector.wakeup(); })
 *         .build();
 * // after each select(): drive every conn in woken, then every selected key's conn:
 * try {
 *     int n = conn.tls.read(buffer);           // or write(...), handshake()
 *     ...
 * } catch (NeedsReadException e) {
 *     key.interestOps(SelectionKey.OP_READ);
 * } catch (NeedsWriteException e) {
 *     key.interestOps(SelectionKey.OP_WRITE);
 * } catch (OffloadPendingException e) {
 *     key.interestOps(0);                      // the offload wake-up brings it back
 * }
 * }</pre>
 */
package dev.asyncjsse.nio;
