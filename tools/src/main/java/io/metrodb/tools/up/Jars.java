package io.metrodb.tools.up;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where the jars of this checkout are: the tools jar this code runs from, and the server jar next to it
 * ({@code server/target/metrodb-server.jar}), found from {@code -Dmetrodb.home} (set by {@code bin/metrodb}),
 * {@code $METRODB_HOME}, or the location of this code.
 */
final class Jars
{
    static final String SERVER_JAR = "server/target/metrodb-server.jar";

    private Jars()
    {
    }

    /**
     * @return true when {@code className} can be loaded here.
     */
    static boolean hasClass(final String className)
    {
        try
        {
            Class.forName(className, false, Jars.class.getClassLoader());
            return true;
        }
        catch (final ClassNotFoundException | LinkageError e)
        {
            return false;
        }
    }

    /**
     * @return the server jar of this checkout, or null when there is none.
     */
    static Path serverJar()
    {
        final Path home = home();
        if (home == null)
        {
            return null;
        }
        final Path jar = home.resolve(SERVER_JAR);
        return Files.isRegularFile(jar) ? jar : null;
    }

    /**
     * @return the jar this code runs from, or null when it runs from a directory of classes.
     */
    static Path toolsJar()
    {
        final Path self = codeLocation();
        return self != null && Files.isRegularFile(self) && self.toString().endsWith(".jar") ? self : null;
    }

    private static Path home()
    {
        final String property = System.getProperty("metrodb.home", System.getenv("METRODB_HOME"));
        if (property != null && !property.isBlank())
        {
            return Path.of(property);
        }
        final Path self = codeLocation();
        // tools/target/metrodb-tools.jar or tools/target/classes: the checkout is three levels up.
        if (self != null && self.getNameCount() >= 3 && self.getParent().getFileName().toString().equals("target") &&
            self.getParent().getParent().getFileName().toString().equals("tools"))
        {
            return self.getParent().getParent().getParent();
        }
        return null;
    }

    private static Path codeLocation()
    {
        final CodeSource source = Jars.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null)
        {
            return null;
        }
        try
        {
            return Path.of(source.getLocation().toURI()).toAbsolutePath();
        }
        catch (final URISyntaxException | IllegalArgumentException e)
        {
            return null;
        }
    }
}
