package io.metrodb.tools.up;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of a local cluster, with the ports, directories and node ids {@code bin/cluster} always used: mapds on
 * B.., logds on B+8.., mond on B+20, the gateway on B-470 (B = 7550 by default); logd ids 1.., mapd ids 11..;
 * data in {@code <dir>/logd1..}, {@code <dir>/mapd1..}, {@code <dir>/mond}. The i-th logd and the i-th mapd run in
 * one process, {@code host<i>}, as on a 3-host install, mond with them on host1 (host A of docs/OPERATIONS.md); the
 * gateway in {@code up}'s.
 */
public final class ClusterLayout
{
    public static final String HOST = "127.0.0.1";
    public static final int DEFAULT_BASE_PORT = 7550;
    public static final int LOGD_PORT_OFFSET = 8;
    public static final int MOND_PORT_OFFSET = 20;
    public static final int GATEWAY_PORT_OFFSET = -470;
    public static final int MAX_LOGDS = 12;
    public static final int MAX_MAPDS = 8;
    public static final int FIRST_MAPD_ID = 11;
    public static final String HOST_PROCESS = "host";
    /** Within a host: the logd, then the mapd (a client of the logds), then mond (which watches both). */
    private static final List<String> START_ORDER = List.of(NodeSpec.LOGD, NodeSpec.MAPD, NodeSpec.MOND);
    /** The process of the nodes {@code up} runs itself: the gateway. */
    public static final String UP_PROCESS = "up";

    private ClusterLayout()
    {
    }

    /**
     * @param dir       the cluster's directory
     * @param logds     number of logds, 1..12
     * @param mapds     number of mapds, 1..8
     * @param rf        replication factor, 1..mapds
     * @param basePort  the first mapd's port
     * @param gateway   whether to start the REST gateway
     * @param mapdExtra extra arguments for every mapd
     * @return the nodes in start order.
     * @throws IllegalArgumentException naming a bad value.
     */
    public static List<NodeSpec> nodes(
        final Path dir,
        final int logds,
        final int mapds,
        final int rf,
        final int basePort,
        final boolean gateway,
        final List<String> mapdExtra)
    {
        if (logds < 1 || logds > MAX_LOGDS)
        {
            throw new IllegalArgumentException("--logds must be 1.." + MAX_LOGDS + ", not " + logds);
        }
        if (mapds < 1 || mapds > MAX_MAPDS)
        {
            throw new IllegalArgumentException("--mapds must be 1.." + MAX_MAPDS + ", not " + mapds);
        }
        if (rf < 1 || rf > mapds)
        {
            throw new IllegalArgumentException("--rf must be 1..--mapds (" + mapds + "), not " + rf);
        }
        final int lowest = Math.min(basePort, basePort + GATEWAY_PORT_OFFSET);
        if (lowest < 1 || basePort + MOND_PORT_OFFSET > 65535)
        {
            throw new IllegalArgumentException("--base-port must leave every port in 1..65535 (the gateway is on " +
                "base-port" + GATEWAY_PORT_OFFSET + ", mond on base-port+" + MOND_PORT_OFFSET + "), not " + basePort);
        }

        final List<NodeSpec> nodes = new ArrayList<>();
        final List<String> logdAddresses = new ArrayList<>();
        for (int i = 1; i <= logds; i++)
        {
            final int port = basePort + LOGD_PORT_OFFSET + i - 1;
            final Path nodeDir = dir.resolve("logd" + i);
            logdAddresses.add(HOST + ":" + port);
            nodes.add(new NodeSpec("logd" + i, NodeSpec.LOGD, port, nodeDir, List.of(
                "--dir", nodeDir.toString(), "--host", HOST, "--port", Integer.toString(port),
                "--node-id", Integer.toString(i)), HOST_PROCESS + i, 0));
        }
        final String logdList = String.join(",", logdAddresses);
        final List<String> mapdAddresses = new ArrayList<>();
        for (int i = 0; i < mapds; i++)
        {
            mapdAddresses.add(HOST + ":" + (basePort + i));
        }
        for (int i = 1; i <= mapds; i++)
        {
            final int port = basePort + i - 1;
            final Path nodeDir = dir.resolve("mapd" + i);
            final List<String> peers = new ArrayList<>(mapdAddresses);
            peers.remove(HOST + ":" + port);
            final List<String> args = new ArrayList<>(Arrays.asList(
                "--dir", nodeDir.toString(), "--host", HOST, "--port", Integer.toString(port),
                "--node-id", Integer.toString(FIRST_MAPD_ID + i - 1), "--rf", Integer.toString(rf),
                "--logds", logdList));
            if (!peers.isEmpty())
            {
                args.add("--peers");
                args.add(String.join(",", peers));
            }
            args.addAll(mapdExtra);
            nodes.add(new NodeSpec("mapd" + i, NodeSpec.MAPD, port, nodeDir, List.copyOf(args), HOST_PROCESS + i, 0));
        }
        final String mapdList = String.join(",", mapdAddresses);
        final int mondPort = basePort + MOND_PORT_OFFSET;
        final Path mondDir = dir.resolve("mond");
        nodes.add(new NodeSpec("mond", NodeSpec.MOND, mondPort, mondDir, List.of(
            "--dir", mondDir.toString(), "--host", HOST, "--port", Integer.toString(mondPort),
            "--mapds", mapdList, "--logds", logdList), HOST_PROCESS + 1, 0));
        if (gateway)
        {
            final int port = basePort + GATEWAY_PORT_OFFSET;
            nodes.add(new NodeSpec("gateway", NodeSpec.GATEWAY, port, null, List.of(
                "--host", HOST, "--port", Integer.toString(port), "--mapds", mapdList,
                "--mond", HOST + ":" + mondPort), UP_PROCESS, 1));
        }
        return List.copyOf(nodes);
    }

    /**
     * @param nodes the nodes, as {@link #nodes} gives them
     * @return the child processes that run them, in start order: the hosts (each host's logd, then its mapd, then
     * mond on host1); not the gateway, which {@code up} runs itself.
     */
    public static List<ProcessSpec> processes(final List<NodeSpec> nodes)
    {
        final Map<String, List<NodeSpec>> byProcess = new LinkedHashMap<>();
        for (final NodeSpec node : nodes)
        {
            if (UP_PROCESS.equals(node.process()))
            {
                continue;
            }
            byProcess.computeIfAbsent(node.process(), name -> new ArrayList<>()).add(node);
        }
        final List<ProcessSpec> processes = new ArrayList<>();
        for (final Map.Entry<String, List<NodeSpec>> entry : byProcess.entrySet())
        {
            final List<NodeSpec> members = new ArrayList<>(entry.getValue());
            members.sort(Comparator.comparingInt(node -> START_ORDER.indexOf(node.role())));
            processes.add(new ProcessSpec(entry.getKey(), List.copyOf(members)));
        }
        processes.sort(Comparator.comparingInt(ProcessSpec::stage));
        return List.copyOf(processes);
    }
}
