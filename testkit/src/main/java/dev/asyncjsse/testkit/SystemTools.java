package dev.asyncjsse.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the system tools that some tests use as real peers: the {@code openssl} and {@code curl}
 * command lines, {@code gnutls-cli}, SoftHSM2, opensc's {@code pkcs11-tool}, {@code p11-kit} and its
 * client module.
 *
 * <p>A missing tool skips the calling test through a JUnit assumption, with a message that names
 * the Debian package to install, so that {@code mvn -B verify} passes on a machine where nothing was
 * installed by hand. When the environment variable {@code CI} is {@code true} every test must run:
 * a missing tool then fails the test instead. {@code .ci/run} sets {@code CI=true} and installs every
 * package.
 *
 * <p>Call it from a test or a {@code @BeforeEach} method. A skip in {@code @BeforeAll} skips the
 * whole class, but surefire then counts and lists none of its tests; {@link #installed} lets a
 * {@code @BeforeAll} prepare only what it can. It keeps no state and is thread-safe.
 */
public final class SystemTools {

    /** The environment variable that turns a missing tool from a skip into a failure. */
    public static final String CI_VARIABLE = "CI";

    private SystemTools() {}

    /**
     * The absolute path of the executable {@code name} on {@code PATH}.
     *
     * @param name the command, e.g. {@code "curl"}
     * @param debianPackage the Debian package that installs it, named in the skip or failure message
     * @return the path, if the command exists
     * @throws org.opentest4j.TestAbortedException if it is missing and {@code CI} is not {@code true}
     * @throws AssertionError if it is missing and {@code CI=true}
     */
    public static String command(String name, String debianPackage) {
        return command(name, debianPackage, System.getenv());
    }

    /**
     * Whether the executable {@code name} is on {@code PATH}, without skipping or failing: for a
     * {@code @BeforeAll} that prepares something only when it can. Tests then call
     * {@link #command} (or {@link #library}) themselves, so that each one is reported as skipped.
     */
    public static boolean installed(String name) {
        return find(name, System.getenv()) != null;
    }

    /** {@link #command(String, String)} against the given environment instead of the process's own. */
    static String command(String name, String debianPackage, Map<String, String> environment) {
        String found = find(name, environment);
        if (found != null) {
            return found;
        }
        return missing("the command '" + name + "' is not on PATH", debianPackage, environment);
    }

    private static String find(String name, Map<String, String> environment) {
        for (String dir : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Paths.get(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /**
     * The first of {@code candidates} that is a file: a shared library such as a PKCS#11 module, which
     * distributions install in different directories.
     *
     * @param what a short description for the message, e.g. {@code "SoftHSM2's PKCS#11 module"}
     * @param debianPackage the Debian package that installs it
     * @param candidates absolute paths, tried in order
     * @return the first existing path
     * @throws org.opentest4j.TestAbortedException if none exists and {@code CI} is not {@code true}
     * @throws AssertionError if none exists and {@code CI=true}
     */
    public static String library(String what, String debianPackage, List<String> candidates) {
        return library(what, debianPackage, candidates, System.getenv());
    }

    static String library(String what, String debianPackage, List<String> candidates, Map<String, String> environment) {
        for (String candidate : candidates) {
            if (Files.isRegularFile(Paths.get(candidate))) {
                return candidate;
            }
        }
        return missing(what + " is not installed (looked for " + candidates + ")", debianPackage, environment);
    }

    /**
     * Something a test needs from the system, a command or a library, found or not, with the Debian
     * package that installs it. A test that needs several checks them with one {@link #requireAll}
     * call, so that its skip names every missing package, not only the first.
     */
    public static final class Need {
        /** What is missing, or {@code null} when it is there. */
        final String problem;
        final String debianPackage;

        private Need(String problem, String debianPackage) {
            this.problem = problem;
            this.debianPackage = debianPackage;
        }
    }

    /** The command {@code name} on {@code PATH}, installed by {@code debianPackage}; see {@link #requireAll}. */
    public static Need commandNeed(String name, String debianPackage) {
        return commandNeed(name, debianPackage, System.getenv());
    }

    static Need commandNeed(String name, String debianPackage, Map<String, String> environment) {
        return new Need(find(name, environment) == null ? "the command '" + name + "' is not on PATH" : null, debianPackage);
    }

    /** One of {@code candidates}, as {@link #library} looks for it; see {@link #requireAll}. */
    public static Need libraryNeed(String what, String debianPackage, List<String> candidates) {
        boolean found = candidates.stream().anyMatch(c -> Files.isRegularFile(Paths.get(c)));
        return new Need(found ? null : what + " is not installed (looked for " + candidates + ")", debianPackage);
    }

    /**
     * Returns when every need is there; otherwise skips the calling test (fails it with
     * {@code CI=true}) with one message that names every missing package.
     */
    public static void requireAll(List<Need> needs) {
        requireAll(needs, System.getenv());
    }

    static void requireAll(List<Need> needs, Map<String, String> environment) {
        List<Need> absent = needs.stream().filter(n -> n.problem != null).collect(Collectors.toList());
        if (absent.isEmpty()) {
            return;
        }
        missing(absent.stream().map(n -> n.problem).collect(Collectors.joining("; ")),
                absent.stream().map(n -> n.debianPackage).distinct().collect(Collectors.toList()), environment);
    }

    /** Whether {@code environment} marks a CI run, where nothing may be skipped. */
    static boolean isCi(Map<String, String> environment) {
        return "true".equalsIgnoreCase(environment.getOrDefault(CI_VARIABLE, "").trim());
    }

    private static <T> T missing(String problem, String debianPackage, Map<String, String> environment) {
        return missing(problem, List.of(debianPackage), environment);
    }

    /** Always throws: a failure on CI, a skip elsewhere. */
    private static <T> T missing(String problem, List<String> debianPackages, Map<String, String> environment) {
        // each package as "Debian package 'name'", the form the README's grep over the reports finds
        String install = debianPackages.stream().map(p -> "the Debian package '" + p + "'")
                .collect(Collectors.joining(", "));
        if (isCi(environment)) {
            throw new AssertionError(problem + ": CI=true, so every test must run; install " + install + " (.ci/run does)");
        }
        return Assumptions.abort(problem + ": skipped; install " + install + " to run it (with CI=true a missing tool fails the test)");
    }
}
