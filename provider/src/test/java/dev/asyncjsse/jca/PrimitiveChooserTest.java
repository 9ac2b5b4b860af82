package dev.asyncjsse.jca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
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

        System.setProperty(XDH, "bc");
        KeyAgreement agreement = helper.createKeyAgreement("X25519");
        assertEquals(bcName, agreement.getProvider().getName());
        assertEquals(bcName, helper.createKeyPairGenerator("X25519").getProvider().getName(),
                "a key pair generator and its agreement must come from the same side");
    }

    @Test
    void theGlobalPropertyAppliesToEveryFamilyAndANamedOneWins() {
        System.setProperty(PrimitiveChooser.PROPERTY, "bc");
        System.setProperty(AES_GCM, "jdk");
        assertEquals(PrimitiveChooser.Source.BC, PrimitiveChooser.source(PrimitiveChooser.Family.ECDSA));
        assertEquals(PrimitiveChooser.Source.JDK, PrimitiveChooser.source(PrimitiveChooser.Family.AESGCM));
    }

    @Test
    void aBadValueIsRejectedWithItsName() {
        System.setProperty(PrimitiveChooser.PROPERTY, "fastest");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrimitiveChooser.source(PrimitiveChooser.Family.DIGEST));
        assertEquals("dev.asyncjsse.crypto must be auto, jdk or bc, not 'fastest'", e.getMessage());
    }

    @Test
    void measurementSettlesOnOneSideForEveryFamily() throws InterruptedException {
        PrimitiveChooser.awaitMeasurement();
        for (PrimitiveChooser.Family family : PrimitiveChooser.Family.values()) {
            PrimitiveChooser.Source chosen = PrimitiveChooser.source(family);
            assertEquals(chosen, PrimitiveChooser.source(family), family + " must not change once chosen");
            System.out.println("measured choice on Java " + Runtime.version().feature() + ": " + family + " -> " + chosen);
        }
    }

    /**
     * With AES instructions the JDK's AES-GCM is over ten times Bouncy Castle's once compiled, but
     * slower before the JIT has compiled its intrinsic: a measurement that stops too early picks Bouncy
     * Castle and costs every connection most of its bulk throughput.
     */
    @Test
    void measurementWaitsForTheJitBeforeJudgingAesGcm() throws InterruptedException {
        assumeTrue(aesIntrinsicsEnabled(), "this JVM does not use AES instructions");
        PrimitiveChooser.awaitMeasurement();
        assertEquals(PrimitiveChooser.Source.JDK, PrimitiveChooser.source(PrimitiveChooser.Family.AESGCM));
    }

    private static boolean aesIntrinsicsEnabled() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        try {
            return vm != null && Boolean.parseBoolean(vm.getVMOption("UseAES").getValue());
        } catch (IllegalArgumentException noSuchOption) {
            return false;
        }
    }
}
