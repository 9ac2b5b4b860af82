package dev.asyncjsse.dropin;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.net.ssl.SSLContext;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * Child JVM: embedded Tomcat 11 with its JSSE implementation, configured as any Tomcat HTTPS
 * connector is (key store file and password). AsyncJSSE comes in only through the java.security
 * override, offload only through system properties. Arguments: key store path ({@code NONE} for a
 * token), password, base dir, optionally the key store type (default PKCS12) and the key alias.
 */
public final class TomcatMain {

    public static void main(String[] args) throws Exception {
        Path base = Files.createDirectories(Paths.get(args[2]));
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());

        Connector connector = new Connector("org.apache.coyote.http11.Http11NioProtocol");
        connector.setPort(0);
        connector.setScheme("https");
        connector.setSecure(true);
        connector.setProperty("SSLEnabled", "true");
        SSLHostConfig host = new SSLHostConfig();
        host.setProtocols("TLSv1.2+TLSv1.3");
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
        certificate.setCertificateKeystoreFile(args[0]);
        certificate.setCertificateKeystorePassword(args[1]);
        certificate.setCertificateKeystoreType(args.length > 3 ? args[3] : "PKCS12");
        if (args.length > 4) {
            certificate.setCertificateKeyAlias(args[4]);
        }
        host.addCertificate(certificate);
        connector.addSslHostConfig(host);
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);

        Context context = tomcat.addContext("", base.toString());
        Wrapper servlet = Tomcat.addServlet(context, "hello", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                Object protocol = req.getAttribute("jakarta.servlet.request.secure_protocol");
                resp.setContentType("text/plain");
                resp.getWriter().print("hello " + protocol);
            }
        });
        servlet.addMapping("/*");
        tomcat.start();

        System.out.println("TLS-PROVIDER " + SSLContext.getInstance("TLS").getProvider().getName());
        System.out.println("SSL-IMPLEMENTATION " + connector.getProtocolHandler().getClass().getSimpleName() + " "
                + connector.getProperty("sslImplementationName"));
        System.out.println("PORT " + connector.getLocalPort());
        ChildJvm.awaitParent();
        System.out.println("OFFLOAD-THREADS " + ChildJvm.offloadThreads());
        tomcat.stop();
        tomcat.destroy();
        System.exit(0);
    }
}
