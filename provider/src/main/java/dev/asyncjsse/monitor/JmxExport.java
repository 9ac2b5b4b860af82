package dev.asyncjsse.monitor;

import java.lang.management.ManagementFactory;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.AttributeList;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.StandardMBean;

/**
 * Puts a {@link ContextMonitor} into the platform MBean server as
 * {@code dev.asyncjsse:type=Offload,name=NAME} and takes it out again once the context's
 * configuration (the owner) has been garbage collected, so that the server never keeps a dead
 * context alive. A second context with the same name gets {@code NAME-2}, {@code NAME-3}, ...
 *
 * <p>No thread watches for collected owners: the MBeans of collected contexts are removed when the
 * next context registers, and whenever an attribute of any AsyncJSSE MBean is read (a scraper's or
 * JConsole's next poll). Loaded only when the runtime has {@code java.management}. Internal.
 * Thread-safe.
 */
final class JmxExport {

    static final String DOMAIN = "dev.asyncjsse";
    private static final System.Logger LOG = System.getLogger(JmxExport.class.getName());
    private static final ReferenceQueue<Object> COLLECTED = new ReferenceQueue<>();
    /** Keeps the registrations themselves reachable until their owner is collected. */
    private static final Set<Registration> LIVE = ConcurrentHashMap.newKeySet();

    private JmxExport() {}

    /** Where a monitor is registered now. Refers to the monitor's view, never to the owner. */
    static final class Registration extends PhantomReference<Object> {
        private final View view;
        private ObjectName current;

        Registration(Object owner, View view) {
            super(owner, COLLECTED);
            this.view = view;
        }

        /** Registers the view under the monitor's name, or the first free variant of it. */
        synchronized void rename(ContextMonitor monitor) {
            unregister();
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            String base = monitor.getName();
            for (int attempt = 1; attempt < 1000; attempt++) {
                try {
                    ObjectName name = objectName(attempt == 1 ? base : base + "-" + attempt);
                    server.registerMBean(view, name);
                    current = name;
                    return;
                } catch (InstanceAlreadyExistsException e) {
                    // try the next variant of the name
                } catch (JMException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "AsyncJSSE could not register its MBean for context " + base + ": " + e);
                    return;
                }
            }
        }

        synchronized void unregister() {
            if (current == null) {
                return;
            }
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(current);
            } catch (InstanceNotFoundException e) {
                // someone else removed it
            } catch (JMException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "AsyncJSSE could not unregister " + current + ": " + e);
            }
            current = null;
        }
    }

    /** The registered object: the monitor's attributes, and a sweep of collected contexts on each read. */
    static final class View extends StandardMBean {
        View(ContextMonitor monitor) throws NotCompliantMBeanException {
            super(monitor, OffloadMXBean.class, true);
        }

        @Override
        public Object getAttribute(String attribute) throws javax.management.AttributeNotFoundException, MBeanException,
                ReflectionException {
            expunge();
            return super.getAttribute(attribute);
        }

        @Override
        public AttributeList getAttributes(String[] attributes) {
            expunge();
            return super.getAttributes(attributes);
        }
    }

    static Registration register(ContextMonitor monitor, Object owner) {
        expunge();
        View view;
        try {
            view = new View(monitor);
        } catch (NotCompliantMBeanException e) {
            throw new IllegalStateException("OffloadMXBean is not a valid MXBean interface", e);
        }
        Registration registration = new Registration(owner, view);
        LIVE.add(registration);
        registration.rename(monitor);
        return registration;
    }

    /** Unregisters the MBeans of contexts that have been collected. */
    static void expunge() {
        Reference<?> collected;
        while ((collected = COLLECTED.poll()) != null) {
            Registration registration = (Registration) collected;
            registration.unregister();
            LIVE.remove(registration);
        }
    }

    static ObjectName objectName(String name) throws JMException {
        boolean plain = name.chars().noneMatch(c -> ",=:\"*?\\\n".indexOf(c) >= 0);
        return new ObjectName(DOMAIN + ":type=Offload,name=" + (plain ? name : ObjectName.quote(name)));
    }
}
