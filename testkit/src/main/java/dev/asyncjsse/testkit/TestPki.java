package dev.asyncjsse.testkit;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Makes certificates on the fly: a CA and leaf certificates for EC P-256 and P-384, RSA-2048, RSASSA-PSS and
 * Ed25519 keys, signed with the JDK's own providers and encoded with Bouncy Castle's ASN.1 classes.
 * Used by tests, benchmarks and the demo, so nothing depends on files checked into the repository.
 *
 * <p>Thread-safe: every method builds new objects.
 */
public final class TestPki {

    /** Key kinds a leaf certificate can have. */
    public enum KeyKind { EC_P256, EC_P384, RSA_2048, RSA_PSS_2048, ED25519 }

    /** A private key with its certificate chain, leaf first. */
    public static final class Identity {
        public final PrivateKey key;
        public final X509Certificate[] chain;

        Identity(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        public X509Certificate certificate() {
            return chain[0];
        }
    }

    public static final char[] PASSWORD = "changeit".toCharArray();

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Identity ca;

    private TestPki(Identity ca) {
        this.ca = ca;
    }

    /** A new CA with an EC P-256 key. */
    public static TestPki create(String caName) {
        try {
            KeyPair pair = generate(KeyKind.EC_P256);
            Instant now = Instant.now();
            X509Certificate cert = sign(new X500Name("CN=" + caName), pair, new X500Name("CN=" + caName), pair.getPrivate(),
                    KeyKind.EC_P256, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(3650)), true, List.of(), true);
            return new TestPki(new Identity(pair.getPrivate(), new X509Certificate[] {cert}));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** A leaf valid from an hour ago for a year, for TLS servers and clients, naming {@code dnsNames} in its SAN. */
    public Identity issue(KeyKind kind, String commonName, String... dnsNames) {
        Instant now = Instant.now();
        return issue(kind, commonName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)), dnsNames);
    }

    /** A leaf with an explicit validity, e.g. an expired one. */
    public Identity issue(KeyKind kind, String commonName, Instant notBefore, Instant notAfter, String... dnsNames) {
        try {
            return issue(generate(kind), commonName, notBefore, notAfter, dnsNames);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A leaf for a key pair made by the caller, for keys {@link KeyKind} does not list (another
     * curve, another modulus size); otherwise as {@link #issue(KeyKind, String, String...)}.
     */
    public Identity issue(KeyPair keys, String commonName, String... dnsNames) {
        Instant now = Instant.now();
        return issue(keys, commonName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)), dnsNames);
    }

    private Identity issue(KeyPair keys, String commonName, Instant notBefore, Instant notAfter, String... dnsNames) {
        try {
            X509Certificate cert = sign(new X500Name("CN=" + commonName), keys, new X500Name(ca.certificate().getSubjectX500Principal().getName()),
                    ca.key, KeyKind.EC_P256, notBefore, notAfter, false, List.of(dnsNames), false);
            return new Identity(keys.getPrivate(), new X509Certificate[] {cert, ca.certificate()});
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed leaf, trusted by nobody unless its certificate is added to a trust store. */
    public static Identity selfSigned(KeyKind kind, String commonName, String... dnsNames) {
        try {
            KeyPair pair = generate(kind);
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + commonName);
            X509Certificate cert = sign(name, pair, name, pair.getPrivate(), kind, now.minus(Duration.ofHours(1)),
                    now.plus(Duration.ofDays(365)), false, List.of(dnsNames), false);
            return new Identity(pair.getPrivate(), new X509Certificate[] {cert});
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair generate(KeyKind kind) throws GeneralSecurityException {
        KeyPairGenerator kpg;
        switch (kind) {
            case EC_P256:
                kpg = KeyPairGenerator.getInstance("EC");
                kpg.initialize(new ECGenParameterSpec("secp256r1"));
                break;
            case EC_P384:
                kpg = KeyPairGenerator.getInstance("EC");
                kpg.initialize(new ECGenParameterSpec("secp384r1"));
                break;
            case RSA_2048:
                kpg = KeyPairGenerator.getInstance("RSA");
                kpg.initialize(2048);
                break;
            case RSA_PSS_2048:
                kpg = KeyPairGenerator.getInstance("RSASSA-PSS");
                kpg.initialize(2048);
                break;
            case ED25519:
                kpg = KeyPairGenerator.getInstance("Ed25519");
                break;
            default:
                throw new IllegalArgumentException(kind.toString());
        }
        return kpg.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
                                        KeyKind issuerKind, Instant notBefore, Instant notAfter, boolean isCa,
                                        List<String> dnsNames, boolean selfIssuedCa) throws GeneralSecurityException {
        try {
            AlgorithmIdentifier sigAlg = signatureAlgorithm(issuerKind);
            V3TBSCertificateGenerator tbs = new V3TBSCertificateGenerator();
            tbs.setSerialNumber(new ASN1Integer(BigInteger.valueOf(SERIAL.incrementAndGet())));
            tbs.setSignature(sigAlg);
            tbs.setIssuer(issuer);
            tbs.setSubject(subject);
            tbs.setStartDate(new Time(Date.from(notBefore)));
            tbs.setEndDate(new Time(Date.from(notAfter)));
            tbs.setSubjectPublicKeyInfo(SubjectPublicKeyInfo.getInstance(subjectKeys.getPublic().getEncoded()));
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                ext.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                int usage = KeyUsage.digitalSignature;
                if (subjectKeys.getPublic().getAlgorithm().equals("RSA")) {
                    usage |= KeyUsage.keyEncipherment;
                }
                ext.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
                ext.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                if (!dnsNames.isEmpty()) {
                    List<GeneralName> names = new ArrayList<>();
                    for (String dns : dnsNames) {
                        names.add(dns.matches("[0-9.]+") ? new GeneralName(GeneralName.iPAddress, dns) : new GeneralName(GeneralName.dNSName, dns));
                    }
                    ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
                }
            }
            Extensions extensions = ext.generate();
            tbs.setExtensions(extensions);
            TBSCertificate tbsCert = tbs.generateTBSCertificate();

            Signature signer = Signature.getInstance(jcaSignatureName(issuerKind));
            if (issuerKind == KeyKind.RSA_PSS_2048) {
                signer.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(issuerKey);
            signer.update(tbsCert.getEncoded());
            byte[] signature = signer.sign();

            ASN1EncodableVector v = new ASN1EncodableVector();
            v.add(tbsCert);
            v.add(sigAlg);
            v.add(new DERBitString(signature));
            byte[] der = new DERSequence(v).getEncoded();
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot encode certificate", e);
        }
    }

    private static AlgorithmIdentifier signatureAlgorithm(KeyKind kind) {
        switch (kind) {
            case EC_P256:
                return new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
            case EC_P384:
                return new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA384);
            case RSA_2048:
                return new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE);
            case RSA_PSS_2048:
                AlgorithmIdentifier sha256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
                return new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, new RSASSAPSSparams(sha256,
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha256), new ASN1Integer(32), new ASN1Integer(1)));
            case ED25519:
                return new AlgorithmIdentifier(new ASN1ObjectIdentifier("1.3.101.112"));
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    private static String jcaSignatureName(KeyKind kind) {
        switch (kind) {
            case EC_P256:
                return "SHA256withECDSA";
            case EC_P384:
                return "SHA384withECDSA";
            case RSA_2048:
                return "SHA256withRSA";
            case RSA_PSS_2048:
                return "RSASSA-PSS";
            case ED25519:
                return "Ed25519";
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    // ------------------------------------------------------------------ key and trust stores

    /** A PKCS12 key store holding {@code identities} under the aliases {@code key0}, {@code key1}, ... */
    public static KeyStore keyStore(Identity... identities) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < identities.length; i++) {
                ks.setKeyEntry("key" + i, identities[i].key, PASSWORD, identities[i].chain);
            }
            return ks;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Key managers of SunJSSE's factory {@code algorithm} ({@code PKIX}, {@code NewSunX509} or {@code SunX509}). */
    public static KeyManager[] keyManagers(String algorithm, Identity... identities) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(algorithm, "SunJSSE");
            kmf.init(keyStore(identities), PASSWORD);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyManager[] keyManagers(Identity... identities) {
        return keyManagers("PKIX", identities);
    }

    /** SunJSSE PKIX trust managers trusting {@code anchors}. */
    public static TrustManager[] trustManagers(X509Certificate... anchors) {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            for (int i = 0; i < anchors.length; i++) {
                ts.setCertificateEntry("ca" + i, anchors[i]);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX", "SunJSSE");
            tmf.init(ts);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trust managers trusting this CA. */
    public TrustManager[] trustManagers() {
        return trustManagers(ca.certificate());
    }

}
