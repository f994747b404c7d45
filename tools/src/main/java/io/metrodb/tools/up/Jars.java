package io.metrodb.tools.up;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where the server jar is, next to the tools jar this code runs from: in a checkout
 * ({@code server/target/metrodb-server.jar}) or an installed tree ({@code lib/metrodb-server.jar}, as the tarball and
 * the Debian package lay it out), found from {@code -Dmetrodb.home} (set by {@code bin/metrodb}),
 * {@code $METRODB_HOME}, or the location of this code.
 */
public final class Jars
{
    static final String SERVER_JAR = "server/target/metrodb-server.jar";
    static final String INSTALLED_SERVER_JAR = "lib/metrodb-server.jar";

    private Jars()
    {
    }

    /**
     * @return true when {@code className} can be loaded here.
     */
    public static boolean hasClass(final String className)
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
     * @return the server jar of this checkout or installed tree, or null when there is none.
     */
    public static Path serverJar()
    {
        final Path home = home();
        if (home == null)
        {
            return null;
        }
        for (final String candidate : new String[] {SERVER_JAR, INSTALLED_SERVER_JAR})
        {
            final Path jar = home.resolve(candidate);
            if (Files.isRegularFile(jar))
            {
                return jar;
            }
        }
        return null;
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
        // lib/metrodb-tools.jar of an installed tree: its root is two levels up.
        if (self != null && self.getNameCount() >= 2 && self.getParent().getFileName().toString().equals("lib"))
        {
            return self.getParent().getParent();
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
