package dev.asyncjsse.monitor;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event {@value #NAME}: one TLS handshake of an AsyncJSSE engine. Its duration runs from the start
 * of the handshake to its completion or failure.
 *
 * <p>Internal: the event and field names are what operators rely on. Created, filled and committed
 * by {@link HandshakeTrace} under the engine's lock.
 */
@Name(HandshakeEvent.NAME)
@Label("AsyncJSSE Handshake")
@Category("dev.asyncjsse")
@Description("A TLS handshake of an AsyncJSSE engine, from its start to its completion or failure")
@StackTrace(false)
final class HandshakeEvent extends Event {

    static final String NAME = "dev.asyncjsse.Handshake";

    @Label("Engine Id")
    @Description("The engine's number in this JVM, as in AsyncJSSE's log lines")
    long engineId;

    @Label("Peer")
    @Description("host:port the engine was created for, or \"unknown\"")
    String peer;

    @Label("Client Mode")
    boolean clientMode;

    @Label("Protocol")
    String protocol;

    @Label("Cipher Suite")
    String cipherSuite;

    @Label("Resumed")
    boolean resumed;

    @Label("Offloaded")
    @Description("A private-key operation of this handshake went to the key offloader")
    boolean offloaded;

    @Label("Pending Time")
    @Description("Time the handshake's steps ran off the caller's thread or waited for offload capacity")
    @Timespan(Timespan.NANOSECONDS)
    long pendingTime;

    @Label("Failure")
    @Description("Why the handshake failed; null when it completed")
    String failure;

    @Label("Caused by Offload")
    @Description("The handshake failed because a key operation failed or timed out")
    boolean offloadFailure;
}
