package dev.asyncjsse.offload;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

/**
 * The runtime-checked seam to virtual threads, which this code (compiled for Java 17) cannot name.
 *
 * <p>Internal: not part of the public API.
 */
final class VirtualThreads {

    private static final MethodHandle OF_VIRTUAL;
    private static final MethodHandle NAME;
    private static final MethodHandle FACTORY;

    static {
        MethodHandle ofVirtual = null;
        MethodHandle name = null;
        MethodHandle factory = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtualType = Class.forName("java.lang.Thread$Builder$OfVirtual");
            ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtualType));
            name = lookup.findVirtual(builder, "name", MethodType.methodType(builder, String.class, long.class));
            factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            ofVirtual = null;
        }
        OF_VIRTUAL = ofVirtual;
        NAME = name;
        FACTORY = factory;
    }

    private VirtualThreads() {}

    static boolean available() {
        return OF_VIRTUAL != null;
    }

    static ThreadFactory factory(String namePrefix) {
        if (OF_VIRTUAL == null) {
            throw new IllegalStateException("virtual threads need JDK 21 or later");
        }
        try {
            Object builder = OF_VIRTUAL.invoke();
            builder = NAME.invoke(builder, namePrefix, 1L);
            return (ThreadFactory) FACTORY.invoke(builder);
        } catch (Throwable t) {
            throw new IllegalStateException("could not create a virtual thread factory", t);
        }
    }
}
