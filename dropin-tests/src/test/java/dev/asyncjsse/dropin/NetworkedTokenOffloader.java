package dev.asyncjsse.dropin;

import dev.asyncjsse.KeyOffloader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application's side of a networked HSM: a {@link KeyOffloader} that signs with keys of a token
 * reached through p11-kit's client module and the JDK's SunPKCS11, on a pool of {@code sessions}
 * threads, so at most that many token sessions are busy at once.
 *
 * <p>Reconnection is the application's job. When the connection to the p11-kit server breaks,
 * p11-kit's client module answers {@code CKR_DEVICE_ERROR} to every call until the library is
 * initialized again, and SunPKCS11 never initializes a loaded library twice. So after a failure the
 * next operation loads a fresh copy of the client module into a new SunPKCS11 instance (at most one
 * attempt per {@value #RETRY_MILLIS} ms; meanwhile operations fail at once, saying why). The key the
 * engine hands over is the one the key manager loaded first; it is mapped to its alias, and the
 * alias to the key of the current connection.
 *
 * <p>Test instrumentation: the threads that signed, the most operations busy at once, and a gate
 * that holds operations before they reach the token.
 */
final class NetworkedTokenOffloader implements KeyOffloader, AutoCloseable {

    static final long RETRY_MILLIS = 200;

    private final String clientModule;
    private final Path workDir;
    private final ExecutorService pool;
    private final Map<PrivateKey, String> aliases = new IdentityHashMap<>();
    private final Object reconnectLock = new Object();
    private final AtomicInteger busy = new AtomicInteger();
    final List<String> signingThreads = new CopyOnWriteArrayList<>();
    final AtomicInteger maxBusy = new AtomicInteger();
    final AtomicInteger waitingAtGate = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();
    private volatile CountDownLatch gate;
    private volatile Connection current;
    private long lastAttemptNanos;
    private Exception lastFailure;

    /** One SunPKCS11 instance over one load of the client module. */
    private static final class Connection {
        final Provider provider;
        final KeyStore store;
        final Map<String, PrivateKey> keys = new ConcurrentHashMap<>();

        Connection(Provider provider, KeyStore store) {
            this.provider = provider;
            this.store = store;
        }

        PrivateKey key(String alias) throws GeneralSecurityException {
            PrivateKey key = keys.get(alias);
            if (key == null) {
                key = (PrivateKey) store.getKey(alias, SoftHsm.PIN.toCharArray());
                if (key == null) {
                    throw new java.security.InvalidKeyException("no key '" + alias + "' on the token");
                }
                keys.put(alias, key);
            }
            return key;
        }
    }

    NetworkedTokenOffloader(String clientModule, Path workDir, int sessions) throws Exception {
        this.clientModule = clientModule;
        this.workDir = Files.createDirectories(workDir);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(sessions, r -> {
            Thread t = new Thread(r, "hsm-net-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.current = connect(Paths.get(clientModule), "NetHSM");
    }

    /** The token's key store, as the first connection loaded it: for the key manager. */
    KeyStore keyStore() {
        return current.store;
    }

    /** The provider of the current connection. */
    Provider provider() {
        return current.provider;
    }

    /** Tells which token key {@code key} (as the key manager hands it out) stands for. */
    synchronized void register(String alias, PrivateKey key) {
        aliases.put(key, alias);
    }

    private synchronized String aliasOf(PrivateKey key) {
        return aliases.get(key);
    }

    /** Holds every operation before it reaches the token until {@code latch} opens; null: no gate. */
    void gate(CountDownLatch latch) {
        gate = latch;
    }

    private Connection connect(Path module, String name) throws Exception {
        Path cfg = workDir.resolve(name + ".cfg");
        Files.writeString(cfg, "name = " + name + "\nlibrary = " + module + "\nslotListIndex = 0\n");
        Provider provider = Security.getProvider("SunPKCS11").configure(cfg.toString());
        KeyStore store = KeyStore.getInstance("PKCS11", provider);
        store.load(null, SoftHsm.PIN.toCharArray());
        return new Connection(provider, store);
    }

    /** The current connection, or a new one; fails at once while the last attempt is recent. */
    private Connection connection() throws Exception {
        Connection c = current;
        if (c != null) {
            return c;
        }
        synchronized (reconnectLock) {
            if (current != null) {
                return current;
            }
            long now = System.nanoTime();
            if (lastAttemptNanos != 0 && now - lastAttemptNanos < TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS)) {
                throw new java.security.ProviderException("the HSM is unreachable; last reconnect attempt: " + lastFailure, lastFailure);
            }
            lastAttemptNanos = now;
            int attempt = reconnects.incrementAndGet();
            Path copy = workDir.resolve("p11-kit-client-" + attempt + ".so");
            Files.copy(Paths.get(clientModule), copy, StandardCopyOption.REPLACE_EXISTING);
            try {
                current = connect(copy, "NetHSM" + attempt);
                lastFailure = null;
                return current;
            } catch (Exception e) {
                lastFailure = e;
                throw e;
            } finally {
                Files.deleteIfExists(copy); // the loaded library stays mapped
            }
        }
    }

    @Override
    public CompletionStage<byte[]> sign(PrivateKey key, String jcaAlgorithm, AlgorithmParameterSpec params, byte[] message) {
        String alias = aliasOf(key);
        if (alias == null) {
            return CompletableFuture.failedFuture(new java.security.InvalidKeyException("not a key of this token: " + key));
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                result.complete(signNow(alias, jcaAlgorithm, params, message));
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private byte[] signNow(String alias, String algorithm, AlgorithmParameterSpec params, byte[] message) throws Exception {
        CountDownLatch g = gate;
        if (g != null) {
            waitingAtGate.incrementAndGet();
            try {
                g.await();
            } finally {
                waitingAtGate.decrementAndGet();
            }
        }
        maxBusy.accumulateAndGet(busy.incrementAndGet(), Math::max);
        Connection c = null;
        try {
            c = connection();
            Signature signature = Signature.getInstance(algorithm, c.provider);
            signature.initSign(c.key(alias));
            if (params != null) {
                signature.setParameter(params);
            }
            signature.update(message);
            byte[] result = signature.sign();
            signingThreads.add(Thread.currentThread().getName());
            return result;
        } catch (Exception | Error e) {
            synchronized (reconnectLock) {
                if (c != null && current == c) {
                    current = null; // the next operation reconnects
                    lastAttemptNanos = 0;
                }
            }
            throw e;
        } finally {
            busy.decrementAndGet();
        }
    }

    @Override
    public CompletionStage<byte[]> decrypt(PrivateKey key, String jcaTransformation, byte[] ciphertext) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this token only signs"));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
