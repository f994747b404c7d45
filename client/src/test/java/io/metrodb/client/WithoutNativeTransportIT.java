package io.metrodb.client;

import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SDK without Netty's native epoll jar (an optional dependency: what an application that does not add it gets):
 * it picks NIO and works, in a JVM given no MetroDB-specific options at all.
 */
class WithoutNativeTransportIT
{
    @TempDir
    Path root;

    @Test
    void shouldServeThroughNioWhenTheNativeTransportIsAbsent() throws Exception
    {
        final String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains("netty-transport-native-epoll"))
            .collect(Collectors.joining(File.pathSeparator));
        assertTrue(System.getProperty("java.class.path").contains("netty-transport-native-epoll"),
            "the test's own class path has the native jar, so removing it means something");
        try (TestCluster cluster = TestCluster.builder(root).logds(3).mapds(3).firstMapdId(1)
            .requestTimeoutMs(10_000).peerTimeoutMs(10_000).awaitPeers(true).start())
        {
            final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", classPath, NioClientMain.class.getName(),
                TestCluster.HOST + ":" + cluster.mapdPorts()[0]));
            final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            final boolean exited = child.waitFor(120, TimeUnit.SECONDS);
            if (!exited)
            {
                child.destroyForcibly().waitFor();
            }
            final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(exited, "the client JVM did not finish: " + output);
            assertEquals(0, child.exitValue(), output);
            assertEquals("transport=nio value=through nio", output, "and nothing else: no warning on start");
        }
    }
}
