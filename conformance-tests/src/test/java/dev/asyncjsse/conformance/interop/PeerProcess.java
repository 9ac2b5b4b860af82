package dev.asyncjsse.conformance.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A peer running as a child process (openssl, gnutls-cli, curl, a second JVM): its standard output
 * and error, merged, are collected as they arrive, and the test waits for what it expects with a
 * deadline instead of sleeping. {@link #close()} kills the process if it is still running, so a
 * failing test leaves nothing behind.
 *
 * <p>Threading: one test thread uses it; a daemon thread per process reads the output.
 */
final class PeerProcess implements AutoCloseable {

    static final Duration DEADLINE = Duration.ofSeconds(30);

    private final List<String> command;
    private final Process process;
    private final OutputStream stdin;
    private final StringBuilder output = new StringBuilder();
    private boolean outputEnded; // guarded by output

    private PeerProcess(List<String> command, Path workDir) throws IOException {
        this.command = List.copyOf(command);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        this.process = pb.start();
        this.stdin = process.getOutputStream();
        Thread reader = new Thread(this::readOutput, "peer-output-" + command.get(0));
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} in the current directory. */
    static PeerProcess start(List<String> command) throws IOException {
        return new PeerProcess(command, null);
    }

    /** Starts {@code command} in {@code workDir}. */
    static PeerProcess start(List<String> command, Path workDir) throws IOException {
        return new PeerProcess(command, workDir);
    }

    private void readOutput() {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (output) {
                    output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended and closed its side; what was read stays in output
        } finally {
            synchronized (output) {
                outputEnded = true;
                output.notifyAll();
            }
        }
    }

    /** Everything the process printed so far. */
    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Writes {@code text} to the process's standard input; nothing happens once the process has exited. */
    void send(String text) throws IOException {
        try {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            if (process.isAlive()) {
                throw e;
            }
            // the peer ended (e.g. on a fatal alert) before reading: its output says why
        }
    }

    /** True until the process has exited. */
    boolean isRunning() {
        return process.isAlive();
    }

    /** Closes the process's standard input (end of file for the peer). */
    void closeInput() {
        try {
            stdin.close();
        } catch (IOException e) {
            // the process has exited and closed its end already
        }
    }

    /**
     * Waits until the output contains {@code marker}, failing the test with the output after
     * {@link #DEADLINE} or when the process ends without printing it.
     *
     * @return the whole output at that moment
     */
    String await(String marker) {
        return await(out -> out.contains(marker), "'" + marker + "'");
    }

    /** Waits until {@code condition} holds on the output; see {@link #await(String)}. */
    String await(Predicate<String> condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        synchronized (output) {
            while (true) {
                String now = output.toString();
                if (condition.test(now)) {
                    return now;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || outputEnded) {
                    fail("waited for " + what + " from " + this + (left <= 0 ? " for " + DEADLINE : ", whose output ended")
                            + "; output:\n" + now);
                }
                try {
                    output.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail("interrupted while waiting for " + what);
                }
            }
        }
    }

    /**
     * Waits until {@code condition} holds on the output or the output ends (the process exited),
     * failing the test only after {@link #DEADLINE}.
     *
     * @return the whole output at that moment
     */
    String awaitOrEnd(Predicate<String> condition, String what) {
        return await(out -> condition.test(out) || ended(), what);
    }

    private boolean ended() {
        synchronized (output) {
            return outputEnded;
        }
    }

    /**
     * Waits for the process to exit, failing the test after {@link #DEADLINE}.
     *
     * @return its exit code
     */
    int awaitExit() {
        try {
            if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(this + " did not exit within " + DEADLINE + "; output:\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting for " + this);
        }
        // the reader may still be appending the last bytes: wait for its end of stream
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        synchronized (output) {
            while (!outputEnded && System.nanoTime() < deadline) {
                try {
                    output.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail("interrupted while reading the output of " + this);
                }
            }
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }
}
