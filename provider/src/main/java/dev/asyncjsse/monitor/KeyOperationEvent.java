package dev.asyncjsse.monitor;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event {@value #NAME}: one private-key operation handed to a key offloader, or refused for lack
 * of capacity. Its duration runs from the hand-over to the outcome.
 *
 * <p>Internal: the event and field names are what operators rely on. Created by
 * {@link KeyOperationTrace} on the thread that submits the operation and committed on the thread
 * that completes it.
 */
@Name(KeyOperationEvent.NAME)
@Label("AsyncJSSE Key Operation")
@Category("dev.asyncjsse")
@Description("A private-key operation handed to AsyncJSSE's key offloader, or refused with EAGAIN")
@StackTrace(false)
final class KeyOperationEvent extends Event {

    static final String NAME = "dev.asyncjsse.KeyOperation";

    @Label("Engine Id")
    @Description("The engine whose handshake needed the key, 0 if none (a blocking socket)")
    long engineId;

    @Label("Peer")
    String peer;

    @Label("Operation")
    @Description("sign or decrypt")
    String operation;

    @Label("Algorithm")
    @Description("The JCA signature algorithm or cipher transformation; empty when refused before one was chosen")
    String algorithm;

    @Label("Key Type")
    String keyType;

    @Label("Queue Time")
    @Description("Time before a thread of the offloader started the operation; 0 when the offloader does not say")
    @Timespan(Timespan.NANOSECONDS)
    long queueTime;

    @Label("Run Time")
    @Description("Time from the start of the operation to its outcome")
    @Timespan(Timespan.NANOSECONDS)
    long runTime;

    @Label("Outcome")
    @Description("ok, failed, timed out, cancelled or EAGAIN")
    String outcome;

    @Label("Failure")
    String failure;
}
