package dev.asyncjsse.jca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrimitiveChooserTest {

    private static final String AES_GCM = PrimitiveChooser.PROPERTY + ".aesgcm";
    private static final String XDH = PrimitiveChooser.PROPERTY + ".xdh";

    @AfterEach
    void clear() {
        System.clearProperty(AES_GCM);
        System.clearProperty(XDH);
        System.clearProperty(PrimitiveChooser.PROPERTY);
    }

    /**
     * The default: Bouncy Castle for the public-key families, the JDK for records and digests, on
     * every JDK (measured on 17 and 25: see PrimitiveChooser), through the helper the TLS stack uses.
     */
    @Test
    void theTableDecidesEachFamilyWithoutMeasuring() throws Exception {
        assertEquals(PrimitiveChooser.Source.BC, PrimitiveChooser.source(PrimitiveChooser.Family.ECDSA));
        assertEquals(PrimitiveChooser.Source.BC, PrimitiveChooser.source(PrimitiveChooser.Family.XDH));
        assertEquals(PrimitiveChooser.Source.BC, PrimitiveChooser.source(PrimitiveChooser.Family.ECDH));
        assertEquals(PrimitiveChooser.Source.JDK, PrimitiveChooser.source(PrimitiveChooser.Family.AESGCM));
        assertEquals(PrimitiveChooser.Source.JDK, PrimitiveChooser.source(PrimitiveChooser.Family.CHACHA20));
        assertEquals(PrimitiveChooser.Source.JDK, PrimitiveChooser.source(PrimitiveChooser.Family.DIGEST));

        AsyncJcaJceHelper helper = new AsyncJcaJceHelper();
        String bc = CryptoProviders.bouncyCastle().getName();
        assertEquals(bc, helper.createKeyAgreement("X25519").getProvider().getName());
        assertEquals(bc, helper.createKeyPairGenerator("EC").getProvider().getName());
        assertEquals("SunJCE", helper.createCipher("AES/GCM/NoPadding").getProvider().getName());
        assertEquals("SUN", helper.createMessageDigest("SHA-256").getProvider().getName());
        assertEquals(bc, CryptoProviders.preferredSignatureProvider("SHA256withECDSA").getName());
    }

    @Test
    void aPropertyFixesTheImplementationTheHelperHandsOut() throws Exception {
        AsyncJcaJceHelper helper = new AsyncJcaJceHelper();
        String bcName = CryptoProviders.bouncyCastle().getName();

        System.setProperty(AES_GCM, "bc");
        Cipher fromBc = helper.createCipher("AES/GCM/NoPadding");
        assertEquals(bcName, fromBc.getProvider().getName());

        System.setProperty(AES_GCM, "jdk");
        Cipher fromJdk = helper.createCipher("AES/GCM/NoPadding");
        assertNotEquals(bcName, fromJdk.getProvider().getName());

        System.setProperty(XDH, "jdk");
        KeyAgreement agreement = helper.createKeyAgreement("X25519");
        assertNotEquals(bcName, agreement.getProvider().getName());
        assertNotEquals(bcName, helper.createKeyPairGenerator("X25519").getProvider().getName(),
                "a key pair generator and its agreement must come from the same side");
    }

    @Test
    void theGlobalPropertyAppliesToEveryFamilyAndANamedOneWins() {
        System.setProperty(PrimitiveChooser.PROPERTY, "bc");
        System.setProperty(AES_GCM, "jdk");
        assertEquals(PrimitiveChooser.Source.BC, PrimitiveChooser.source(PrimitiveChooser.Family.DIGEST));
        assertEquals(PrimitiveChooser.Source.JDK, PrimitiveChooser.source(PrimitiveChooser.Family.AESGCM));
        System.setProperty(AES_GCM, "auto");
        assertEquals(PrimitiveChooser.Source.BC, PrimitiveChooser.source(PrimitiveChooser.Family.AESGCM),
                "auto for one family defers to the global setting");
    }

    @Test
    void aBadValueIsRejectedWithItsName() {
        System.setProperty(PrimitiveChooser.PROPERTY, "fastest");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrimitiveChooser.source(PrimitiveChooser.Family.DIGEST));
        assertEquals("dev.asyncjsse.crypto must be auto, measure, jdk or bc, not 'fastest'", e.getMessage());
        System.clearProperty(PrimitiveChooser.PROPERTY);
        System.setProperty(AES_GCM, "measure");
        e = assertThrows(IllegalArgumentException.class, () -> PrimitiveChooser.source(PrimitiveChooser.Family.AESGCM));
        assertEquals("dev.asyncjsse.crypto.aesgcm must be auto, jdk or bc, not 'measure'", e.getMessage());
    }

    /**
     * The opt-in measurement decides every family within its budget of about 100 ms of work (an
     * upper bound of its CPU), and leaves the key agreements with Bouncy Castle.
     */
    @Test
    void theOptInMeasurementIsBounded() throws Exception {
        System.setProperty(PrimitiveChooser.PROPERTY, "measure");
        PrimitiveChooser.source(PrimitiveChooser.Family.AESGCM);
        PrimitiveChooser.awaitMeasurement();
        long spentMillis = TimeUnit.NANOSECONDS.toMillis(PrimitiveChooser.measurementCpuNanos());
        // it stops at the budget, past it only by the operation under way (a cold one can take milliseconds)
        assertTrue(spentMillis >= 0 && spentMillis <= PrimitiveMeasurement.BUDGET_MILLIS + 50, spentMillis + " ms");
        assertEquals(PrimitiveChooser.Source.BC, PrimitiveChooser.source(PrimitiveChooser.Family.XDH));
        assertEquals(PrimitiveChooser.Source.BC, PrimitiveChooser.source(PrimitiveChooser.Family.ECDH));
        for (PrimitiveChooser.Family family : PrimitiveChooser.Family.values()) {
            System.out.println("measured choice on Java " + Runtime.version().feature() + " in " + spentMillis + " ms: " + family + " -> "
                    + PrimitiveChooser.source(family) + " (table: " + PrimitiveChooser.staticChoice(family) + ")");
        }
    }

    /** Handshakes with the default setting start no measurement thread (checked in a fresh JVM). */
    @Test
    void handshakesStartNoMeasurementByDefault() throws Exception {
        String output = ContextRandomTest.runHandshakeSideEffects();
        assertTrue(output.contains("HANDSHAKES 60"), output);
        assertTrue(output.contains("MEASUREMENT-STARTED false"), output);
    }
}
