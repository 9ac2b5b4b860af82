package dev.asyncjsse.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionBindingEvent;
import javax.net.ssl.SSLSessionBindingListener;
import org.junit.jupiter.api.Test;

/** The session-value rules of the {@code SSLSession} contract, as every provider-made session keeps them. */
class SessionValuesTest {

    private final SSLSession session = new NullSession("peer.example", 443, 16709, 16704);
    private final List<String> events = new ArrayList<>();

    private final class Listener implements SSLSessionBindingListener {
        private final String label;

        Listener(String label) {
            this.label = label;
        }

        @Override
        public void valueBound(SSLSessionBindingEvent event) {
            record("bound", event);
        }

        @Override
        public void valueUnbound(SSLSessionBindingEvent event) {
            record("unbound", event);
        }

        private void record(String what, SSLSessionBindingEvent event) {
            assertSame(session, event.getSession(), "the event names the session the value is bound to");
            events.add(what + " " + label + " as " + event.getName());
        }
    }

    @Test
    void listenersHearTheirBindingReplacementAndRemoval() {
        Listener first = new Listener("first");
        Listener second = new Listener("second");

        session.putValue("k", first);
        session.putValue("k", second);
        assertSame(second, session.getValue("k"));
        session.removeValue("k");
        session.removeValue("k");

        assertEquals(List.of("bound first as k", "unbound first as k", "bound second as k", "unbound second as k"), events);
        assertNull(session.getValue("k"));
        assertArrayEquals(new String[0], session.getValueNames());
    }

    @Test
    void nullNamesAndValuesAreRefusedAsTheContractSays() {
        assertThrows(IllegalArgumentException.class, () -> session.putValue(null, "v"));
        assertThrows(IllegalArgumentException.class, () -> session.putValue("k", null));
        assertThrows(IllegalArgumentException.class, () -> session.getValue(null));
        assertThrows(IllegalArgumentException.class, () -> session.removeValue(null));
    }
}
