package io.metrodb.cli;

import io.metrodb.mapd.MapdClient;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.server.DaemonJvmOptions;
import io.metrodb.testing.ChildJvm;
import io.metrodb.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code metrodb host logd ... + mapd ...}: a logd and a mapd in one JVM serve a SETSAFE and a GET as two JVMs
 * would, and SIGTERM stops both (the mapd first) and the JVM.
 */
class HostCommandIT
{
    private static final Pattern MAPD_LISTENING = Pattern.compile("mapd \\d+ listening on");
    private static final Pattern STOPPED = Pattern.compile("host stopped");

    @TempDir
    Path dir;

    @Test
    void shouldRunALogdAndAMapdInOneJvmAndStopBothOnSigterm() throws Exception
    {
        final ChildJvm host = Ports.retryOnBindFailure(() ->
        {
            final int[] ports = Ports.unused(2);
            final ChildJvm jvm = ChildJvm.start("host", dir, jvmOptions(), "io.metrodb.cli.Main",
                "host",
                "logd", "--dir", dir.resolve("logd").toString(), "--port", Integer.toString(ports[0]),
                "--segment-size", "1m",
                "+",
                "mapd", "--dir", dir.resolve("mapd").toString(), "--port", Integer.toString(ports[1]),
                "--logds", "127.0.0.1:" + ports[0], "--rf", "1");
            try
            {
                jvm.awaitOutput(MAPD_LISTENING, ChildJvm.START_TIMEOUT_MS);
                return jvm;
            }
            catch (final Exception e)
            {
                final String output = jvm.output();
                jvm.close();
                throw output.contains("Address already in use") ? new java.net.BindException(output) : e;
            }
        });
        try
        {
            final String output = host.output();
            assertTrue(output.contains("logd ") && output.indexOf("logd ") < output.indexOf("mapd "),
                "the logd starts first: " + output);
            final int mapdPort = mapdPort(output);
            final byte[] value = "in one jvm".getBytes(StandardCharsets.UTF_8);
            try (MapdClient client = new MapdClient(mapdPort))
            {
                assertEquals(StatusCodes.OK, client.setSafe("host-key", value).status(), host.output());
                final MapdClient.Reply read = client.get("host-key");
                assertEquals(StatusCodes.OK, read.status(), host.output());
                assertArrayEquals(value, read.value());
            }
            final int exit = host.stop();
            assertTrue(exit == 0 || exit == 143, "exit " + exit + ": " + host.output());
            final String stopped = host.output();
            assertTrue(STOPPED.matcher(stopped).find(), stopped);
            assertTrue(Files.isRegularFile(dir.resolve("logd").resolve("node.id")), stopped);
        }
        finally
        {
            host.close();
        }
    }

    private static int mapdPort(final String output)
    {
        final java.util.regex.Matcher matcher =
            Pattern.compile("mapd \\d+ listening on [^:\\s]+:(\\d+)").matcher(output);
        assertTrue(matcher.find(), output);
        return Integer.parseInt(matcher.group(1));
    }

    private static List<String> jvmOptions()
    {
        final List<String> options = new ArrayList<>(DaemonJvmOptions.forRunningJvm());
        options.add("-Xmx256m");
        return options;
    }
}
