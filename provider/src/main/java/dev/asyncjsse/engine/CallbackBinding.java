package dev.asyncjsse.engine;

import dev.asyncjsse.OffloadCallback;

/** A callback with its argument, replaced as one value so a reader never sees one without the other. */
final class CallbackBinding {

    static final CallbackBinding NONE = new CallbackBinding(null, null);

    final OffloadCallback callback;
    final Object arg;

    CallbackBinding(OffloadCallback callback, Object arg) {
        this.callback = callback;
        this.arg = arg;
    }
}
