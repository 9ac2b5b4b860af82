package dev.asyncjsse.dropin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server in a child JVM that is configured only from the command line and a java.security file,
 * as an operator would. Protocol: the child prints {@code PORT n} once it serves, the parent tests it
 * and writes a line to its standard input, the child prints its own findings and exits.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final Path errFile;
    private final Thread reader;

    ChildJvm(Path dir, List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        List<String> cmd = Support.javaCommand();
        cmd.addAll(jvmOptions);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        errFile = dir.resolve(main.getSimpleName() + ".stderr");
        Files.writeString(dir.resolve(main.getSimpleName() + ".cmd"), String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(errFile.toFile());
        process = pb.start();
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.startsWith("PORT ")) {
                        port.complete(Integer.parseInt(line.substring(5).trim()));
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            }
            port.completeExceptionally(new AssertionError("the child ended without serving\n" + output()));
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    int port() throws Exception {
        return port.get(60, TimeUnit.SECONDS);
    }

    /** Tells the child to finish, waits for it, returns its exit code. */
    int finish() throws Exception {
        try (OutputStream in = process.getOutputStream()) {
            in.write("quit\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child did not exit\n" + output());
        }
        reader.join(5_000); // the output is complete once the reader has seen the end of the stream
        return process.exitValue();
    }

    String output() {
        StringBuilder sb = new StringBuilder();
        synchronized (lines) {
            lines.forEach(l -> sb.append(l).append('\n'));
        }
        try {
            sb.append("--- stderr (tail)\n");
            List<String> err = Files.readAllLines(errFile);
            err.subList(Math.max(0, err.size() - 60), err.size()).forEach(l -> sb.append(l).append('\n'));
        } catch (IOException e) {
            sb.append(e);
        }
        return sb.toString();
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** For children: the number of live threads of AsyncJSSE's property-configured offload pool. */
    static long offloadThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("asyncjsse-offload-")).count();
    }

    /** For children: waits for the parent's line on standard input. */
    static void awaitParent() throws IOException {
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
    }
}
