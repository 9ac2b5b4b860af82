package dev.asyncjsse.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

class SessionCacheTest {

    private final AtomicLong now = new AtomicLong(1_000_000L);
    /** How often the cache asked any session for its creation time. */
    private final AtomicLong creationTimeReads = new AtomicLong();

    private SSLSession session(int id, long createdAt) {
        byte[] bytes = ByteBuffer.allocate(4).putInt(id).array();
        return (SSLSession) Proxy.newProxyInstance(SSLSession.class.getClassLoader(), new Class<?>[] {SSLSession.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getId":
                            return bytes.clone();
                        case "getCreationTime":
                            creationTimeReads.incrementAndGet();
                            return createdAt;
                        case "isValid":
                            return true;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private static byte[] id(int id) {
        return ByteBuffer.allocate(4).putInt(id).array();
    }

    @Test
    void beyondTheSizeTheLeastRecentlyUsedGoes() {
        SessionCache cache = new SessionCache(now::get);
        cache.setSessionCacheSize(2);
        cache.put(session(1, now.get()));
        cache.put(session(2, now.get()));
        assertNotNull(cache.getSession(id(1)), "a look-up makes 1 the most recently used");
        cache.put(session(3, now.get()));
        assertNull(cache.getSession(id(2)));
        assertNotNull(cache.getSession(id(1)));
        assertNotNull(cache.getSession(id(3)));
        assertEquals(2, cache.ids().size());
    }

    @Test
    void anExpiredSessionIsNeitherReturnedNorListed() {
        SessionCache cache = new SessionCache(now::get);
        cache.setSessionTimeout(10);
        cache.put(session(1, now.get()));
        now.addAndGet(5_000);
        cache.put(session(2, now.get()));
        assertNotNull(cache.getSession(id(1)), "1 is now the most recently used, ahead of nothing expired");
        now.addAndGet(6_000);
        // 1 expired but is behind 2 in use order; 2 has not expired
        List<byte[]> ids = cache.ids();
        assertEquals(1, ids.size());
        assertEquals(2, ByteBuffer.wrap(ids.get(0)).getInt());
        assertNull(cache.getSession(id(1)));
        now.addAndGet(5_000);
        assertNull(cache.getSession(id(2)));
    }

    @Test
    void expiredSessionsAtTheOldEndGoWithTheNextPut() {
        SessionCache cache = new SessionCache(now::get);
        cache.setSessionTimeout(10);
        for (int i = 0; i < 100; i++) {
            cache.put(session(i, now.get()));
        }
        now.addAndGet(10_000);
        cache.put(session(1000, now.get()));
        cache.setSessionTimeout(0);
        List<byte[]> ids = cache.ids();
        assertEquals(1, ids.size(), "the hundred expired sessions went with the put, before the timeout was lifted");
        assertEquals(1000, ByteBuffer.wrap(ids.get(0)).getInt());
    }

    @Test
    void aPutLooksAtAFewSessionsHoweverManyAreKept() {
        SessionCache cache = new SessionCache(now::get);
        for (int i = 0; i < 10_000; i++) {
            cache.put(session(i, now.get()));
        }
        creationTimeReads.set(0);
        for (int i = 10_000; i < 10_100; i++) {
            cache.put(session(i, now.get()));
        }
        assertTrue(creationTimeReads.get() <= 100, "100 puts into 10,000 live sessions read " + creationTimeReads.get() + " creation times");
        assertEquals(10_100, cache.ids().size());
    }
}
