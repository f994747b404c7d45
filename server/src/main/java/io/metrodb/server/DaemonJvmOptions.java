package io.metrodb.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The JVM options a MetroDB daemon needs on the running Java, for whatever starts one in a child JVM (tests,
 * benchmarks); {@code bin/metrodb} chooses the same ones in shell.
 * <ul>
 *     <li>{@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}: Agrona 2.x reaches
 *     {@code jdk.internal.misc.Unsafe}.</li>
 *     <li>{@code --enable-native-access=ALL-UNNAMED}: logd's native calls, without a warning on Java 22+.</li>
 *     <li>On Java 17 only, {@code --add-modules jdk.incubator.foreign}: that Java's foreign linker. Later Javas do
 *     not have the module and refuse to start with it.</li>
 * </ul>
 */
public final class DaemonJvmOptions
{
    private DaemonJvmOptions()
    {
    }

    /**
     * @return the options for a JVM of the same version as this one.
     */
    public static List<String> forRunningJvm()
    {
        return forFeatureVersion(Runtime.version().feature());
    }

    /**
     * @param feature the Java feature version (17, 21, 25, ...).
     * @return the options for a JVM of that version.
     */
    public static List<String> forFeatureVersion(final int feature)
    {
        final List<String> options = new ArrayList<>();
        options.add("--add-exports");
        options.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        if (feature == 17)
        {
            options.add("--add-modules");
            options.add("jdk.incubator.foreign");
        }
        options.add("--enable-native-access=ALL-UNNAMED");
        return Collections.unmodifiableList(options);
    }
}
