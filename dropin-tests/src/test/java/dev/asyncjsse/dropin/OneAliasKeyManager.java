package dev.asyncjsse.dropin;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/** Offers one alias of a key store to a server, for the key types that alias's key can serve. */
final class OneAliasKeyManager extends X509ExtendedKeyManager {

    private final X509ExtendedKeyManager delegate;
    private final String alias;
    private final String keyAlgorithm;

    OneAliasKeyManager(X509ExtendedKeyManager delegate, String alias) {
        this.delegate = delegate;
        this.alias = alias;
        this.keyAlgorithm = delegate.getCertificateChain(alias)[0].getPublicKey().getAlgorithm().toUpperCase(Locale.ROOT);
    }

    private boolean fits(String keyType) {
        String t = keyType.toUpperCase(Locale.ROOT);
        if (keyAlgorithm.equals("EC")) {
            return t.equals("EC") || t.endsWith("ECDSA") || t.endsWith("_EC");
        }
        return t.equals("RSA") || t.endsWith("_RSA");
    }

    private String choose(String keyType) {
        return keyType != null && fits(keyType) ? alias : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return choose(keyType) == null ? null : new String[] {alias};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String a) {
        return delegate.getCertificateChain(a);
    }

    @Override
    public PrivateKey getPrivateKey(String a) {
        return delegate.getPrivateKey(a);
    }
}
