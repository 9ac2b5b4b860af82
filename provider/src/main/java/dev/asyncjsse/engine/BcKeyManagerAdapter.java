package dev.asyncjsse.engine;

import dev.asyncjsse.jca.TlsKeys;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.jsse.BCX509ExtendedKeyManager;
import org.bouncycastle.jsse.BCX509Key;

/**
 * Wraps one of BCJSSE's own key managers ({@code KeyManagerFactory.getInstance("PKIX", bcjsse)}) so
 * that Bouncy Castle keeps treating it as its own.
 *
 * <p>Handed {@link KeyManagerAdapter}, BCJSSE would import the manager as a foreign one and validate
 * the chosen key and chain again on every handshake, although its own manager already did: about 8%
 * of a TLS 1.3 server handshake. This adapter passes the key-selection calls straight to the
 * delegate, with the inner engine (the delegate is Bouncy Castle's code, not the application's, and
 * reads the connection's parameters from it), and only swaps the chosen key for the one AsyncJSSE's
 * stack uses: an {@link dev.asyncjsse.jca.OffloadedPrivateKey} when the context has an offloader. A
 * TLS 1.2 server key on a curve the client did not offer is passed over for another
 * ({@link ClientCurves}), which Bouncy Castle's manager does not do itself.
 * Only BCJSSE's own classes get this; an application subclass of {@link BCX509ExtendedKeyManager}
 * gets {@link KeyManagerAdapter}, so application code always sees the {@code AsyncSSLEngine}.
 *
 * <p>Internal. As thread-safe as the wrapped key manager.
 */
final class BcKeyManagerAdapter extends BCX509ExtendedKeyManager {

    private final BCX509ExtendedKeyManager delegate;
    private final ContextConfig config;

    private BcKeyManagerAdapter(BCX509ExtendedKeyManager delegate, ContextConfig config) {
        this.delegate = delegate;
        this.config = config;
    }

    /** The adapter for {@code km} if it is one of BCJSSE's own key managers, otherwise null. */
    static BcKeyManagerAdapter forBcjsseManager(Object km, ContextConfig config) {
        if (km instanceof BCX509ExtendedKeyManager
                && km.getClass().getName().startsWith("org.bouncycastle.jsse.provider.")) {
            return new BcKeyManagerAdapter((BCX509ExtendedKeyManager) km, config);
        }
        return null;
    }

    @Override
    public BCX509Key chooseEngineServerKeyBC(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return usableServerKey(keyTypes, issuers, engine, types -> delegate.chooseEngineServerKeyBC(types, issuers, engine));
    }

    @Override
    public BCX509Key chooseEngineClientKeyBC(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return forStack(delegate.chooseEngineClientKeyBC(keyTypes, issuers, engine));
    }

    @Override
    public BCX509Key chooseServerKeyBC(String[] keyTypes, Principal[] issuers, Socket socket) {
        return usableServerKey(keyTypes, issuers, socket, types -> delegate.chooseServerKeyBC(types, issuers, socket));
    }

    @Override
    public BCX509Key chooseClientKeyBC(String[] keyTypes, Principal[] issuers, Socket socket) {
        return forStack(delegate.chooseClientKeyBC(keyTypes, issuers, socket));
    }

    /**
     * The delegate's choice among {@code keyTypes} if the client can use it; otherwise another key of
     * the same type it can use, or the delegate's choice among the remaining key types.
     */
    private BCX509Key usableServerKey(String[] keyTypes, Principal[] issuers, Object connection,
                                      Function<String[], BCX509Key> choose) {
        String[] remaining = keyTypes;
        while (remaining != null && remaining.length > 0) {
            BCX509Key chosen = choose.apply(remaining);
            ClientCurves curves = chosen == null ? null : ClientCurves.forServerKeyType(chosen.getKeyType(), connection);
            if (curves == null || curves.permits(chosen.getCertificateChain())) {
                return forStack(chosen);
            }
            String keyType = chosen.getKeyType();
            String alias = curves.firstPermitted(delegate.getServerAliases(keyType, issuers), delegate::getCertificateChain);
            if (alias != null) {
                return getKeyBC(keyType, alias);
            }
            String[] others = Arrays.stream(remaining).filter(t -> !keyType.equals(t)).toArray(String[]::new);
            if (others.length == remaining.length) {
                return null;
            }
            remaining = others;
        }
        return null;
    }

    @Override
    protected BCX509Key getKeyBC(String keyType, String alias) {
        X509Certificate[] chain = getCertificateChain(alias);
        PrivateKey key = getPrivateKey(alias);
        return chain == null || chain.length == 0 || key == null ? null : new StackKey(keyType, chain, key);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return delegate.chooseEngineClientAlias(keyTypes, issuers, engine);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return delegate.chooseClientAlias(keyTypes, issuers, socket);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return TlsKeys.forTls(delegate.getCertificateChain(alias));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return KeyManagerAdapter.keyForStack(delegate.getPrivateKey(alias), config);
    }

    private BCX509Key forStack(BCX509Key chosen) {
        if (chosen == null) {
            return null;
        }
        return new StackKey(chosen.getKeyType(), TlsKeys.forTls(chosen.getCertificateChain()),
                KeyManagerAdapter.keyForStack(chosen.getPrivateKey(), config));
    }

    /** A chosen key as AsyncJSSE's stack uses it. */
    private static final class StackKey implements BCX509Key {
        private final String keyType;
        private final X509Certificate[] chain;
        private final PrivateKey key;

        StackKey(String keyType, X509Certificate[] chain, PrivateKey key) {
            this.keyType = keyType;
            this.chain = chain;
            this.key = key;
        }

        @Override
        public X509Certificate[] getCertificateChain() {
            return chain.clone();
        }

        @Override
        public String getKeyType() {
            return keyType;
        }

        @Override
        public PrivateKey getPrivateKey() {
            return key;
        }
    }
}
