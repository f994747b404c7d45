package io.metrodb.server;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM options per Java version, and bin/java-env.sh (what bin/metrodb and the bench scripts use) choosing the
 * same ones for the Java it finds through JAVA_HOME.
 */
class DaemonJvmOptionsTest
{
    @Test
    void shouldAddTheIncubatorModuleOnJava17Only()
    {
        assertTrue(DaemonJvmOptions.forFeatureVersion(17).contains("jdk.incubator.foreign"));
        for (final int feature : new int[] {18, 21, 22, 25, 26})
        {
            final List<String> options = DaemonJvmOptions.forFeatureVersion(feature);
            assertFalse(options.contains("--add-modules"), "Java " + feature + " has no jdk.incubator.foreign: " + options);
            assertTrue(options.contains("--enable-native-access=ALL-UNNAMED"), options.toString());
            assertTrue(options.contains("java.base/jdk.internal.misc=ALL-UNNAMED"), "Agrona: " + options);
        }
    }

    @Test
    void shouldChooseTheSameOptionsInTheLauncherScript() throws Exception
    {
        final Path script = Path.of("..", "bin", "java-env.sh").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(script), script.toString());
        final ProcessBuilder builder = new ProcessBuilder("bash", "-c",
            "source \"$1\" && echo \"$METRODB_JAVA_FEATURE\" && echo \"${METRODB_JAVA_FLAGS[*]}\"", "bash", script.toString())
            .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "bin/java-env.sh did not finish");
        final String[] lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split("\n");
        assertEquals(0, process.exitValue(), Arrays.toString(lines));
        assertEquals(Integer.toString(Runtime.version().feature()), lines[0], "the Java version the script read");
        assertEquals(String.join(" ", DaemonJvmOptions.forRunningJvm()), lines[1]);
    }
}
