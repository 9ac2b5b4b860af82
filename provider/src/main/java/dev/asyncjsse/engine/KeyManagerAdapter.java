package dev.asyncjsse.engine;

import dev.asyncjsse.KeyOffloader;
import dev.asyncjsse.jca.OffloadedPrivateKey;
import dev.asyncjsse.jca.TlsKeys;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Wraps the application's key manager for Bouncy Castle: translates key types
 * ({@link KeyTypes}), hands the application its {@link dev.asyncjsse.AsyncSSLEngine} instead of
 * Bouncy Castle's inner engine, passes over a TLS 1.2 server certificate on a curve the client did
 * not offer ({@link ClientCurves}), and, when the context has an offloader, returns an
 * {@link OffloadedPrivateKey} so every operation with the key goes to the offloader.
 *
 * <p>Internal. As thread-safe as the wrapped key manager.
 */
final class KeyManagerAdapter extends X509ExtendedKeyManager {

    private final X509KeyManager delegate;
    private final EngineRegistry engines;
    private final ContextConfig config;

    KeyManagerAdapter(X509KeyManager delegate, EngineRegistry engines, ContextConfig config) {
        this.delegate = delegate;
        this.engines = engines;
        this.config = config;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        SSLEngine outer = engines.outer(engine);
        ClientCurves curves = ClientCurves.forServerKeyType(keyType, engine);
        for (String candidate : KeyTypes.candidates(keyType)) {
            String alias = delegate instanceof X509ExtendedKeyManager
                    ? ((X509ExtendedKeyManager) delegate).chooseEngineServerAlias(candidate, issuers, outer)
                    : delegate.chooseServerAlias(candidate, issuers, null);
            alias = usableServerAlias(alias, candidate, issuers, curves);
            if (alias != null) {
                return alias;
            }
        }
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        String[] candidates = KeyTypes.candidates(keyTypes).toArray(new String[0]);
        SSLEngine outer = engines.outer(engine);
        return delegate instanceof X509ExtendedKeyManager
                ? ((X509ExtendedKeyManager) delegate).chooseEngineClientAlias(candidates, issuers, outer)
                : delegate.chooseClientAlias(candidates, issuers, null);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        ClientCurves curves = ClientCurves.forServerKeyType(keyType, socket);
        for (String candidate : KeyTypes.candidates(keyType)) {
            String alias = usableServerAlias(delegate.chooseServerAlias(candidate, issuers, socket), candidate, issuers, curves);
            if (alias != null) {
                return alias;
            }
        }
        return null;
    }

    /** {@code chosen} if the client can use it, else another alias of {@code keyType} it can use, else null. */
    private String usableServerAlias(String chosen, String keyType, Principal[] issuers, ClientCurves curves) {
        if (chosen == null || curves == null || curves.permits(delegate.getCertificateChain(chosen))) {
            return chosen;
        }
        return curves.firstPermitted(delegate.getServerAliases(keyType, issuers), delegate::getCertificateChain);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return delegate.chooseClientAlias(KeyTypes.candidates(keyTypes).toArray(new String[0]), issuers, socket);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return firstNonEmpty(keyType, issuers, false);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return firstNonEmpty(keyType, issuers, true);
    }

    private String[] firstNonEmpty(String keyType, Principal[] issuers, boolean server) {
        for (String candidate : KeyTypes.candidates(keyType)) {
            String[] aliases = server ? delegate.getServerAliases(candidate, issuers) : delegate.getClientAliases(candidate, issuers);
            if (aliases != null && aliases.length > 0) {
                return aliases;
            }
        }
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return TlsKeys.forTls(delegate.getCertificateChain(alias));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return keyForStack(delegate.getPrivateKey(alias), config);
    }

    /** The key the stack signs with: one that goes to the context's offloader, if it has one. */
    static PrivateKey keyForStack(PrivateKey key, ContextConfig config) {
        KeyOffloader offloader = config.offloader();
        if (key == null || offloader == null) {
            return TlsKeys.forTls(key);
        }
        return new OffloadedPrivateKey(key, offloader);
    }
}
