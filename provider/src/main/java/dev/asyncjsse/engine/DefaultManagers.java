package dev.asyncjsse.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The key and trust managers of the {@code Default} context, from the standard
 * {@code javax.net.ssl.*} system properties, as SunJSSE reads them.
 *
 * <p>Internal.
 */
final class DefaultManagers {

    private DefaultManagers() {}

    static KeyManager[] keyManagers() throws KeyManagementException {
        String path = System.getProperty("javax.net.ssl.keyStore");
        if (path == null || path.isEmpty() || path.equals("NONE")) {
            return new KeyManager[0];
        }
        String type = System.getProperty("javax.net.ssl.keyStoreType", KeyStore.getDefaultType());
        String password = System.getProperty("javax.net.ssl.keyStorePassword", "");
        try (InputStream in = Files.newInputStream(Paths.get(path))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password.toCharArray());
            return kmf.getKeyManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new KeyManagementException("cannot load javax.net.ssl.keyStore " + path + ": " + e.getMessage(), e);
        }
    }

    static TrustManager[] trustManagers() throws KeyManagementException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new KeyManagementException("cannot build the default trust managers: " + e.getMessage(), e);
        }
    }
}
