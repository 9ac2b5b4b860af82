package dev.asyncjsse;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API (packages {@code dev.asyncjsse} and {@code dev.asyncjsse.nio}: their public and
 * protected types and members) must match the checked-in listing {@code provider/api/public-api.txt},
 * so that no change to it goes unnoticed. After a deliberate change, rewrite the listing with
 * {@code mvn -pl provider -am test -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false -Dapi.update=true}
 * and review its diff.
 */
class PublicApiTest {

    private static final List<String> PACKAGES = List.of("dev.asyncjsse", "dev.asyncjsse.nio");
    private static final Path LISTING = Paths.get("api", "public-api.txt");

    @Test
    void publicApiMatchesTheListing() throws Exception {
        List<String> current = listing();
        if (Boolean.getBoolean("api.update")) {
            Files.createDirectories(LISTING.getParent());
            Files.write(LISTING, current, StandardCharsets.UTF_8);
            return;
        }
        List<String> recorded = Files.exists(LISTING) ? Files.readAllLines(LISTING, StandardCharsets.UTF_8) : List.of();
        if (!current.equals(recorded)) {
            List<String> added = new ArrayList<>(current);
            added.removeAll(recorded);
            List<String> removed = new ArrayList<>(recorded);
            removed.removeAll(current);
            fail("The public API differs from provider/api/public-api.txt.\n"
                    + "added:\n  " + String.join("\n  ", added) + "\nremoved:\n  " + String.join("\n  ", removed)
                    + "\nIf the change is intended, update the listing with\n"
                    + "  mvn -pl provider -am test -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false -Dapi.update=true\n"
                    + "and commit it with the change.");
        }
    }

    /** One line per public or protected type and member of the API packages, sorted. */
    static List<String> listing() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Paths.get(AsyncJsseProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        TreeSet<String> lines = new TreeSet<>();
        for (String pkg : PACKAGES) {
            Path dir = classes.resolve(pkg.replace('.', '/'));
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                Class<?> type = Class.forName(pkg + "." + name.substring(0, name.length() - ".class".length()), false,
                        PublicApiTest.class.getClassLoader());
                if (visible(type)) {
                    describe(type, lines);
                }
            }
        }
        return new ArrayList<>(lines);
    }

    private static boolean visible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) && !Modifier.isProtected(t.getModifiers())) {
                return false;
            }
        }
        return !type.isSynthetic() && !type.isAnonymousClass();
    }

    private static void describe(Class<?> type, TreeSet<String> lines) {
        String owner = type.getName();
        StringBuilder head = new StringBuilder(owner).append(": ").append(modifiers(type.getModifiers() & ~Modifier.INTERFACE))
                .append(kind(type));
        if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class && !type.isEnum()) {
            head.append(" extends ").append(type.getGenericSuperclass().getTypeName());
        }
        if (type.getGenericInterfaces().length > 0) {
            head.append(" implements ").append(Arrays.stream(type.getGenericInterfaces()).map(Type::getTypeName)
                    .collect(Collectors.joining(", ")));
        }
        lines.add(head.toString());
        for (Field f : type.getDeclaredFields()) {
            if (member(f.getModifiers()) && !f.isSynthetic()) {
                lines.add(owner + ": " + modifiers(f.getModifiers()) + f.getGenericType().getTypeName() + " " + f.getName());
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (member(c.getModifiers()) && !c.isSynthetic()) {
                lines.add(owner + ": " + modifiers(c.getModifiers()) + type.getSimpleName() + signature(c));
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (member(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                lines.add(owner + ": " + modifiers(m.getModifiers()) + m.getGenericReturnType().getTypeName() + " "
                        + m.getName() + signature(m));
            }
        }
    }

    private static boolean member(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String kind(Class<?> type) {
        if (type.isAnnotation()) {
            return "@interface";
        }
        if (type.isInterface()) {
            return "interface";
        }
        return type.isEnum() ? "enum" : "class";
    }

    private static String modifiers(int modifiers) {
        String s = Modifier.toString(modifiers & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL
                | Modifier.ABSTRACT | Modifier.INTERFACE));
        return s.isEmpty() ? "" : s + " ";
    }

    private static String signature(Executable e) {
        String params = Arrays.stream(e.getGenericParameterTypes()).map(Type::getTypeName).collect(Collectors.joining(", "));
        String thrown = Arrays.stream(e.getGenericExceptionTypes()).map(Type::getTypeName).collect(Collectors.joining(", "));
        return "(" + params + ")" + (thrown.isEmpty() ? "" : " throws " + thrown);
    }
}
