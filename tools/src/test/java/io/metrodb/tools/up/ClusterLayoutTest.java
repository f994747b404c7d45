package io.metrodb.tools.up;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ports, node ids, directories and peers of {@code up}'s nodes: those {@code bin/cluster} always used, shifted
 * by {@code --base-port}; and the launch command's JVM options per Java version.
 */
class ClusterLayoutTest
{
    private static final Path DIR = Path.of("/data");

    @Test
    void shouldUseTheDefaultPortsIdsAndDirectories()
    {
        final List<NodeSpec> nodes = ClusterLayout.nodes(DIR, 3, 3, 2, 7550, true, List.of());
        assertEquals(List.of("logd1", "logd2", "logd3", "mapd1", "mapd2", "mapd3", "mond", "gateway"),
            nodes.stream().map(NodeSpec::name).toList());
        assertEquals(List.of(7558, 7559, 7560, 7550, 7551, 7552, 7570, 7080),
            nodes.stream().map(NodeSpec::port).toList());
        assertEquals(List.of("--dir", "/data/logd2", "--host", "127.0.0.1", "--port", "7559", "--node-id", "2"),
            nodes.get(1).args());
        assertEquals(List.of("--dir", "/data/mapd2", "--host", "127.0.0.1", "--port", "7551", "--node-id", "12",
            "--rf", "2", "--logds", "127.0.0.1:7558,127.0.0.1:7559,127.0.0.1:7560",
            "--peers", "127.0.0.1:7550,127.0.0.1:7552"), nodes.get(4).args());
        assertEquals(List.of("--dir", "/data/mond", "--host", "127.0.0.1", "--port", "7570",
            "--mapds", "127.0.0.1:7550,127.0.0.1:7551,127.0.0.1:7552",
            "--logds", "127.0.0.1:7558,127.0.0.1:7559,127.0.0.1:7560"), nodes.get(6).args());
        assertEquals(List.of("--host", "127.0.0.1", "--port", "7080",
            "--mapds", "127.0.0.1:7550,127.0.0.1:7551,127.0.0.1:7552", "--mond", "127.0.0.1:7570"),
            nodes.get(7).args());
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 1), nodes.stream().map(NodeSpec::stage).toList());
    }

    @Test
    void shouldRunEachLogdAndMapdPairInOneHostProcessAndMondOnHost1()
    {
        final List<ProcessSpec> processes = ClusterLayout.processes(ClusterLayout.nodes(DIR, 3, 2, 2, 7550, true,
            List.of()));
        assertEquals(List.of("host1", "host2", "host3"), processes.stream().map(ProcessSpec::name).toList(),
            "the gateway runs in up itself");
        assertEquals("host1 (logd1, mapd1, mond)", processes.get(0).describe());
        assertEquals("host3 (logd3)", processes.get(2).describe());
        assertEquals(List.of("host", "host", "host"), processes.stream().map(ProcessSpec::kind).toList());

        final List<String> host1 = processes.get(0).commandArgs();
        assertEquals(List.of("host", "logd", "--dir", "/data/logd1"), host1.subList(0, 4));
        final int mapd = host1.indexOf("+");
        assertEquals(List.of("+", "mapd", "--dir", "/data/mapd1"), host1.subList(mapd, mapd + 4));
        final int mond = host1.lastIndexOf("+");
        assertEquals(List.of("+", "mond", "--dir", "/data/mond"), host1.subList(mond, mond + 4),
            "mond starts after the host's mapd");
        assertEquals(1, processes.get(1).commandArgs().stream().filter("+"::equals).count());

        final Launcher launcher = new Launcher(null, "the-classpath", null);
        final List<String> command = launcher.command(processes.get(1));
        assertEquals(List.of("the-classpath", Launcher.SERVER_MAIN, "host", "logd"),
            command.subList(command.indexOf("-cp") + 1, command.indexOf("-cp") + 5));
    }

    @Test
    void shouldShiftEveryPortByTheBasePort()
    {
        final List<NodeSpec> nodes = ClusterLayout.nodes(DIR, 2, 4, 3, 27550, true, List.of("--local-reads=off"));
        assertEquals(List.of(27558, 27559, 27550, 27551, 27552, 27553, 27570, 27080),
            nodes.stream().map(NodeSpec::port).toList());
        assertTrue(nodes.get(2).args().contains("--local-reads=off"));
        assertEquals("14", nodes.get(5).args().get(nodes.get(5).args().indexOf("--node-id") + 1));
    }

    @Test
    void shouldLeaveTheGatewayOutAndOneMapdWithoutPeers()
    {
        final List<NodeSpec> nodes = ClusterLayout.nodes(DIR, 1, 1, 1, 7550, false, List.of());
        assertEquals(List.of("logd1", "mapd1", "mond"), nodes.stream().map(NodeSpec::name).toList());
        assertFalse(nodes.get(1).args().contains("--peers"));
    }

    @Test
    void shouldRejectBadShapesNamingTheOption()
    {
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ClusterLayout.nodes(DIR, 0, 3, 2, 7550, true, List.of())).getMessage().startsWith("--logds"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ClusterLayout.nodes(DIR, 3, 9, 2, 7550, true, List.of())).getMessage().startsWith("--mapds"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ClusterLayout.nodes(DIR, 3, 2, 3, 7550, true, List.of())).getMessage().startsWith("--rf"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ClusterLayout.nodes(DIR, 3, 3, 2, 400, true, List.of())).getMessage().startsWith("--base-port"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> ClusterLayout.nodes(DIR, 3, 3, 2, 65530, true, List.of())).getMessage().startsWith("--base-port"));
    }

    @Test
    void shouldGiveDaemonsTheOptionsOfBinJavaEnv()
    {
        assertEquals(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-modules",
            "jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED"), Launcher.jvmOptions(17, null));
        assertEquals(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-XX:+UseSerialGC"),
            Launcher.jvmOptions(21, " -Xmx1g  -XX:+UseSerialGC "));
    }
}
