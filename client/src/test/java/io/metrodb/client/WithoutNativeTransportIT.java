package io.metrodb.client;

import io.metrodb.testing.ChildJvm;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
            try (ChildJvm child = ChildJvm.start("nio-client", root, classPath, List.of("-Xmx64m"),
                NioClientMain.class.getName(), TestCluster.HOST + ":" + cluster.mapdPorts()[0]))
            {
                final int exit = child.awaitExit(120_000);
                final String output = child.output().trim();
                assertEquals(0, exit, output);
                assertEquals("transport=nio value=through nio", output, "and nothing else: no warning on start");
            }
        }
    }
}
