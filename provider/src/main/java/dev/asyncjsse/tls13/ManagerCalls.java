package dev.asyncjsse.tls13;

/**
 * Which key and trust managers the engine calls in a handshake job rather than inline.
 *
 * <p>The rule: a manager whose class belongs to the JDK or to Bouncy Castle is called inline, on the
 * thread driving the engine, because those never call {@code OffloadPoint.await} and a job would cost
 * a thread handoff on every handshake. Any other manager is application code that may await an
 * asynchronous lookup through {@code OffloadPoint.await}, so when the context has a key offloader
 * (the configuration in which the application asked for asynchrony) it is called in a job, and only
 * that call: the protocol itself never runs in one. Without an offloader every call is inline, as in
 * a plain synchronous engine.
 *
 * <p>Internal. Stateless.
 */
final class ManagerCalls {

    private ManagerCalls() {}

    static boolean mayWait(Object manager) {
        String name = manager.getClass().getName();
        return !(name.startsWith("sun.") || name.startsWith("java.") || name.startsWith("javax.")
                || name.startsWith("jdk.") || name.startsWith("com.sun.") || name.startsWith("org.bouncycastle."));
    }
}
