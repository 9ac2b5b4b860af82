package dev.asyncjsse.dropin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/** Diagnostic: samples a thread every millisecond and counts where it waits or is blocked. */
final class StallSampler {

    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread sampler;

    StallSampler(Thread target) {
        sampler = new Thread(() -> {
            while (!stop.get()) {
                Thread.State state = target.getState();
                StackTraceElement[] stack = target.getStackTrace();
                boolean inSelect = stack.length > 0 && stack[0].getMethodName().contains("epollWait");
                boolean waiting = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED;
                if (!inSelect && stack.length > 0 && (waiting || !Boolean.getBoolean("dropin.gap.sample.waitsOnly"))) {
                    StringBuilder key = new StringBuilder(state.toString());
                    int shown = 0;
                    for (StackTraceElement e : stack) {
                        if (shown < 14) {
                            key.append("\n    ").append(e.getClassName()).append('.').append(e.getMethodName()).append(':').append(e.getLineNumber());
                            shown++;
                        }
                    }
                    counts.merge(key.toString(), 1, Integer::sum);
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stall-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    String stop() throws InterruptedException {
        stop.set(true);
        sampler.join();
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(6)
                .map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining("\n"));
    }
}
