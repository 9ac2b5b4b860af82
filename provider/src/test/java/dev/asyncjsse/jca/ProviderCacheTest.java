package dev.asyncjsse.jca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ProviderCacheTest {

    private static byte[] hmac(Mac mac, String key, String data) throws Exception {
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), mac.getAlgorithm()));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void macsFromTheCacheAreFreshAndIndependent() throws Exception {
        Mac reference = Mac.getInstance("HmacSHA256");
        for (int i = 0; i < 3; i++) {
            Mac a = ProviderCache.mac("HmacSHA256");
            Mac b = ProviderCache.mac("HmacSHA256");
            assertNotSame(a, b);
            a.init(new SecretKeySpec(new byte[] {1, 2, 3}, "HmacSHA256"));
            a.update((byte) 7);
            // b never saw a's key or input
            assertArrayEquals(hmac(Mac.getInstance("HmacSHA256"), "k" + i, "data"), hmac(b, "k" + i, "data"));
            assertFalse(Arrays.equals(hmac(reference, "k" + i, "data"), a.doFinal()));
        }
        assertArrayEquals(hmac(Mac.getInstance("HmacSHA384"), "k", "d"), hmac(ProviderCache.mac("HmacSHA384"), "k", "d"));
    }

    @Test
    void anUnknownMacIsRefusedEveryTime() {
        assertThrows(NoSuchAlgorithmException.class, () -> ProviderCache.mac("HmacNoSuchHash"));
        assertThrows(NoSuchAlgorithmException.class, () -> ProviderCache.mac("HmacNoSuchHash"));
    }
}
