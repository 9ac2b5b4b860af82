package dev.asyncjsse.dropin;

import dev.asyncjsse.testkit.SystemTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * A SoftHSM2 token for tests: a configuration file, a token directory beside it, a token labelled
 * {@code asyncjsse} and a SunPKCS11 configuration file for it. The in-process token uses the
 * configuration named by {@code SOFTHSM2_CONF} (set by surefire, so that the library loaded inside
 * the test JVM reads it); a token served by another process ({@link #createServed}) has its own
 * directory, and every process that opens it is given its configuration.
 */
final class SoftHsm {

    static final String LABEL = "asyncjsse";
    static final String PIN = "1234";
    static final String SO_PIN = "5678";

    /** Where Debian and Ubuntu install the module; others are tried in order. */
    private static final List<String> LIBRARY_CANDIDATES = List.of(
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/local/lib/softhsm/libsofthsm2.so",
            "/usr/lib64/pkcs11/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/pkcs11/libsofthsm2.so");

    final Path dir;
    final Path softhsmConf;
    final Path pkcs11Cfg;
    final String library;
    /** What a child process needs to open this token: its SoftHSM2 configuration. */
    final Map<String, String> environment;

    private SoftHsm(Path dir, Path softhsmConf, Path pkcs11Cfg, String library) {
        this.dir = dir;
        this.softhsmConf = softhsmConf;
        this.pkcs11Cfg = pkcs11Cfg;
        this.library = library;
        this.environment = Map.of("SOFTHSM2_CONF", softhsmConf.toString());
    }

    /** SoftHSM2's PKCS#11 module: {@code SOFTHSM2_LIB} if set, else the first of the usual places. */
    static String findLibrary() {
        return SystemTools.library("SoftHSM2's PKCS#11 module libsofthsm2.so", "softhsm2", libraryCandidates());
    }

    private static List<String> libraryCandidates() {
        List<String> candidates = new java.util.ArrayList<>();
        String env = System.getenv("SOFTHSM2_LIB");
        if (env != null && !env.isEmpty()) {
            candidates.add(env);
        }
        candidates.addAll(LIBRARY_CANDIDATES);
        return candidates;
    }

    /** Whether SoftHSM2 is installed, without skipping: for a {@code @BeforeAll}. */
    static boolean installed() {
        return SystemTools.installed("softhsm2-util") && libraryCandidates().stream().anyMatch(c -> Files.isRegularFile(Paths.get(c)));
    }

    /** What SoftHSM2 brings: its PKCS#11 module and {@code softhsm2-util}. */
    static List<SystemTools.Need> needs() {
        return List.of(SystemTools.libraryNeed("SoftHSM2's PKCS#11 module libsofthsm2.so", "softhsm2", libraryCandidates()),
                SystemTools.commandNeed("softhsm2-util", "softhsm2"));
    }

    /** Creates a fresh token for this JVM. The directory of {@code SOFTHSM2_CONF} is wiped first. */
    static SoftHsm create() throws Exception {
        String confEnv = System.getenv("SOFTHSM2_CONF");
        if (confEnv == null || confEnv.isEmpty()) {
            throw new AssertionError("SOFTHSM2_CONF is not set: run this test through Maven (dropin-tests/pom.xml sets it)");
        }
        return createAt(Paths.get(confEnv).toAbsolutePath());
    }

    /** Creates a fresh token in {@code dir} (wiped first), for a server process to export. */
    static SoftHsm createServed(Path dir) throws Exception {
        return createAt(dir.resolve("softhsm2.conf").toAbsolutePath());
    }

    private static SoftHsm createAt(Path conf) throws Exception {
        String library = findLibrary();
        String softhsmUtil = SystemTools.command("softhsm2-util", "softhsm2");
        Path dir = conf.getParent();
        Support.deleteTree(dir);
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        // slotListIndex 0: the token just initialized is listed first. Private keys the JDK generates are
        // sensitive and not extractable: they never leave the token.
        Path cfg = dir.resolve("pkcs11.cfg");
        Files.writeString(cfg, "name = SoftHSM\n"
                + "library = " + library + "\n"
                + "slotListIndex = 0\n"
                + "attributes(*, CKO_PRIVATE_KEY, *) = {\n"
                + "  CKA_SENSITIVE = true\n"
                + "  CKA_EXTRACTABLE = false\n"
                + "}\n");
        SoftHsm hsm = new SoftHsm(dir, conf, cfg, library);
        Support.runOk(List.of(softhsmUtil, "--init-token", "--free", "--label", LABEL,
                "--pin", PIN, "--so-pin", SO_PIN), dir, 60, hsm.environment);
        return hsm;
    }

    /** keytool with the SunPKCS11 provider, against this token. */
    void keytool(String... args) throws Exception {
        String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool, "-keystore", "NONE", "-storetype", "PKCS11",
                "-providerClass", "sun.security.pkcs11.SunPKCS11", "-providerArg", pkcs11Cfg.toString(), "-storepass", PIN));
        cmd.addAll(List.of(args));
        Support.runOk(cmd, dir, 120, environment);
    }

    /** Generates a key pair on the token with a self-signed certificate for localhost. */
    void generate(String alias, String... keyArgs) throws Exception {
        String[] base = {"-genkeypair", "-alias", alias, "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1",
                "-validity", "30"};
        String[] all = new String[base.length + keyArgs.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(keyArgs, 0, all, base.length, keyArgs.length);
        keytool(all);
    }
}
