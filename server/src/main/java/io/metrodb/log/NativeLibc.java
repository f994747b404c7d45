package io.metrodb.log;

import java.util.Locale;

/**
 * Chooses the {@link Libc} binding for the running JVM, once:
 * <ul>
 *     <li>Java 22 and later: the final {@code java.lang.foreign} API ({@link ForeignLibc}), errno captured by the
 *     linker. The JVM should run with {@code --enable-native-access=ALL-UNNAMED} (or the server jar's manifest
 *     attribute) to keep it from printing a warning.</li>
 *     <li>Java 17: the incubating {@code jdk.incubator.foreign} API ({@link IncubatorLibc}), when the JVM runs with
 *     {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED}.</li>
 *     <li>Java 18 to 21: none. Their foreign APIs are incubating or preview, each with another shape; logd writes
 *     zeros to allocate segments, and runs without write-behind and without dropping mappings before forces.</li>
 * </ul>
 * {@code -Dmetrodb.native=false} turns the native calls off on any JVM.
 */
final class NativeLibc
{
    private static final String MODULE_17 = "jdk.incubator.foreign";
    private static final Libc LIBC;
    private static final String DESCRIPTION;

    static
    {
        Libc libc = null;
        String description;
        final int feature = Runtime.version().feature();
        if (!Boolean.parseBoolean(System.getProperty("metrodb.native", "true")))
        {
            description = "off (-Dmetrodb.native=false)";
        }
        else if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"))
        {
            description = "none: not Linux";
        }
        else if (feature >= 22 || (feature == 17 && ModuleLayer.boot().findModule(MODULE_17).isPresent()))
        {
            try
            {
                libc = feature >= 22 ? ForeignLibc.bind() : new IncubatorLibc();
                description = feature >= 22 ? "java.lang.foreign" : MODULE_17;
            }
            catch (final Throwable unavailable)
            {
                description = "none: " + unavailable;
            }
        }
        else if (feature == 17)
        {
            description = "none: Java 17 without --add-modules " + MODULE_17;
        }
        else
        {
            description = "none: Java " + feature + " has no final foreign function API (22+) and is not 17";
        }
        LIBC = libc;
        DESCRIPTION = description;
    }

    private NativeLibc()
    {
    }

    /**
     * @return the binding, or null when this JVM has none.
     */
    static Libc get()
    {
        return LIBC;
    }

    /**
     * @return which API the native calls go through, or why there are none.
     */
    static String description()
    {
        return DESCRIPTION;
    }
}
